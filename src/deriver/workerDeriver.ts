import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { Config } from "../config/index.js";
import type { Deriver, DeriverStatus } from "./deriver.js";
import type { FromWorker, ToWorker } from "./workerProtocol.js";

// Compiled (npm start, dist/): the worker is plain JavaScript beside this module. In development
// the service runs its TypeScript through tsx, and a worker thread registers tsx's loader itself
// (on Node 20 a thread does not inherit the hooks of \`node --import tsx\`).
const COMPILED = import.meta.url.endsWith(".js");
const ENTRY = new URL(COMPILED ? "./worker.js" : "./worker.ts", import.meta.url).href;
const BOOTSTRAP = COMPILED
  ? `import(require("node:worker_threads").workerData.entry);`
  : `
const { workerData } = require("node:worker_threads");
import("tsx/esm/api").then(({ register }) => { register(); return import(workerData.entry); });
`;

/** A heartbeat older than this means the deriver thread is stuck (its loop posts one a second). */
const STALE_MS = 30_000;

/**
 * The deriver in a worker thread of its own, with its own SQLite connection: derivation, the
 * Markov refit and re-credit never run on the thread that serves HTTP. Should the thread die
 * (a crash, not bad input), it is started again; its cursor makes that lossless.
 */
export function createWorkerDeriver(config: Config, log: Logger, writeTurns: SharedArrayBuffer): Deriver {
  let worker: Worker | null = null;
  let stopping = false;
  let last: DeriverStatus = { running: false, error: null, lastStepAt: 0, derived: 0 };
  let lastHeard = 0;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let stopped: (() => void) | null = null;

  const send = (m: ToWorker) => worker?.postMessage(m);

  function spawn() {
    const w = new Worker(BOOTSTRAP, { eval: true, workerData: { config, entry: ENTRY, writeTurns } });
    worker = w;
    w.on("message", (m: FromWorker) => {
      lastHeard = Date.now();
      if (m.kind === "status") last = m.status;
      else if (m.kind === "done" || m.kind === "failed") {
        const waiter = pending.get(m.id);
        pending.delete(m.id);
        if (m.kind === "done") waiter?.resolve(m.result);
        else waiter?.reject(new Error(m.error));
      } else if (m.kind === "stopped") stopped?.();
    });
    w.on("error", (err) => log.error({ err }, "deriver thread crashed"));
    w.on("exit", (code) => {
      worker = null;
      last = { ...last, running: false };
      for (const p of pending.values()) p.reject(new Error(`deriver thread exited (${code})`));
      pending.clear();
      stopped?.();
      if (!stopping) {
        log.error({ code }, "deriver thread exited; restarting it in 1 s");
        setTimeout(() => {
          if (!stopping) spawn();
        }, 1000).unref();
      }
    });
  }

  const ask = <T>(kind: "drain" | "refit"): Promise<T> => {
    if (!worker) return Promise.reject(new Error("deriver is not running"));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      send({ kind, id });
    });
  };

  return {
    start() {
      if (!worker) spawn();
    },
    notify: () => send({ kind: "notify" }),
    drain: () => ask<void>("drain"),
    refit: () => ask<{ paths: number; solveMs: number }>("refit"),
    status(): DeriverStatus {
      const alive = worker !== null && Date.now() - lastHeard < STALE_MS;
      return { ...last, running: alive && last.running, error: alive ? last.error : (last.error ?? "deriver thread is not answering") };
    },
    async stop() {
      stopping = true;
      const w = worker;
      if (!w) return;
      await new Promise<void>((resolve) => {
        stopped = resolve;
        send({ kind: "stop" });
        // A thread that does not stop in time is terminated: its cursor makes that safe.
        setTimeout(() => void w.terminate(), 10_000).unref();
      });
      await w.terminate();
    },
  };
}
