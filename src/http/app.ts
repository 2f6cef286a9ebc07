import express, { type Express } from "express";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";
import type { Pipeline } from "../pipeline/context.js";
import type { Deriver } from "../deriver/index.js";
import { apiRoutes } from "./apiRoutes.js";
import { requireBearer } from "./bearer.js";
import { errorHandler, sendError } from "./errors.js";
import { segmentWebhook } from "./segmentWebhook.js";
import { requestId } from "./requestId.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { SERVICE } from "../version.js";

export interface AppDeps {
  pipeline: Pipeline;
  log: Logger;
  /** The deriver: woken after each commit, and /ready reports whether it runs. */
  deriver: Pick<Deriver, "notify" | "status">;
  /** Extra routers mounted after the core ones (CRM webhook, reports, dashboard). */
  extra?: express.Router[];
  /** Handlers mounted before the routes (tests use it to wait for derivation before reads). */
  before?: express.RequestHandler[];
  /** Prometheus metrics; the server passes its own (it times the refit too). Default: a new registry. */
  metrics?: Metrics;
}

/** Wires the HTTP edge. No work at import time; every dependency is passed in. */
export function createApp({ pipeline, log, deriver, extra = [], before = [], metrics = createMetrics(pipeline.store) }: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(metrics.track);
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req) => requestId(req.headers["x-request-id"]),
      // Never log secrets or bodies: only method, url, status and timing.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === "/health" || req.url === "/ready" || req.url === "/metrics" },
    }),
  );

  for (const h of before) app.use(h);
  // Liveness: the process answers and the database answers a read.
  app.get("/health", async (_req, res) => {
    try {
      await pipeline.store.admin.ping();
      res.json({ status: "ok", version: SERVICE.version });
    } catch (err) {
      log.error({ err }, "health check failed");
      sendError(res, 503, "unavailable", "database does not answer");
    }
  });
  // Readiness: a write can commit now and the deriver is running.
  app.get("/ready", async (_req, res) => {
    const d = deriver.status();
    if (!d.running) return sendError(res, 503, "not_ready", `the deriver is not running${d.error ? `: ${d.error}` : ""}`);
    try {
      // A real one-row write, committed: a read-only file, a full disk or a lost primary fail here
      // (a read, or a transaction with nothing to commit, passes on all three).
      await pipeline.store.transaction(() => pipeline.store.admin.probeWrite(pipeline.now()));
    } catch (err) {
      return sendError(res, 503, "not_ready", `a write cannot commit: ${err instanceof Error ? err.message : String(err)}`);
    }
    res.json({ status: "ready", deriver: { derived: d.derived, last_step_at: d.lastStepAt ? new Date(d.lastStepAt).toISOString() : null } });
  });
  // Prometheus scrapers send a bearer token too (scrape config `authorization: {credentials: ...}`).
  app.get("/metrics", requireBearer(pipeline.config.apiToken, "/metrics"), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(segmentWebhook(pipeline, log, deriver.notify, metrics));
  app.use("/api", requireBearer(pipeline.config.apiToken, "the API"));
  const openApi = openApiDocument();
  app.get("/api/openapi.json", (_req, res) => void res.json(openApi));
  app.use(apiRoutes(pipeline));
  for (const r of extra) app.use(r);
  app.use((req, res) => sendError(res, 404, "not_found", `no route for ${req.method} ${req.path}`));
  app.use(errorHandler(log));
  return app;
}
