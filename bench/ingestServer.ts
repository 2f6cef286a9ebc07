/**
 * A child process serving `/webhooks/segment` for the ingest benchmark, so that the server and
 * the load generator do not share an event loop. `real`: the service's own app (createApp over
 * openPipeline, config from the environment: DATABASE_PATH, SEGMENT_SHARED_SECRET, LOG_LEVEL,
 * ...). `bare`: Express 5 that only parses the JSON body (20 MB limit) and answers 200.
 * Reports its port over IPC; answers "stats" with the store's counts; exits on "exit".
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import { loadConfig } from "../src/config/index.js";
import { createApp } from "../src/http/app.js";
import { crmWebhook } from "../src/http/crmWebhook.js";
import { dealRoutes } from "../src/http/dealRoutes.js";
import { reportRoutes } from "../src/http/reportRoutes.js";
import { createLogger } from "../src/logging.js";
import { openPipeline } from "../src/server.js";
import type { Stats } from "../src/store/index.js";

export type ServerMessage = { kind: "listening"; port: number } | { kind: "stats"; stats: Stats | null };

function bareApp(): Express {
  const app = express();
  app.disable("x-powered-by");
  app.post("/webhooks/segment", express.json({ limit: "20mb" }), (_req, res) => {
    res.status(200).json({ ok: true });
  });
  return app;
}

function realApp(): { app: Express; stats: () => Stats; close: () => void } {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const pipeline = openPipeline(config);
  const app = createApp({ pipeline, log, extra: [crmWebhook(pipeline, log), reportRoutes(pipeline), dealRoutes(pipeline)] });
  return { app, stats: () => pipeline.store.admin.stats(), close: () => pipeline.store.close() };
}

const mode = process.argv[2];
if (mode !== "real" && mode !== "bare") throw new Error("usage: ingestServer.ts real|bare");
const real = mode === "real" ? realApp() : null;
const app = real?.app ?? bareApp();
const send = (m: ServerMessage) => process.send?.(m);

const server: Server = app.listen(0, "127.0.0.1", () => {
  send({ kind: "listening", port: (server.address() as AddressInfo).port });
});
process.on("message", (m: unknown) => {
  if (m === "stats") send({ kind: "stats", stats: real?.stats() ?? null });
  if (m === "exit") {
    server.closeAllConnections();
    server.close(() => {
      real?.close();
      process.exit(0);
    });
  }
});
process.on("disconnect", () => process.exit(0));
