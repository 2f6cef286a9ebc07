import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestHandler } from "express";
import { pino } from "pino";
import { afterEach } from "vitest";
import { loadConfig, type Config } from "../../src/config/index.js";
import { createDeriver, type Deriver, type DeriverOptions } from "../../src/deriver/index.js";
import { createApp } from "../../src/http/app.js";
import { crmWebhook } from "../../src/http/crmWebhook.js";
import { dealRoutes } from "../../src/http/dealRoutes.js";
import { journeyRoutes } from "../../src/http/journeyRoutes.js";
import { dashboardRoutes } from "../../src/http/dashboardRoutes.js";
import { reportRoutes } from "../../src/http/reportRoutes.js";
import { createPipeline, type Pipeline } from "../../src/pipeline/context.js";
import { createClassifier } from "../../src/sources/index.js";
import { createSqliteStore, type SqliteStoreOptions, type Store } from "../../src/store/index.js";

export const silentLog = pino({ level: "silent" });

export function tempDir(prefix = "sa-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real pipeline on a real SQLite file in a temp dir; env overrides go through the real config parser. */
export function testPipeline(
  env: Record<string, string> = {},
  now: () => number = Date.now,
  storeOptions: SqliteStoreOptions = {},
): Pipeline & { cleanup: () => Promise<void> } {
  const { dir, cleanup } = tempDir();
  const config: Config = loadConfig({ DATABASE_PATH: join(dir, "test.db"), LOG_LEVEL: "silent", ...env });
  const store = createSqliteStore(config.databasePath, storeOptions);
  const classifier = createClassifier({ siteDomains: config.siteDomains, ignoredReferrers: config.ignoredReferrers });
  const p = createPipeline(store, classifier, config, now);
  return Object.assign(p, {
    cleanup: async () => {
      await store.close();
      cleanup();
    },
  });
}

const derivers = new WeakMap<Pipeline, Deriver>();

/** The store of a test app's pipeline once everything committed so far is derived. */
export async function settled(p: Pipeline): Promise<Store> {
  await derivers.get(p)?.drain();
  return p.store;
}

export interface TestAppOptions {
  /**
   * Reads wait until everything committed is derived (read-your-writes), as a test usually
   * wants; false leaves the deriver to its own pace (tests of eventual consistency).
   */
  settleReads?: boolean;
  deriver?: DeriverOptions;
  store?: SqliteStoreOptions;
}

/**
 * The Express app over a test pipeline, with every router the server mounts and a deriver in
 * this thread (the server runs the same loop in a worker thread).
 */
export function testApp(env: Record<string, string> = {}, now?: () => number, opts: TestAppOptions = {}) {
  const pipeline = testPipeline(env, now, opts.store);
  const deriver: Deriver = createDeriver(pipeline, silentLog, { pollMs: 20, ...opts.deriver });
  deriver.start();
  derivers.set(pipeline, deriver);
  const settle: RequestHandler = (req, _res, next) => {
    if (req.path.startsWith("/webhooks/")) return next();
    deriver.drain().then(() => next(), next);
  };
  const app = createApp({
    pipeline,
    log: silentLog,
    deriver,
    before: opts.settleReads === false ? [] : [settle],
    extra: [crmWebhook(pipeline, deriver.notify), reportRoutes(pipeline), dealRoutes(pipeline), journeyRoutes(pipeline), dashboardRoutes(pipeline)],
  });
  const cleanup = async () => {
    await deriver.stop();
    await pipeline.cleanup();
  };
  return { app, pipeline, deriver, cleanup };
}

/** Registers an afterEach that cleans up every test app made through the returned function. */
export function useTestApps(): (env?: Record<string, string>, now?: () => number, opts?: TestAppOptions) => ReturnType<typeof testApp> {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  return (env = {}, now, opts) => {
    const t = testApp(env, now, opts);
    cleanups.push(t.cleanup);
    return t;
  };
}
