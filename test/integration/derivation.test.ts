import Database from "better-sqlite3";
import request from "supertest";
import { describe, expect, test } from "vitest";
import { page, identify, track } from "../support/segmentMessages.js";
import { useTestApps } from "../support/testApp.js";

const makeApp = useTestApps();
const T0 = Date.UTC(2026, 5, 1);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** A message nested `depth` levels deep, as raw JSON text (8 KB for 5000 levels). */
function deepMessage(depth: number): string {
  return `{"type":"track","messageId":"deep-1","anonymousId":"deep","event":"X","timestamp":"${at(0)}","properties":${"[".repeat(depth)}${"]".repeat(depth)}}`;
}

describe("gateway apart from derivation", () => {
  test("a poison message in a batch of 99 good ones: 99 accepted, 1 rejected, the 99 derived", async () => {
    const { app } = makeApp({ SITE_DOMAINS: "shop.example" });
    const good = Array.from({ length: 99 }, (_, i) => JSON.stringify(page(`anon-${i}`, at(i), "https://shop.example/", "https://www.google.com/")));
    const body = `[${good.slice(0, 50).join(",")},${deepMessage(5000)},${good.slice(50).join(",")}]`;
    const res = await request(app).post("/webhooks/segment").set("content-type", "application/json").send(body).expect(200);
    expect(res.body).toEqual({ accepted: 99, duplicates: 0, rejected: 1, ignored: 0 });
    const stats = await request(app).get("/api/stats").expect(200);
    expect(stats.body).toMatchObject({ messages: 99, rejected: 1, persons: 99, touchpoints: 99, derivation_lag: 0, derive_failures: 0 });
  });

  test("the webhook answers before derivation; derivation_lag counts what is not derived yet", async () => {
    const t = makeApp({ SITE_DOMAINS: "shop.example" }, undefined, { settleReads: false });
    await t.deriver.stop();
    await request(t.app)
      .post("/webhooks/segment")
      .send([page("a1", at(0), "https://shop.example/", "https://www.google.com/"), identify("u1", "a1", at(1)), track({ userId: "u1" }, "Order Completed", at(2), { revenue: 10 })])
      .expect(200);
    await request(t.app).post("/webhooks/crm").send({ dealId: "D1", status: "won", amount: 5, userId: "u1", createdAt: at(3), updatedAt: at(3) }).expect(200);
    expect((await request(t.app).get("/api/stats").expect(200)).body).toMatchObject({ messages: 3, persons: 0, derivation_lag: 4 });
    await request(t.app).get("/api/people/u1").expect(404);
    expect((await request(t.app).get("/ready")).status).toBe(503);

    t.deriver.start();
    await t.deriver.drain();
    expect((await request(t.app).get("/api/stats").expect(200)).body).toMatchObject({ messages: 3, persons: 1, conversions: 2, deals: 1, derivation_lag: 0 });
    const person = await request(t.app).get("/api/people/a1").expect(200);
    expect(person.body.conversions.map((c: { origin: string }) => c.origin).sort()).toEqual(["crm", "track"]);
    expect((await request(t.app).get("/ready")).status).toBe(200);
  });

  test("a person with many new messages in one unit is derived once, with one Visitor Source Identified per new source", async () => {
    const t = makeApp({ SITE_DOMAINS: "shop.example" });
    await t.deriver.stop();
    const msgs = [
      page("a1", at(0), "https://shop.example/", "https://www.google.com/"),
      ...Array.from({ length: 38 }, (_, i) => page("a1", at(1 + i), `https://shop.example/p${i}`, "https://shop.example/")),
      page("a1", at(200), "https://shop.example/?utm_source=nl&utm_medium=email"),
    ];
    await request(t.app).post("/webhooks/segment").send(msgs).expect(200);
    t.deriver.start();
    const person = await request(t.app).get("/api/people/a1").expect(200);
    expect(person.body.touchpoints.map((x: { channel: string }) => x.channel)).toEqual(["Organic Search", "Email"]);
    const personId = person.body.person_id as number;
    const rows = await t.pipeline.store.outbox.outboxOf(personId);
    const sources = rows.filter((r) => r.message.type === "track" && r.message.event === "Visitor Source Identified");
    const identifies = rows.filter((r) => r.message.type === "identify");
    expect(sources).toHaveLength(2);
    expect(identifies).toHaveLength(1);
  });

  test("reads and webhooks are served while a Markov refit re-credits every person", async () => {
    // Re-credit chunks of 1 ms: the re-credit of 4,000 persons takes many turns of the event loop.
    const t = makeApp({ SITE_DOMAINS: "shop.example" }, undefined, { settleReads: false, deriver: { recreditChunkMs: 1 } });
    const msgs = [];
    for (let i = 0; i < 4000; i++) {
      msgs.push(page(`p${i}`, at(i), "https://shop.example/", i % 2 ? "https://www.google.com/" : "https://t.co/x"));
      if (i % 3 === 0) msgs.push(track({ anonymousId: `p${i}` }, "Order Completed", at(i + 1), { revenue: 10 }));
    }
    await request(t.app).post("/webhooks/segment").send(msgs).expect(200);
    await t.deriver.drain();
    await t.deriver.refit();
    const inProgress = async () => (await t.pipeline.store.cursor.refitProgress())?.nextPersonId != null;
    expect(await inProgress()).toBe(true);
    await request(t.app).get("/health").expect(200);
    await request(t.app).get("/api/reports/attribution?model=markov").expect(200);
    await request(t.app).post("/webhooks/segment").send([page("late", at(5000), "https://shop.example/")]).expect(200);
    // All three were answered while the re-credit was still going on.
    expect(await inProgress()).toBe(true);
    await t.deriver.drain();
    expect(await inProgress()).toBe(false);
    const report = await request(t.app).get("/api/reports/attribution?model=markov").expect(200);
    expect(report.body.totals.conversions).toBeCloseTo(1334, 6);
    expect(Object.keys(report.body.removal_effects).sort()).toEqual(["Organic Search", "Organic Social"]);
  });

  test("while another process holds the write lock too long, the webhook answers 503 with Retry-After and stores nothing", async () => {
    const t = makeApp({}, undefined, { settleReads: false, store: { maxLockWaitMs: 300 } });
    const other = new Database(t.pipeline.config.databasePath);
    other.exec("BEGIN IMMEDIATE");
    try {
      const res = await request(t.app).post("/webhooks/segment").send([page("a1", at(0), "https://shop.example/")]);
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("2");
      expect(res.body.error.code).toBe("unavailable");
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect((await t.pipeline.store.admin.stats()).messages).toBe(0);
    await request(t.app).post("/webhooks/segment").send([page("a1", at(0), "https://shop.example/")]).expect(200);
  });

  test("a huge rejected message is kept as its head, not whole", async () => {
    const t = makeApp();
    const huge = { type: "track", messageId: "huge", anonymousId: "a", event: "X", timestamp: at(0), properties: { blob: "x".repeat(600 * 1024) } };
    const res = await request(t.app).post("/webhooks/segment").send([huge, page("a1", at(0), "https://shop.example/")]).expect(200);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 1 });
    const db = new Database(t.pipeline.config.databasePath, { readonly: true });
    const row = db.prepare("SELECT reason, payload FROM rejected").get() as { reason: string; payload: string };
    db.close();
    expect(row.reason).toMatch(/512 KB/);
    const kept = JSON.parse(row.payload) as { truncated: boolean; length: number; head: string };
    expect(kept.truncated).toBe(true);
    expect(kept.length).toBeGreaterThan(600 * 1024);
    expect(kept.head.length).toBe(64 * 1024);
  });

  test("a Segment delete arriving before the messages it covers are derived still erases everything of the person", async () => {
    const t = makeApp({ SITE_DOMAINS: "shop.example" });
    await t.deriver.stop();
    await request(t.app)
      .post("/webhooks/segment")
      .send([page("a1", at(0), "https://shop.example/", "https://www.google.com/"), identify("u1", "a1", at(1), { email: "u1@example.com" }), page("a1", at(2), "https://shop.example/b")])
      .expect(200);
    // The identify linking a1 to u1 is not derived yet: the gateway cannot see a1 as u1's.
    const del = await request(t.app).post("/webhooks/segment").send({ type: "delete", messageId: "del-1", userId: "u1", timestamp: at(3) }).expect(200);
    expect(del.body.accepted).toBe(1);
    await request(t.app).post("/webhooks/segment").send([page("a2", at(4), "https://shop.example/", "https://t.co/x")]).expect(200);
    t.deriver.start();
    await request(t.app).get("/api/people/a1").expect(404);
    await request(t.app).get("/api/people/u1").expect(404);
    await request(t.app).get("/api/people/a2").expect(200);
    expect((await request(t.app).get("/api/stats").expect(200)).body).toMatchObject({ messages: 1, persons: 1, touchpoints: 1, derivation_lag: 0 });
  });
});
