import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { FIRST_DELAY_MS } from "../../src/feedback/backoff.js";
import { flushOutbox } from "../../src/feedback/flushOutbox.js";
import { dealStatusChanged, identifyTraits, visitorSourceIdentified } from "../../src/feedback/messages.js";
import { createSegmentSender, type SegmentSender, type SegmentSenderOptions } from "../../src/feedback/sender.js";
import { startFakeSegment, type FakeSegment } from "../support/fakeSegment.js";
import { MemoryOutboxQueue } from "../unit/feedback/memoryOutboxQueue.js";

/** The real analytics-node client against a local fake of Segment's /v1/batch. */

const logger = pino({ level: "silent" });
const WRITE_KEY = "wk_test_123";
const attribution = { name: "segment-attribution", version: "0.1.0" };
const T0 = Date.UTC(2024, 5, 1, 9, 0, 0);
const touch = {
  at: T0 - 60_000,
  channel: "Paid Social",
  source: "facebook",
  medium: "paid_social",
  campaign: "launch",
  term: null,
  content: "video-a",
  referrer: "https://l.facebook.com/",
  landingPage: "https://example.com/",
  clickIdType: "fbclid",
};

let fake: FakeSegment;
let sender: SegmentSender;

function makeSender(extra: Partial<SegmentSenderOptions> = {}): SegmentSender {
  return createSegmentSender({ writeKey: WRITE_KEY, host: fake.url, context: attribution, logger, ...extra });
}

function queueWith(n: number): MemoryOutboxQueue {
  const queue = new MemoryOutboxQueue();
  for (let i = 0; i < n; i++) queue.add(identifyTraits(`row-${i}`, { userId: `user-${i % 50}` }, { touch_count: i }, T0));
  return queue;
}

function deliveredCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of fake.messages()) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
  return counts;
}

beforeEach(async () => {
  fake = await startFakeSegment();
  sender = makeSender();
});

afterEach(async () => {
  await sender.close();
  await fake.close();
});

describe("Segment sender (real analytics-node)", () => {
  test("delivered messages carry messageId, timestamp, loop guards, our context and the write key", async () => {
    const queue = new MemoryOutboxQueue();
    queue.add(visitorSourceIdentified("vsi-1", { anonymousId: "anon-1" }, touch, 1, true));
    queue.add(identifyTraits("idf-1", { userId: "user-1" }, { touch_count: 1, touch_channels: ["Paid Social"] }, T0));
    queue.add(
      dealStatusChanged("deal-1", { userId: "user-1" }, { dealId: "d1", status: "won", previousStatus: "open", amount: 99.5, currency: "USD", firstTouchChannel: "Paid Social", lastTouchChannel: "Direct" }, T0),
    );

    expect(await flushOutbox(queue, sender, { now: () => T0, batchSize: 10, leaseMs: 120_000, logger })).toEqual({ sent: 3, failed: 0, dead: 0 });

    const byId = new Map(fake.messages().map((m) => [m.messageId, m]));
    expect([...byId.keys()].sort()).toEqual(["deal-1", "idf-1", "vsi-1"]);
    for (const m of byId.values()) {
      expect(m.integrations).toEqual({ Webhooks: false, "Webhooks (Actions)": false });
      expect(m.context?.segment_attribution).toEqual(attribution);
    }
    expect(byId.get("vsi-1")).toMatchObject({
      type: "track",
      event: "Visitor Source Identified",
      anonymousId: "anon-1",
      timestamp: new Date(touch.at).toISOString(),
      properties: { channel: "Paid Social", click_id_type: "fbclid", touch_number: 1, is_first_touch: true },
    });
    expect(byId.get("idf-1")).toMatchObject({ type: "identify", userId: "user-1", timestamp: new Date(T0).toISOString(), traits: { touch_channels: ["Paid Social"] } });
    expect(byId.get("deal-1")).toMatchObject({ event: "Deal Status Changed", properties: { deal_id: "d1", amount: 99.5, previous_status: "open" } });
    const basic = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString("base64")}`;
    expect(fake.batches.map((b) => b.authorization)).toEqual(fake.batches.map(() => basic));
  });

  test("a single 503 blip is retried once inside analytics-node and the rows are sent", async () => {
    const queue = queueWith(5);
    fake.failNext(1);
    expect(await flushOutbox(queue, sender, { now: () => T0, batchSize: 10, leaseMs: 120_000, logger })).toEqual({ sent: 5, failed: 0, dead: 0 });
    expect(fake.batches.map((b) => [b.status, b.retryCount])).toEqual([[503, 0], [200, 1]]);
    expect([...deliveredCounts().values()]).toEqual([1, 1, 1, 1, 1]);
  });

  test("a 503 outage fails the rows; after recovery the outbox backoff delivers each messageId exactly once", async () => {
    const queue = queueWith(30);
    fake.setStatus(503);
    const run = (now: number) => flushOutbox(queue, sender, { now: () => now, batchSize: 10, leaseMs: 120_000, logger });

    expect(await run(T0)).toEqual({ sent: 0, failed: 30, dead: 0 });
    expect(fake.messages()).toEqual([]);
    expect(queue.get("row-7")).toMatchObject({ status: "pending", nextAttemptAt: T0 + FIRST_DELAY_MS, lastError: expect.stringContaining("503") });
    // analytics-node tried each HTTP batch twice (maxRetries 1), no more.
    expect(Math.max(...fake.batches.map((b) => b.retryCount))).toBe(1);

    fake.setStatus(null);
    expect(await run(T0 + 1_000)).toEqual({ sent: 0, failed: 0, dead: 0 }); // not due yet
    expect(await run(T0 + FIRST_DELAY_MS)).toEqual({ sent: 30, failed: 0, dead: 0 });

    const counts = deliveredCounts();
    expect([...counts.keys()].sort()).toEqual(queue.idsWith("sent").sort());
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
  });

  test("a 400 is not retried by analytics-node; the outbox splits the batch and sends the halves, nothing is dead", async () => {
    const queue = queueWith(2);
    fake.failNext(1, 400);
    expect(await flushOutbox(queue, sender, { now: () => T0, batchSize: 10, leaseMs: 120_000, logger })).toEqual({ sent: 2, failed: 0, dead: 0 });
    expect(fake.batches.map((b) => [b.status, b.messages.length])).toEqual([
      [400, 2],
      [200, 1],
      [200, 1],
    ]);
    expect([...deliveredCounts().values()]).toEqual([1, 1]);
  });

  test("poison: Segment answers 400 for chosen messages; only they are dead, with Segment's answer, every other row is sent once", async () => {
    const queue = queueWith(236);
    const poison = ["row-3", "row-57", "row-58", "row-101", "row-170", "row-235"];
    const answer = JSON.stringify({ success: false, message: "properties must be an object" });
    fake.rejectMessages(poison, answer);
    expect(await flushOutbox(queue, sender, { now: () => T0, batchSize: 500, leaseMs: 120_000, logger })).toEqual({ sent: 230, failed: 0, dead: 6 });
    expect(queue.idsWith("dead").sort()).toEqual([...poison].sort());
    for (const id of poison) expect(queue.get(id).lastError).toBe(`[400] Bad Request: ${answer}`);
    const counts = deliveredCounts();
    expect(counts.size).toBe(230);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    for (const id of poison) expect(counts.has(id)).toBe(false);
    // A second run sends nothing again: the poison is parked, the rest is sent.
    const requests = fake.batches.length;
    expect(await flushOutbox(queue, sender, { now: () => T0 + 86_400_000, batchSize: 500, leaseMs: 120_000, logger })).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(fake.batches.length).toBe(requests);
  });

  test("no row is marked sent unless Segment accepted it, while the server flaps", async () => {
    const queue = queueWith(200);
    sender = makeSender({ flushAt: 20 });
    let now = T0;
    for (let round = 0; round < 12 && queue.idsWith("pending").length > 0; round++) {
      fake.failNext(round % 2 === 0 ? 6 : 1);
      await flushOutbox(queue, sender, { now: () => now, batchSize: 50, leaseMs: 120_000, logger });
      for (const id of queue.idsWith("sent")) expect(deliveredCounts().has(id)).toBe(true);
      now += 3_600_000;
    }
    expect(queue.idsWith("sent")).toHaveLength(200);
    expect(deliveredCounts().size).toBe(200);
  });

  test("a closed sender reports every row failed instead of dropping it silently", async () => {
    await sender.close();
    expect(await sender.send(await queueWith(2).claimDue(10, T0, 1000))).toEqual([
      { id: "row-0", ok: false, error: "sender is closed" },
      { id: "row-1", ok: false, error: "sender is closed" },
    ]);
  });

  test("throughput: 5,000 outbox rows through analytics-node to the fake", async () => {
    const rows = 5_000;
    const queue = queueWith(rows);
    const started = performance.now();
    const result = await flushOutbox(queue, sender, { now: () => T0, batchSize: 500, leaseMs: 120_000, logger });
    const seconds = (performance.now() - started) / 1000;
    expect(result).toEqual({ sent: rows, failed: 0, dead: 0 });
    expect(deliveredCounts().size).toBe(rows);
    console.log(
      `outbox throughput: ${rows} messages in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} messages/s ` +
        `(${fake.batches.length} HTTP batches, outbox batch 500, flushAt 100)`,
    );
  });
});
