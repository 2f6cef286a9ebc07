import { join } from "node:path";
import request from "supertest";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { createSegmentSender, flushOutbox } from "../../src/feedback/index.js";
import { SERVICE } from "../../src/version.js";
import { startChildServer, waitForExit } from "../support/childServer.js";
import { startFakeSegment, type FakeSegment } from "../support/fakeSegment.js";
import { identify, page } from "../support/segmentMessages.js";
import { silentLog, tempDir, testApp, settled } from "../support/testApp.js";

let fake: FakeSegment;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  fake = await startFakeSegment();
  cleanups.push(() => fake.close());
  const t = testApp({ SEGMENT_WRITE_KEY: "wk_test", SEGMENT_HOST: fake.url });
  cleanups.push(t.cleanup);
  const sender = createSegmentSender({ writeKey: "wk_test", host: fake.url, context: SERVICE, logger: silentLog });
  cleanups.push(() => sender.close());
  // What was posted is derived (and its feedback queued) before the outbox is flushed.
  const flush = async (at?: number) => {
    const store = await settled(t.pipeline);
    const now = at ?? Date.now();
    return flushOutbox(store.outbox.queue, sender, { now: () => now, batchSize: 500, leaseMs: 120_000, logger: silentLog });
  };
  return { ...t, flush };
}

const T0 = "2026-04-01T09:00:00.000Z";

describe("feedback to Segment", () => {
  test("a new visitor from Google gets a Visitor Source Identified and an identify with first_touch_channel", async () => {
    const { app, flush } = await setup();
    await request(app).post("/webhooks/segment").send([page("anon-g", T0, "https://shop.example/", "https://www.google.com/")]);
    const r = await flush();
    expect(r).toMatchObject({ sent: 2, failed: 0, dead: 0 });
    const msgs = fake.messages();
    const vsi = msgs.find((m) => m.type === "track");
    const ident = msgs.find((m) => m.type === "identify");
    expect(vsi).toMatchObject({
      event: "Visitor Source Identified",
      anonymousId: "anon-g",
      timestamp: T0,
      properties: { channel: "Organic Search", source: "google", medium: "organic", touch_number: 1, is_first_touch: true },
      integrations: { Webhooks: false, "Webhooks (Actions)": false },
    });
    expect(vsi!.context).toMatchObject({ segment_attribution: { name: SERVICE.name, version: SERVICE.version } });
    expect(ident!.traits).toMatchObject({ first_touch_channel: "Organic Search", first_touch_source: "google", touch_count: 1, device_count: 1 });
    expect(fake.batches[0]!.authorization).toBe(`Basic ${Buffer.from("wk_test:").toString("base64")}`);
  });

  test("unchanged traits send no identify; a new source sends one more event; a userId takes over", async () => {
    const { app, flush } = await setup();
    await request(app).post("/webhooks/segment").send([page("anon-h", T0, "https://shop.example/", "https://www.google.com/")]);
    await flush();
    // internal navigation: nothing new to say
    await request(app).post("/webhooks/segment").send([page("anon-h", "2026-04-01T09:01:00.000Z", "https://shop.example/b", "https://shop.example/")]);
    expect(await flush()).toMatchObject({ sent: 0 });
    await request(app).post("/webhooks/segment").send([identify("user-h", "anon-h", "2026-04-01T09:02:00.000Z")]);
    await request(app)
      .post("/webhooks/segment")
      .send([page("anon-h", "2026-04-02T09:00:00.000Z", "https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=april")]);
    await flush();
    const later = fake.messages().slice(2);
    expect(later.every((m) => m.userId === "user-h")).toBe(true);
    expect(later.filter((m) => m.type === "track")).toHaveLength(1);
    expect(later.find((m) => m.type === "track")!.properties).toMatchObject({ channel: "Email", touch_number: 2, is_first_touch: false, campaign: "april" });
    const identifies = later.filter((m) => m.type === "identify").sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    expect(identifies.at(-1)!.traits).toMatchObject({ last_touch_channel: "Email", first_touch_channel: "Organic Search", touch_count: 2 });
  });

  test("changes before a send coalesce into one identify with the latest traits", async () => {
    const { app, flush } = await setup();
    await request(app).post("/webhooks/segment").send([page("anon-c", T0, "https://shop.example/", "https://www.google.com/")]);
    await request(app).post("/webhooks/segment").send([page("anon-c", "2026-04-03T09:00:00.000Z", "https://shop.example/", "https://www.bing.com/")]);
    await request(app).post("/webhooks/segment").send([page("anon-c", "2026-04-05T09:00:00.000Z", "https://shop.example/", "https://duckduckgo.com/")]);
    await flush();
    const identifies = fake.messages().filter((m) => m.type === "identify");
    expect(identifies).toHaveLength(1);
    expect(identifies[0]!.traits).toMatchObject({ touch_count: 3, first_touch_source: "google", last_touch_source: "duckduckgo" });
    expect(identifies[0]!.timestamp).toBe("2026-04-05T09:00:00.000Z");
    expect(fake.messages().filter((m) => m.type === "track")).toHaveLength(3);
  });

  test("an identify that failed once is not rewritten: the next change queues a new one", async () => {
    const { app, flush } = await setup();
    await request(app).post("/webhooks/segment").send([page("anon-f", T0, "https://shop.example/", "https://www.google.com/")]);
    fake.setStatus(503);
    await flush();
    fake.setStatus(null);
    await request(app).post("/webhooks/segment").send([page("anon-f", "2026-04-03T09:00:00.000Z", "https://shop.example/", "https://www.bing.com/")]);
    await flush(Date.now() + 3_600_000);
    const identifies = fake.messages().filter((m) => m.type === "identify");
    expect(identifies.map((m) => m.traits!.touch_count).sort()).toEqual([1, 2]);
  });

  test("a Segment outage only delays delivery; nothing is delivered twice", async () => {
    const { app, flush, pipeline } = await setup();
    const batch = Array.from({ length: 20 }, (_, i) => page(`anon-o${i}`, T0, "https://shop.example/", "https://t.co/x"));
    await request(app).post("/webhooks/segment").send(batch);
    fake.setStatus(503);
    const down = await flush();
    expect(down.sent).toBe(0);
    expect((await settled(pipeline).then((s) => s.admin.stats())).outbox_pending).toBe(40);
    fake.setStatus(null);
    expect((await flush()).sent).toBe(0); // not due yet: backoff
    const up = await flush(Date.now() + 3_600_000);
    expect(up.sent).toBe(40);
    const ids = fake.messages().map((m) => m.messageId);
    expect(new Set(ids).size).toBe(40);
    expect(ids).toHaveLength(40);
    expect((await settled(pipeline).then((s) => s.admin.stats()))).toMatchObject({ outbox_pending: 0, outbox_sent: 40 });
  });

  test("our own messages posted back to the webhook are ignored", async () => {
    const { app, flush, pipeline } = await setup();
    await request(app).post("/webhooks/segment").send([page("anon-l", T0, "https://shop.example/", "https://www.bing.com/")]);
    await flush();
    const before = (await settled(pipeline).then((s) => s.admin.stats()));
    const echoed = await request(app).post("/webhooks/segment").send(fake.messages());
    expect(echoed.body).toEqual({ accepted: 0, duplicates: 0, rejected: 0, ignored: 2 });
    expect((await settled(pipeline).then((s) => s.admin.stats()))).toEqual(before);
  });
});

describe("feedback across a restart", () => {
  const { dir, cleanup } = tempDir("sa-feedback-");
  afterAll(cleanup);

  test("feedback queued before a restart is delivered after it, once", async () => {
    const fakeSeg = await startFakeSegment();
    cleanups.push(() => fakeSeg.close());
    fakeSeg.setStatus(503);
    const env = { DATABASE_PATH: join(dir, "fb.db"), SEGMENT_WRITE_KEY: "wk", SEGMENT_HOST: fakeSeg.url, OUTBOX_CRON: "0 0 1 1 *" };
    const first = await startChildServer(env);
    const res = await fetch(`${first.url}/webhooks/segment`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([page("anon-r", T0, "https://shop.example/", "https://www.google.com/")]),
    });
    expect(res.status).toBe(200);
    first.proc.kill("SIGKILL");
    await waitForExit(first.proc);
    fakeSeg.setStatus(null);
    const second = await startChildServer({ ...env, OUTBOX_CRON: "* * * * * *" });
    cleanups.push(async () => {
      second.proc.kill("SIGTERM");
      await waitForExit(second.proc);
    });
    for (let i = 0; i < 100 && fakeSeg.messages().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(fakeSeg.messages().map((m) => m.type).sort()).toEqual(["identify", "track"]);
  });
});
