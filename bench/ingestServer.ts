/**
 * A child process serving `/webhooks/segment` for the ingest benchmark, so that the server and
 * the load generator do not share an event loop. `real`: the service itself (startServer: the
 * gateway on this thread, the deriver in its worker thread; config from the environment:
 * DATABASE_PATH or DATABASE_URL, SEGMENT_SHARED_SECRET, LOG_LEVEL, ...). `durable`,
 * `durable-pg` and `parse`: the bare node:http baselines of ingestBaselines.ts (durable stores
 * in DATABASE_PATH, durable-pg in the PostgreSQL of DATABASE_URL). Reports its port over IPC; answers "stats" with what it stored;
 * exits on "exit".
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../src/config/index.js";
import { createLogger } from "../src/logging.js";
import { startServer } from "../src/server.js";
import type { Stats } from "../src/store/index.js";
import { durableBaseline, durablePostgresBaseline, parseBaseline } from "./ingestBaselines.js";

const SERVER_MODES = ["real", "durable", "durable-pg", "parse"] as const;
/** (Import only types from this file: importing it runs the server.) */
export type ServerMode = (typeof SERVER_MODES)[number];

/** `stored`: messages in the server's database (null for `parse`); `stats`: the service's counts (`real` only). */
export type ServerMessage = { kind: "listening"; port: number } | { kind: "stats"; stored: number | null; stats: Stats | null };

/** What one mode serves. */
interface Served {
  server: Server;
  stored: () => Promise<number | null>;
  stats: () => Promise<Stats | null>;
  close: () => Promise<void>;
}

async function serve(mode: ServerMode): Promise<Served> {
  if (mode === "real") {
    const config = loadConfig({ ...process.env, PORT: "0" });
    const real = await startServer(config, createLogger(config.logLevel));
    const stats = async () => ({ ...(await real.pipeline.store.admin.stats()), derivation_lag: await real.pipeline.store.cursor.lag() });
    return {
      server: real.server,
      stored: async () => (await stats()).messages,
      stats,
      close: () => real.close(),
    };
  }
  if (mode === "durable") {
    const path = process.env.DATABASE_PATH;
    if (!path) throw new Error("the durable baseline needs DATABASE_PATH");
    const durable = durableBaseline(path);
    return { server: createServer(durable.listener), stored: async () => durable.stored(), stats: async () => null, close: async () => durable.close() };
  }
  if (mode === "durable-pg") {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("the durable-pg baseline needs DATABASE_URL");
    const durable = await durablePostgresBaseline(url);
    return { server: createServer(durable.listener), stored: () => durable.stored(), stats: async () => null, close: () => durable.close() };
  }
  return { server: createServer(parseBaseline()), stored: async () => null, stats: async () => null, close: async () => {} };
}

const mode = process.argv[2];
if (!SERVER_MODES.includes(mode as ServerMode)) throw new Error(`usage: ingestServer.ts ${SERVER_MODES.join("|")}`);
const served = await serve(mode as ServerMode);
const send = (m: ServerMessage) => process.send?.(m);

if (served.server.listening) send({ kind: "listening", port: (served.server.address() as AddressInfo).port });
else {
  served.server.listen(0, "127.0.0.1", () => {
    send({ kind: "listening", port: (served.server.address() as AddressInfo).port });
  });
}
process.on("message", (m: unknown) => {
  if (m === "stats") void Promise.all([served.stored(), served.stats()]).then(([stored, stats]) => send({ kind: "stats", stored, stats }));
  if (m === "exit") {
    served.server.closeAllConnections();
    served.server.close(() => void served.close().then(() => process.exit(0)));
  }
});
process.on("disconnect", () => process.exit(0));
