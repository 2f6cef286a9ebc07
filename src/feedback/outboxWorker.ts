import { createTask } from "node-cron";
import type { Logger } from "pino";
import { describeError } from "./describeError.js";
import { cronLogger } from "../jobs/cronLogger.js";
import { flushOutbox, type FlushOutboxResult } from "./flushOutbox.js";
import type { OutboxSender } from "./sender.js";
import type { OutboxQueue } from "./types.js";

export interface OutboxWorkerOptions {
  queue: OutboxQueue;
  sender: OutboxSender;
  /** node-cron syntax; 6 fields allow seconds (OUTBOX_CRON, default every 10 s). */
  cronExpression: string;
  batchSize: number;
  leaseMs: number;
  logger: Logger;
  now?: () => number;
  /**
   * Several instances over one database: a scheduled flush runs only on the instance that
   * claims its slot (name "outbox", scheduled time). Claims of rows are safe either way.
   */
  claimSlot?: (name: string, slotAt: number) => Promise<boolean>;
}

export type OutboxRunOutcome =
  | { kind: "ran"; result: FlushOutboxResult }
  | { kind: "skipped"; reason: "in-flight" | "stopped" }
  | { kind: "failed"; error: string };

export interface OutboxWorker {
  start(): void;
  /** One flush now, unless one is already running (runs never overlap). */
  runOnce(): Promise<OutboxRunOutcome>;
  /** Stops the schedule and waits for the run in flight, so shutdown never cuts a send short. */
  stop(): Promise<void>;
}

/** Creating the worker validates the cron expression (throws) but schedules nothing until start(). */
export function createOutboxWorker(opts: OutboxWorkerOptions): OutboxWorker {
  const now = opts.now ?? Date.now;
  let inFlight: Promise<OutboxRunOutcome> | null = null;
  let stopped = false;

  function runOnce(): Promise<OutboxRunOutcome> {
    if (stopped) return Promise.resolve({ kind: "skipped", reason: "stopped" });
    // Our own guard rather than node-cron's noOverlap: it also covers runOnce() called by hand.
    if (inFlight) return Promise.resolve({ kind: "skipped", reason: "in-flight" });
    const run = flushOutbox(opts.queue, opts.sender, { now, batchSize: opts.batchSize, leaseMs: opts.leaseMs, logger: opts.logger })
      .then((result): OutboxRunOutcome => ({ kind: "ran", result }))
      .catch((err: unknown): OutboxRunOutcome => {
        opts.logger.error({ err }, "outbox run failed");
        return { kind: "failed", error: describeError(err) };
      })
      .finally(() => {
        inFlight = null;
      });
    inFlight = run;
    return run;
  }

  const scheduled = async (slot: Date): Promise<OutboxRunOutcome | null> => {
    if (opts.claimSlot) {
      try {
        if (!(await opts.claimSlot("outbox", slot.getTime()))) return null;
      } catch (err) {
        opts.logger.error({ err }, "could not claim the outbox slot; skipped");
        return null;
      }
    }
    return runOnce();
  };
  const task = createTask(opts.cronExpression, (ctx) => scheduled(ctx.date), { name: "outbox", logger: cronLogger(opts.logger) });

  return {
    start() {
      if (!stopped) void task.start();
    },
    runOnce,
    async stop() {
      stopped = true;
      await task.destroy();
      await inFlight;
    },
  };
}
