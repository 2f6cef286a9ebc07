import type { Server } from "node:http";
import type { Logger } from "pino";
import type { Config } from "./config/index.js";
import { createSegmentSender, createOutboxWorker, type OutboxWorker, type SegmentSender } from "./feedback/index.js";
import { createApp, createMetrics, crmWebhook, dashboardRoutes, dealRoutes, journeyRoutes, reportRoutes } from "./http/index.js";
import { purgeExpiredMessages, routeCronLogs, scheduleJob, type Job } from "./jobs/index.js";
import { createWorkerDeriver, type Deriver } from "./deriver/index.js";
import { openPipeline } from "./openPipeline.js";
import { createWriteTurns } from "./store/index.js";
import type { Pipeline } from "./pipeline/index.js";
import { SERVICE } from "./version.js";

export const OUTBOX_BATCH = 500;
export const OUTBOX_LEASE_MS = 5 * 60_000;
/**
 * Shutdown budget, inside a container's default 10 s stop grace (docker, Kubernetes, Heroku):
 * in-flight requests, then the outbox run in flight and the Segment client's flush. Rows still
 * unacknowledged then stay leased in the outbox and are sent after the restart (never lost).
 */
export const SHUTDOWN_BUDGET_MS = { requests: 2500, jobs: 2500, deriver: 1500, segmentFlush: 1500 } as const;

/** Resolves with whether `work` finished within `ms` (it goes on either way). */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createSender(config: Config, log: Logger): SegmentSender | null {
  if (!config.segmentWriteKey) return null;
  return createSegmentSender({ writeKey: config.segmentWriteKey, host: config.segmentHost, context: SERVICE, logger: log });
}

export interface RunningServer {
  server: Server;
  port: number;
  pipeline: Pipeline;
  deriver: Deriver;
  outbox: OutboxWorker | null;
  close(): Promise<void>;
}

/**
 * Starts the HTTP server (the gateway and the read API on this thread), the deriver (in a
 * worker thread) and the scheduled jobs; `close()` shuts down gracefully.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  // The gateway (this thread) and the deriver (its thread) take turns at SQLite's write lock.
  routeCronLogs(log);
  const turns = createWriteTurns();
  const pipeline = openPipeline(config, { backgroundCheckpoints: true, writeTurns: { role: "serving", turns } });
  const deriver = createWorkerDeriver(config, log, turns.shared);
  if (!config.apiToken) log.warn("API_TOKEN is not set: /api/* and the dashboard are open to anyone who can reach this port");
  for (const w of config.warnings) log.warn(w);
  if (!config.segmentSharedSecret && !config.segmentWebhookToken) {
    log.warn("neither SEGMENT_SHARED_SECRET nor SEGMENT_WEBHOOK_TOKEN is set: /webhooks/segment accepts unsigned requests");
  }
  if (config.allowFirstEventSignature) {
    log.warn("SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE=true: a body signed on its first event only is accepted once per first event; the events after it are not covered by the signature");
  }
  const sender = createSender(config, log);
  if (!sender) log.info("SEGMENT_WRITE_KEY is not set: feedback is kept in the outbox and not sent");

  const metrics = createMetrics(pipeline.store);
  const app = createApp({
    pipeline,
    log,
    deriver,
    metrics,
    extra: [crmWebhook(pipeline, deriver.notify), reportRoutes(pipeline), dealRoutes(pipeline), journeyRoutes(pipeline), dashboardRoutes(pipeline)],
  });
  // With PostgreSQL, several instances share the schedule: each slot runs on one of them.
  const claimSlot = (name: string, slotAt: number) => pipeline.store.admin.claimJobSlot(name, slotAt);
  const outbox = sender
    ? createOutboxWorker({
        claimSlot,
        queue: pipeline.store.outbox.queue,
        sender,
        cronExpression: config.outboxCron,
        batchSize: OUTBOX_BATCH,
        leaseMs: OUTBOX_LEASE_MS,
        logger: log,
      })
    : null;
  // The refit runs in the deriver thread; its re-credit in short chunks between units of input.
  const jobs: Job[] = [scheduleJob("markov", config.recomputeCron, () => metrics.timeRefit(() => deriver.refit()), log, claimSlot)];
  if (config.retentionDays !== undefined) {
    const days = config.retentionDays;
    jobs.push(scheduleJob("retention", "17 3 * * *", () => purgeExpiredMessages(pipeline, days, log), log, claimSlot));
  }

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  deriver.start();
  outbox?.start();
  for (const j of jobs) j.start();
  log.info({ host: config.host, port, database: config.databasePath }, "segment-attribution listening");

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting, let in-flight requests finish (their transactions commit), drop idle keep-alives.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (!(await within(SHUTDOWN_BUDGET_MS.requests, closed))) {
        log.warn("requests still in flight at shutdown were cut off (uncommitted ones were not acknowledged)");
        server.closeAllConnections();
      }
      if (!(await within(SHUTDOWN_BUDGET_MS.jobs, Promise.all([outbox?.stop(), ...jobs.map((j) => j.stop())])))) {
        log.warn("the outbox run or a job in flight did not finish in time; unacknowledged outbox rows are sent after the restart");
      }
      // The deriver commits its cursor with what it derived: cutting it short loses nothing.
      if (!(await within(SHUTDOWN_BUDGET_MS.deriver, deriver.stop()))) log.warn("the deriver did not stop in time; it resumes from its cursor");
      await sender?.close(SHUTDOWN_BUDGET_MS.segmentFlush);
      await pipeline.store.close();
      log.info("segment-attribution stopped");
    })());
  return { server, port, pipeline, deriver, outbox, close };
}
