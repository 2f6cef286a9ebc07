import { createTask } from "node-cron";
import type { Logger } from "pino";
import { cronLogger } from "./cronLogger.js";

export interface Job {
  start(): void;
  /** Runs now unless a run is in flight (runs never overlap). */
  runOnce(): Promise<void>;
  /** Stops the schedule and waits for the run in flight. */
  stop(): Promise<void>;
}

/**
 * Decides whether this instance runs a scheduled slot (name, scheduled time in epoch ms):
 * several instances over one PostgreSQL database run each slot exactly once.
 */
export type ClaimSlot = (name: string, slotAt: number) => Promise<boolean>;

/**
 * A named job on a node-cron schedule; failures are logged, never thrown into the timer. With
 * `claim`, a scheduled run happens only on the instance that claims its slot.
 */
export function scheduleJob(name: string, expression: string, work: () => unknown | Promise<unknown>, log: Logger, claim?: ClaimSlot): Job {
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  const runOnce = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (inFlight) return inFlight;
    const started = Date.now();
    inFlight = Promise.resolve()
      .then(work)
      .then(
        (result: unknown) => log.debug({ job: name, ms: Date.now() - started, ...(isRecord(result) ? { result } : {}) }, "job done"),
        (err: unknown) => log.error({ err, job: name }, "job failed"),
      )
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const scheduled = async (slot: Date) => {
    if (claim) {
      let mine: boolean;
      try {
        mine = await claim(name, slot.getTime());
      } catch (err) {
        log.error({ err, job: name }, "could not claim the job's slot; skipped");
        return;
      }
      if (!mine) return log.debug({ job: name, slot: slot.toISOString() }, "slot run by another instance");
    }
    await runOnce();
  };
  const task = createTask(expression, (ctx) => scheduled(ctx.date), { name, logger: cronLogger(log) });
  return {
    start: () => void task.start(),
    runOnce,
    async stop() {
      stopped = true;
      await task.stop();
      await inFlight;
    },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
