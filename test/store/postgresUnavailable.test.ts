import pg from "pg";
import request from "supertest";
import { afterEach, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createApp } from "../../src/http/app.js";
import { createPipeline } from "../../src/pipeline/context.js";
import { createClassifier } from "../../src/sources/index.js";
import { createPostgresStore, StoreUnavailableError, type PostgresStore } from "../../src/store/index.js";
import { dropSchema, freshSchemaName, TEST_DATABASE_URL } from "../support/pgSchema.js";
import { page } from "../support/segmentMessages.js";
import { silentLog } from "../support/testApp.js";

// Nothing listens on port 1: connections are refused at once.
const UNREACHABLE = "postgres://postgres@127.0.0.1:1/test";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const open = (url: string, schema?: string): PostgresStore => {
  const store = createPostgresStore(url, { schema, connectTimeoutMs: 2000, poolSize: 3 });
  cleanups.push(() => store.close());
  return store;
};

describe("PostgreSQL unreachable", () => {
  test("statements and transactions fail with StoreUnavailableError", async () => {
    const store = open(UNREACHABLE);
    await expect(store.admin.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.transaction(() => store.raw.insertMessages([]))).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ready()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  test("the webhook answers 503 with Retry-After, so that Segment retries", async () => {
    const store = open(UNREACHABLE);
    const config = loadConfig({ DATABASE_URL: UNREACHABLE, LOG_LEVEL: "silent" });
    const pipeline = createPipeline(store, createClassifier({ siteDomains: [], ignoredReferrers: [] }), config);
    const app = createApp({ pipeline, log: silentLog, deriver: { notify: () => undefined, status: () => ({ running: true, error: null, lastStepAt: 0, derived: 0 }) } });
    const res = await request(app).post("/webhooks/segment").send([page("anon-1", "2026-04-01T09:00:00.000Z", "https://shop.example/")]);
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.body.error.code).toBe("unavailable");
  });

  test.skipIf(!TEST_DATABASE_URL)("a connection the server shuts down mid-transaction is StoreUnavailableError; the next call reconnects", async () => {
    const url = TEST_DATABASE_URL!;
    const schema = freshSchemaName("sa_down");
    cleanups.push(() => dropSchema(url, schema));
    const store = open(url, schema);
    await store.ready();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    cleanups.push(() => admin.end());
    const failed = store.transaction(async () => {
      await store.raw.insertMessages([]);
      await store.cursor.cursor(); // the transaction's connection is now busy in a transaction
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'", [
        `segment-attribution:${schema}`,
      ]);
      await store.cursor.lag();
    });
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await store.admin.ping()).toBe(true);
    expect(await store.cursor.lag()).toBe(0);
  });
});
