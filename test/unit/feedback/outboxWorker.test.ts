import { pino } from "pino";
import { afterEach, describe, expect, test } from "vitest";
import { identifyTraits } from "../../../src/feedback/messages.js";
import { createOutboxWorker, type OutboxWorker } from "../../../src/feedback/outboxWorker.js";
import type { OutboxSender } from "../../../src/feedback/sender.js";
import { MemoryOutboxQueue } from "./memoryOutboxQueue.js";

const logger = pino({ level: "silent" });
const settings = { batchSize: 10, leaseMs: 60_000, logger };
const EVERY_SECOND = "* * * * * *";

/** A sender whose sends hang until released, counting how many run at the same time. */
function gatedSender() {
  let release: () => void = () => {};
  let gate = new Promise<void>((resolve) => (release = resolve));
  const stats = { started: 0, concurrent: 0, maxConcurrent: 0 };
  const sender: OutboxSender = {
    async send(rows) {
      stats.started += 1;
      stats.concurrent += 1;
      stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.concurrent);
      await gate;
      stats.concurrent -= 1;
      return rows.map((r) => ({ id: r.id, ok: true as const }));
    },
  };
  return {
    sender,
    stats,
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let worker: OutboxWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

describe("createOutboxWorker", () => {
  test("an invalid cron expression fails at creation", () => {
    expect(() => createOutboxWorker({ queue: new MemoryOutboxQueue(), sender: gatedSender().sender, cronExpression: "every minute", ...settings })).toThrow();
  });

  test("the schedule flushes the outbox", async () => {
    const queue = new MemoryOutboxQueue();
    queue.add(identifyTraits("r1", { userId: "u" }, {}, 0));
    const gated = gatedSender();
    gated.open();
    worker = createOutboxWorker({ queue, sender: gated.sender, cronExpression: EVERY_SECOND, ...settings });
    worker.start();
    for (let i = 0; i < 40 && queue.get("r1").status !== "sent"; i++) await sleep(100);
    expect(queue.get("r1").status).toBe("sent");
  });

  test("ticks during a slow run do not start a second one, and stop() waits for the run in flight", async () => {
    const queue = new MemoryOutboxQueue();
    queue.add(identifyTraits("r1", { userId: "u" }, {}, 0));
    const gated = gatedSender();
    // leaseMs 0: an overlapping run could claim the same row again, so overlap would show as a second send.
    const w = createOutboxWorker({ queue, sender: gated.sender, cronExpression: EVERY_SECOND, ...settings, leaseMs: 0 });
    worker = w;
    w.start();
    // Let several ticks pass while the first send hangs.
    for (let i = 0; i < 40 && gated.stats.started === 0; i++) await sleep(100);
    await sleep(2200);
    expect(gated.stats).toMatchObject({ started: 1, maxConcurrent: 1 });
    expect(await w.runOnce()).toEqual({ kind: "skipped", reason: "in-flight" });

    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    await sleep(50);
    expect(stopped).toBe(false);
    gated.open();
    await stopping;
    expect(queue.get("r1").status).toBe("sent");
    expect(await w.runOnce()).toEqual({ kind: "skipped", reason: "stopped" });
  });

  test("a store error is reported as a failed run, not thrown", async () => {
    const queue = new MemoryOutboxQueue();
    queue.claimDue = () => Promise.reject(new Error("database is locked"));
    worker = createOutboxWorker({ queue, sender: gatedSender().sender, cronExpression: EVERY_SECOND, ...settings });
    expect(await worker.runOnce()).toEqual({ kind: "failed", error: "database is locked" });
  });

  test("runOnce reports what the run did", async () => {
    const queue = new MemoryOutboxQueue();
    queue.add(identifyTraits("r1", { userId: "u" }, {}, 0));
    const gated = gatedSender();
    gated.open();
    worker = createOutboxWorker({ queue, sender: gated.sender, cronExpression: EVERY_SECOND, ...settings });
    expect(await worker.runOnce()).toEqual({ kind: "ran", result: { sent: 1, failed: 0, dead: 0 } });
  });
});
