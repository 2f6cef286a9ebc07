/**
 * The service (or a bare baseline) in a child process of its own, for the sections that watch
 * it over time (derive, refit): bench/ingestServer.ts in `real`, `durable` or `parse` mode,
 * its stdout (the service's pino lines) handed to the caller line by line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { DATASET_SITE } from "../test/support/generateDataset.js";
import type { ServerMessage, ServerMode } from "./ingestServer.js";
import { profileFlags } from "./types.js";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BENCH_SECRET = "bench-shared-secret";

export interface ServiceChild {
  url: string;
  /** Calls fn with every stdout line (a pino JSON line for `real`) from now on. */
  onLine(fn: (line: string, at: number) => void): void;
  /** The service's counts over IPC (`real` only). */
  stats(): Promise<ServerMessage & { kind: "stats" }>;
  stop(): Promise<void>;
}

/** Starts ingestServer.ts MODE on dbPath with env on top of the bench defaults; resolves once it listens. */
export async function startServiceChild(mode: ServerMode, dbPath: string, env: Record<string, string> = {}, name: string = mode): Promise<ServiceChild> {
  const child: ChildProcess = spawn(process.execPath, [...profileFlags(name), "--import", "tsx", join(ROOT, "bench/ingestServer.ts"), mode], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_PATH: dbPath,
      SEGMENT_SHARED_SECRET: BENCH_SECRET,
      SITE_DOMAINS: DATASET_SITE,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const listeners: Array<(line: string, at: number) => void> = [];
  // Always read stdout, so that a full pipe never blocks the child's logger.
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const at = performance.now();
    for (const l of listeners) l(line, at);
  });
  const next = () =>
    new Promise<ServerMessage>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${name} server exited with ${code}`));
      child.once("exit", onExit);
      child.once("message", (m) => {
        child.off("exit", onExit);
        resolve(m as ServerMessage);
      });
    });
  const first = await next();
  if (first.kind !== "listening") throw new Error(`unexpected message from the ${name} server`);
  return {
    url: `http://127.0.0.1:${first.port}`,
    onLine: (fn) => void listeners.push(fn),
    async stats() {
      child.send("stats");
      const m = await next();
      if (m.kind !== "stats") throw new Error(`unexpected message from the ${name} server`);
      return m;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send("exit");
        // A server that does not stop in time is killed (its database is a temp file).
        setTimeout(() => child.kill("SIGKILL"), 30_000).unref();
      }),
  };
}
