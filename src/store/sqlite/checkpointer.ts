import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Runs WAL checkpoints on a connection of its own in a worker thread. SQLite's automatic
 * checkpoint runs inside the committing transaction, on the request path, and measured at
 * half of ingest time; here commits only append to the WAL and the copy back into the
 * database file (with its fsync) happens beside them. PASSIVE never blocks a writer.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 1000");
// After a write failed on a full disk: TRUNCATE (until it succeeds) gives the WAL's space back.
let truncate = false;
const run = () => {
  try {
    if (truncate) {
      const [r] = db.pragma("wal_checkpoint(TRUNCATE)");
      if (r && r.busy === 0) truncate = false;
    } else db.pragma("wal_checkpoint(PASSIVE)");
  } catch { /* busy or still full: next time */ }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m === "truncate") { truncate = true; run(); return; }
  if (m !== "stop") return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.postMessage("stopped");
});
`;

export interface Checkpointer {
  /** Checkpoint with TRUNCATE now and on each tick until one succeeds (after a full disk). */
  truncate(): void;
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, intervalMs = 500): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs } });
  worker.unref();
  return {
    truncate: () => worker.postMessage("truncate"),
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once("message", () => void worker.terminate().then(() => resolve()));
        worker.once("error", () => resolve());
        worker.postMessage("stop");
      }),
  };
}
