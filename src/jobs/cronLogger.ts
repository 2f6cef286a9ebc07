import { setLogger, type Logger as CronLogger } from "node-cron";
import type { Logger } from "pino";
import { describeError } from "../feedback/describeError.js";

/**
 * node-cron writes its own warnings and errors to the console as coloured text, which breaks
 * the one-JSON-event-per-line log: this routes them through pino, tagged `component: node-cron`.
 */
export function cronLogger(logger: Logger): CronLogger {
  const log = logger.child({ component: "node-cron" });
  return {
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message, err) => log.error({ err: err ?? message }, describeError(message)),
    debug: (message, err) => log.debug({ err }, describeError(message)),
  };
}

/** For tasks created without a logger of their own (node-cron's process-wide default). */
export function routeCronLogs(logger: Logger): void {
  setLogger(cronLogger(logger));
}
