/**
 * The deriver's thread: its own SQLite connection and pipeline, the deriver loop, and a small
 * message protocol with the serving thread (see workerDeriver.ts). Started by the server.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Config } from "../config/index.js";
import { createLogger } from "../logging.js";
import { openPipeline } from "../openPipeline.js";
import { createWriteTurns } from "../store/index.js";
import { createDeriver } from "./deriver.js";
import { lowerThreadPriority } from "./threadPriority.js";

/** The deriver thread's nice value (0 = normal, 19 = lowest). */
const DERIVER_NICE = 10;
import type { FromWorker, ToWorker } from "./workerProtocol.js";

const { config, writeTurns } = workerData as { config: Config; writeTurns: SharedArrayBuffer };
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);
const log = createLogger(config.logLevel).child({ thread: "deriver" });
// Background work: the gateway and the read API come first when the cores are busy.
if (!lowerThreadPriority(DERIVER_NICE)) log.info("could not lower the deriver thread's priority; it competes with serving as an equal");
// The serving thread runs the background checkpointer; this connection may wait longer for the lock.
const pipeline = openPipeline(config, {
  checkpointsElsewhere: true,
  busyTimeoutMs: 1000,
  maxLockWaitMs: 60_000,
  writeTurns: { role: "background", turns: createWriteTurns(writeTurns) },
});
const deriver = createDeriver(pipeline, log);
deriver.start();

const heartbeat = setInterval(() => send({ kind: "status", status: deriver.status() }), 1000);
send({ kind: "status", status: deriver.status() });

port.on("message", (m: ToWorker) => {
  if (m.kind === "notify") deriver.notify();
  else if (m.kind === "drain") {
    deriver.drain().then(
      () => send({ kind: "done", id: m.id, result: null }),
      (err: unknown) => send({ kind: "failed", id: m.id, error: String(err) }),
    );
  } else if (m.kind === "refit") {
    deriver.refit().then(
      (result) => send({ kind: "done", id: m.id, result }),
      (err: unknown) => send({ kind: "failed", id: m.id, error: String(err) }),
    );
  } else if (m.kind === "stop") {
    clearInterval(heartbeat);
    void deriver
      .stop()
      .then(() => pipeline.store.close())
      .finally(() => send({ kind: "stopped" }));
  }
});
