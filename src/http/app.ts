import express, { type Express } from "express";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";
import type { Pipeline } from "../pipeline/context.js";
import { apiRoutes } from "./apiRoutes.js";
import { requireBearer } from "./bearer.js";
import { errorHandler, sendError } from "./errors.js";
import { segmentWebhook } from "./segmentWebhook.js";
import { randomUUID } from "node:crypto";
import { SERVICE } from "../version.js";

export interface AppDeps {
  pipeline: Pipeline;
  log: Logger;
  /** Extra routers mounted after the core ones (CRM webhook, reports, dashboard). */
  extra?: express.Router[];
}

/** Wires the HTTP edge. No work at import time; every dependency is passed in. */
export function createApp({ pipeline, log, extra = [] }: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req) => (req.headers["x-request-id"] as string | undefined) ?? randomUUID(),
      // Never log secrets or bodies: only method, url, status and timing.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === "/health" },
    }),
  );

  app.get("/health", (_req, res) => {
    try {
      pipeline.store.admin.ping();
      res.json({ status: "ok", version: SERVICE.version });
    } catch (err) {
      log.error({ err }, "health check failed");
      sendError(res, 503, "unavailable", "database does not answer");
    }
  });
  app.use(segmentWebhook(pipeline, log));
  app.use("/api", requireBearer(pipeline.config.apiToken, "the API"));
  app.use(apiRoutes(pipeline));
  for (const r of extra) app.use(r);
  app.use((req, res) => sendError(res, 404, "not_found", `no route for ${req.method} ${req.path}`));
  app.use(errorHandler(log));
  return app;
}
