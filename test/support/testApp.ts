import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { RequestHandler } from "express";
import pg from "pg";
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
import { createPostgresStore, createSqliteStore, type SqliteStoreOptions, type Store } from "../../src/store/index.js";
import { dropSchema, freshSchemaName, TEST_DATABASE_URL } from "./pgSchema.js";
import { migrate as migrateSqlite } from "../../src/store/sqlite/db.js";
import { createPool } from "../../src/store/postgres/connection.js";
import { migrate as migratePostgres } from "../../src/store/postgres/migrate.js";

export const silentLog = pino({ level: "silent" });

export function tempDir(prefix = "sa-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type TestStoreKind = "sqlite" | "postgres";

/**
 * The store test pipelines use unless a test asks for one: TEST_STORE=postgres runs them on
 * the PostgreSQL of TEST_DATABASE_URL (each pipeline in a fresh schema), else SQLite.
 */
export const TEST_STORE: TestStoreKind = (() => {
  if (process.env.TEST_STORE !== "postgres") return "sqlite";
  if (!TEST_DATABASE_URL) throw new Error("TEST_STORE=postgres needs TEST_DATABASE_URL");
  return "postgres";
})();

/**
 * A real pipeline on a real store: a SQLite file in a temp dir, or (kind "postgres", which
 * needs TEST_DATABASE_URL) a fresh PostgreSQL schema dropped at cleanup. Env overrides go
 * through the real config parser. The SQLite options do not apply to PostgreSQL.
 */
export function testPipeline(
  env: Record<string, string> = {},
  now: () => number = Date.now,
  storeOptions: SqliteStoreOptions = {},
  kind: TestStoreKind = TEST_STORE,
): Pipeline & { cleanup: () => Promise<void> } {
  const { dir, cleanup } = tempDir();
  // 20 bootstrap resamples instead of 200: the bootstrap still runs at every fit (and must give
  // the same intervals live and in bulk), while property tests fit hundreds of times.
  const config: Config = loadConfig({ DATABASE_PATH: join(dir, "test.db"), LOG_LEVEL: "silent", BOOTSTRAP_RESAMPLES: "20", ...env });
  let store: Store;
  let dropStore = async (): Promise<void> => undefined;
  let schema: string | null = null;
  if (kind === "postgres") {
    if (!TEST_DATABASE_URL) throw new Error("a PostgreSQL test pipeline needs TEST_DATABASE_URL");
    const url = TEST_DATABASE_URL;
    const name = (schema = freshSchemaName());
    store = createPostgresStore(url, { schema: name, poolSize: 6 });
    dropStore = () => dropSchema(url, name);
  } else {
    store = createSqliteStore(config.databasePath, storeOptions);
  }
  const classifier = createClassifier({ siteDomains: config.siteDomains, ignoredReferrers: config.ignoredReferrers });
  const p = createPipeline(store, classifier, config, now);
  databases.set(p, schema === null ? { kind: "sqlite", path: config.databasePath } : { kind: "postgres", url: TEST_DATABASE_URL!, schema });
  return Object.assign(p, {
    cleanup: async () => {
      await store.close();
      await dropStore();
      cleanup();
    },
  });
}

const databases = new WeakMap<Pipeline, { kind: "sqlite"; path: string } | { kind: "postgres"; url: string; schema: string }>();

/** Every row of every table of a test pipeline's database, whichever the store (for checks such as erasure's). */
export async function allTableRows(p: Pipeline): Promise<Record<string, Array<Record<string, unknown>>>> {
  const db = databases.get(p);
  if (!db) throw new Error("not a test pipeline");
  const out: Record<string, Array<Record<string, unknown>>> = {};
  if (db.kind === "sqlite") {
    const sqlite = new Database(db.path, { readonly: true });
    try {
      const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
      for (const t of tables) out[t] = sqlite.prepare(`SELECT * FROM "${t}"`).all() as Array<Record<string, unknown>>;
    } finally {
      sqlite.close();
    }
    return out;
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [db.schema]);
    for (const { table_name: t } of tables.rows) out[t] = (await client.query(`SELECT * FROM ${db.schema}."${t}"`)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
  return out;
}

/**
 * Runs SQL of the test's own on a test pipeline's database beside its store (a second
 * connection; on PostgreSQL a one-connection pool in the pipeline's schema), for reference
 * queries, migrations and states the store never writes itself. BIGINT and NUMERIC come back
 * as numbers.
 */
export async function onDatabase<T>(
  p: Pipeline,
  use: { sqlite: (db: Database.Database) => T; postgres: (pool: pg.Pool, schema: string) => Promise<T> },
): Promise<T> {
  const db = databases.get(p);
  if (!db) throw new Error("not a test pipeline");
  if (db.kind === "sqlite") {
    const sqlite = new Database(db.path);
    sqlite.pragma("busy_timeout = 5000");
    try {
      return use.sqlite(sqlite);
    } finally {
      sqlite.close();
    }
  }
  const pool = createPool(db.url, { poolSize: 1, schema: db.schema, connectTimeoutMs: 10_000 });
  try {
    return await use.postgres(pool, db.schema);
  } finally {
    await pool.end();
  }
}

/** Applies the pending migrations of a test pipeline's database, as the next start would; how many ran. */
export function migrateAgain(p: Pipeline): Promise<number> {
  return onDatabase(p, { sqlite: (db) => migrateSqlite(db), postgres: (pool, schema) => migratePostgres(pool, schema) });
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
  /** Which store (default TEST_STORE). */
  storeKind?: TestStoreKind;
}

/**
 * The Express app over a test pipeline, with every router the server mounts and a deriver in
 * this thread (the server runs the same loop in a worker thread).
 */
export function testApp(env: Record<string, string> = {}, now?: () => number, opts: TestAppOptions = {}) {
  const pipeline = testPipeline(env, now, opts.store, opts.storeKind);
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
