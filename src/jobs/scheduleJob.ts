import { createTask } from "node-cron";
import type { Logger } from "pino";

export interface Job {
  start(): void;
  /** Runs now unless a run is in flight (runs never overlap). */
  runOnce(): Promise<void>;
  /** Stops the schedule and waits for the run in flight. */
  stop(): Promise<void>;
}

/** A named job on a node-cron schedule; failures are logged, never thrown into the timer. */
export function scheduleJob(name: string, expression: string, work: () => unknown | Promise<unknown>, log: Logger): Job {
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  const runOnce = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (inFlight) return inFlight;
    const started = Date.now();
    inFlight = Promise.resolve()
      .then(work)
      .then(
        () => log.debug({ job: name, ms: Date.now() - started }, "job done"),
        (err: unknown) => log.error({ err, job: name }, "job failed"),
      )
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const task = createTask(expression, () => runOnce(), { name });
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
