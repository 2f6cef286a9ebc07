import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach } from "vitest";
import { loadConfig, type Config } from "../../src/config/index.js";
import { createApp } from "../../src/http/app.js";
import { crmWebhook } from "../../src/http/crmWebhook.js";
import { dealRoutes } from "../../src/http/dealRoutes.js";
import { journeyRoutes } from "../../src/http/journeyRoutes.js";
import { dashboardRoutes } from "../../src/http/dashboardRoutes.js";
import { reportRoutes } from "../../src/http/reportRoutes.js";
import { createPipeline, type Pipeline } from "../../src/pipeline/context.js";
import { createClassifier } from "../../src/sources/index.js";
import { createSqliteStore } from "../../src/store/index.js";

export const silentLog = pino({ level: "silent" });

export function tempDir(prefix = "sa-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real pipeline on a real SQLite file in a temp dir; env overrides go through the real config parser. */
export function testPipeline(env: Record<string, string> = {}, now: () => number = Date.now): Pipeline & { cleanup: () => void } {
  const { dir, cleanup } = tempDir();
  const config: Config = loadConfig({ DATABASE_PATH: join(dir, "test.db"), LOG_LEVEL: "silent", ...env });
  const store = createSqliteStore(config.databasePath);
  const classifier = createClassifier({ siteDomains: config.siteDomains, ignoredReferrers: config.ignoredReferrers });
  const p = createPipeline(store, classifier, config, now);
  return Object.assign(p, {
    cleanup: () => {
      store.close();
      cleanup();
    },
  });
}

/** The Express app over a test pipeline, with every router the server mounts. */
export function testApp(env: Record<string, string> = {}, now?: () => number) {
  const pipeline = testPipeline(env, now);
  const app = createApp({
    pipeline,
    log: silentLog,
    extra: [crmWebhook(pipeline, silentLog), reportRoutes(pipeline), dealRoutes(pipeline), journeyRoutes(pipeline), dashboardRoutes(pipeline)],
  });
  return { app, pipeline, cleanup: pipeline.cleanup };
}

/** Registers an afterEach that cleans up every test app made through the returned function. */
export function useTestApps(): (env?: Record<string, string>, now?: () => number) => ReturnType<typeof testApp> {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length > 0) cleanups.pop()!();
  });
  return (env = {}, now) => {
    const t = testApp(env, now);
    cleanups.push(t.cleanup);
    return t;
  };
}
