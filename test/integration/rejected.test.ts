import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import request from "supertest";
import { afterAll, describe, expect, test } from "vitest";
import { replayRejected } from "../../src/gateway/index.js";
import { createSqliteStore } from "../../src/store/index.js";
import { page } from "../support/segmentMessages.js";
import { settled, tempDir, useTestApps } from "../support/testApp.js";

const setup = useTestApps();
const T0 = "2026-03-01T10:00:00.000Z";

const bad = (i: number) => ({ type: "track", messageId: `bad-${i}`, anonymousId: `a-${i}`, timestamp: T0 }); // no event

describe("rejected messages (issue 15)", () => {
  test("GET /api/rejected lists one row per distinct payload, newest first, paged, with its reason", async () => {
    let now = Date.UTC(2026, 3, 1);
    const { app } = setup({}, () => now);
    for (let round = 0; round < 3; round++) {
      now += 1000;
      const r = await request(app).post("/webhooks/segment").send([bad(1), bad(2), { type: "nope", messageId: "n" }, page("ok", T0, "https://x.example/")]);
      expect(r.body).toMatchObject({ rejected: 3 });
    }
    now += 1000;
    await request(app).post("/webhooks/segment").send([bad(3)]);
    const all = await request(app).get("/api/rejected");
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(4);
    expect(all.body.rows.map((r: { message_id: string }) => r.message_id)).toEqual(["bad-3", "n", "bad-2", "bad-1"]);
    expect(all.body.rows[0]).toEqual({
      received_at: new Date(now).toISOString(),
      message_id: "bad-3",
      reason: "track message without event",
      payload: bad(3),
      arrivals: 1,
    });
    expect(all.body.rows[1]).toMatchObject({ reason: expect.stringContaining('unknown type "nope"'), arrivals: 3 });
    // The reasons summarise every row, whatever the page: the commonest first, with the arrivals behind them.
    expect(all.body.reasons).toEqual([
      { reason: "track message without event", payloads: 3, arrivals: 7, last_received_at: new Date(now).toISOString() },
      { reason: expect.stringContaining('unknown type "nope"'), payloads: 1, arrivals: 3, last_received_at: new Date(now - 1000).toISOString() },
    ]);
    const second = await request(app).get("/api/rejected?limit=2&offset=2");
    expect(second.body).toMatchObject({ total: 4, rows: [{ message_id: "bad-2" }, { message_id: "bad-1" }] });
    expect(second.body.reasons).toEqual(all.body.reasons);
    expect((await request(app).get("/api/stats")).body).toMatchObject({ rejected: 4 });
  });

  test.each([["limit=0"], ["limit=1001"], ["limit=x"], ["offset=-1"], ["offset=1.5"]])("GET /api/rejected?%s is a 400", async (q) => {
    const { app } = setup();
    const r = await request(app).get(`/api/rejected?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/limit|offset/);
  });

  test("replay stores what is valid now through the ingest path, removes it from rejected, and is idempotent", async () => {
    const { app, pipeline } = setup();
    const received = Date.UTC(2026, 2, 1, 9);
    // As an older version rejected them: no messageId, a time only in originalTimestamp, a delete without messageId.
    const nowValid = [
      { type: "page", anonymousId: "anon-r", properties: { url: "https://x.example/?utm_source=news&utm_medium=email" }, originalTimestamp: T0 },
      { type: "track", anonymousId: "anon-r", event: "Order Completed", properties: { revenue: 12 }, timestamp: "2026-03-01T10:05:00Z" },
    ];
    for (const m of nowValid) await pipeline.store.raw.insertRejected(received, null, "messageId is missing", JSON.stringify(m));
    await pipeline.store.raw.insertRejected(received, "bad-1", "track message without event", JSON.stringify(bad(1)));
    await pipeline.store.raw.insertRejected(received, null, "x.jsonl:3: not JSON", JSON.stringify({ file: "x.jsonl", line: 3, error: "not JSON" }));
    await pipeline.store.raw.insertRejected(received, null, "too big", JSON.stringify({ truncated: true, length: 1e6, head: "{\"type\":" }));

    const first = await replayRejected(pipeline.store);
    expect(first).toEqual({ examined: 5, accepted: 2, duplicates: 0, ignored: 0, deleted: 0, still_rejected: 3 });
    await settled(pipeline);
    const person = await request(app).get("/api/people/anon-r");
    expect(person.status).toBe(200);
    expect(person.body.touchpoints).toHaveLength(1);
    expect(person.body.conversions).toHaveLength(1);
    const left = await request(app).get("/api/rejected");
    expect(left.body.total).toBe(3);
    expect(left.body.rows.map((r: { reason: string }) => r.reason).sort()).toEqual(["too big", "track message without event", "x.jsonl:3: not JSON"]);

    const second = await replayRejected(pipeline.store);
    expect(second).toEqual({ examined: 3, accepted: 0, duplicates: 0, ignored: 0, deleted: 0, still_rejected: 3 });
    expect((await request(app).get("/api/stats")).body).toMatchObject({ messages: 2, rejected: 3, conversions: 1 });
  });
});

const root = fileURLToPath(new URL("../..", import.meta.url));
const { dir, cleanup } = tempDir("sa-replay-");
afterAll(cleanup);

function cli(args: string[], db: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, env: { ...process.env, DATABASE_PATH: db, LOG_LEVEL: "warn" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run cli -- rejected replay", () => {
  test("replays a delete rejected for lacking a messageId: the person is erased; a second run finds nothing", async () => {
    const db = join(dir, "replay.db");
    const store = createSqliteStore(db);
    await store.raw.insertMessage({ messageId: "m1", type: "page", anonymousId: "anon-z", userId: "user-z", deviceId: "anon-z", event: null, timestamp: Date.UTC(2026, 0, 1), receivedAt: Date.UTC(2026, 0, 1), payload: JSON.stringify(page("anon-z", "2026-01-01T00:00:00Z", "https://x.example/", "", { userId: "user-z" })) });
    await store.raw.insertRejected(Date.UTC(2026, 0, 2), null, "messageId is missing", JSON.stringify({ type: "delete", userId: "user-z", originalTimestamp: "2019-05-16 13:52:11.542 +0000 UTC" }));
    await store.close();
    const first = await cli(["rejected", "replay"], db);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ examined: 1, accepted: 1, deleted: 1, still_rejected: 0 });
    const second = await cli(["rejected", "replay"], db);
    expect(JSON.parse(second.stdout)).toMatchObject({ examined: 0, accepted: 0, still_rejected: 0 });
    const after = createSqliteStore(db);
    expect(await after.admin.stats()).toMatchObject({ messages: 0, rejected: 0, persons: 0 });
    await after.close();
  });
});
