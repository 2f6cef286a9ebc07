import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createPipeline, type Pipeline } from "../../src/pipeline/context.js";
import { createClassifier } from "../../src/sources/index.js";
import { createPostgresStore, type PostgresStore, type Store } from "../../src/store/index.js";
import { recompute, refitMarkov } from "../support/derive.js";
import { dropSchema, freshSchemaName, TEST_DATABASE_URL } from "../support/pgSchema.js";
import { identify, page, track } from "../support/segmentMessages.js";
import { derivedSnapshot } from "../support/snapshot.js";
import { copyStore } from "../../src/cli/migrateStore.js";
import { settled, silentLog, tempDir, testApp, testPipeline } from "../support/testApp.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const TOKEN = "crm-secret";
const ENV = { SITE_DOMAINS: "shop.example", CRM_WEBHOOK_TOKEN: TOKEN };

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run cli -- migrate-store ...` in a child process (the same entry point). */
function cli(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  return new Promise((resolve) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, ...ENV, LOG_LEVEL: "warn", ...env };
    for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "migrate-store", ...args], { cwd: root, env: childEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const summary = (run: CliRun) => JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Record<string, Record<string, number>>;

/** The URL of a connection that keeps its tables in `schema` (which must exist, or the store creates it). */
function searchPathUrl(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("options", `-c search_path=${schema}`);
  return u.toString();
}

/** Every row of a keyset reader, page by page. */
async function all<R, K>(read: (after: K, limit: number) => Promise<R[]>, first: K, key: (r: R) => K): Promise<R[]> {
  const out: R[] = [];
  for (let after = first; ; ) {
    const rows = await read(after, 100);
    out.push(...rows);
    if (rows.length < 100) return out;
    after = key(rows.at(-1)!);
  }
}

/** What migrate-store must carry over unchanged, in a form comparable across stores (no seqs, ids or person ids). */
async function copiedContent(s: Store) {
  const messages = await all((seq, n) => s.cursor.messagesAfter(seq, n), 0, (m) => m.seq);
  const hits = await all((seq, n) => s.cursor.hitsAfter(seq, n), 0, (h) => h.seq);
  const rejected = await all((id, n) => s.raw.rejectedAfter(id, n), 0, (r) => r.id);
  const outbox = await all((seq, n) => s.outbox.unsentAfter(seq, n), 0, (o) => o.seq);
  const feedback = await all((t, n) => s.outbox.queuedTraitsAfter(t, n), "", (f) => f.target);
  return {
    messages: messages.map(({ seq: _seq, ...m }) => m),
    hits: hits.map(({ seq: _seq, ...h }) => h),
    rejected: rejected.map(({ id: _id, ...r }) => r),
    outbox: outbox.map(({ seq: _seq, ...o }) => o),
    feedback,
  };
}

/** A session for each of 12 visitors from several channels, some identified, some buying; deals in the CRM. */
function traffic(round: number) {
  const refs = ["https://www.google.com/", "https://t.co/x", "", "https://news.example.org/a"];
  const out: object[] = [];
  for (let v = 0; v < 12; v++) {
    const at = new Date(Date.UTC(2026, 2, 1 + round, 9, v)).toISOString();
    const url = v % 3 === 0 ? "https://shop.example/?utm_source=nl&utm_medium=email" : "https://shop.example/";
    out.push(page(`anon-${v}`, at, url, refs[(v + round) % refs.length]));
    if (v % 4 === 1) out.push(identify(`user-${v}`, `anon-${v}`, at, { email: `u${v}@example.com` }));
    if (v % 5 === 2) out.push(track({ anonymousId: `anon-${v}` }, "Order Completed", at, { revenue: 10 + v, currency: "EUR" }));
  }
  return out;
}

/**
 * A SQLite test app that has seen traffic, CRM hits (one invalid), rejected messages and
 * feedback: some sent, one dead, one waiting to retry, the rest pending. Its deriver is stopped.
 */
async function seededSource(): Promise<ReturnType<typeof testApp>> {
  const source = testApp(ENV, undefined, { storeKind: "sqlite" });
  const { app } = source;
  const crm = (body: object) => request(app).post("/webhooks/crm").set("authorization", `Bearer ${TOKEN}`).send(body);
  await request(app).post("/webhooks/segment").send(traffic(0)).expect(200);
  await crm({ dealId: "D-1", status: "won", amount: "300", currency: "eur", userId: "user-1", createdAt: "2026-03-02T09:00:00Z", updatedAt: "2026-03-03T00:00:00Z" }).expect(200);
  await crm({ dealId: "D-2", status: "open", amount: "50", email: "u5@example.com", createdAt: "2026-03-02T09:00:00Z", updatedAt: "2026-03-02T10:00:00Z" }).expect(200);
  // Rejected at validation: stored with their reason, answered 200.
  const bad = await request(app)
    .post("/webhooks/segment")
    .send([{ type: "track", messageId: "t-bad", anonymousId: "a", timestamp: "2026-03-01T00:00:00Z" }, { type: "nope" }]);
  expect(bad.body).toMatchObject({ rejected: 2 });
  // A CRM hit that names no deal: answered 400, kept with its error.
  await crm({ status: "won", amount: "10" }).expect(400);
  // The feedback queued so far is sent, all but one row, which gave up (dead).
  const store = await settled(source.pipeline);
  const due = await store.outbox.queue.claimDue(10_000, Date.now(), 60_000);
  expect(due.length).toBeGreaterThan(3);
  await store.outbox.queue.markSent(due.slice(1).map((r) => r.id), Date.now());
  await store.outbox.queue.markFailed(due[0]!.id, "HTTP 400 from Segment", 10, null);
  // More traffic, a refund and a later round: feedback pending, one row waiting to retry.
  await request(app).post("/webhooks/segment").send(traffic(1)).expect(200);
  await crm({ dealId: "D-1", status: "refunded", amount: "300", currency: "eur", userId: "user-1", createdAt: "2026-03-02T09:00:00Z", updatedAt: "2026-03-05T00:00:00Z" }).expect(200);
  await request(app).post("/webhooks/segment").send(traffic(2)).expect(200);
  // The hourly Markov refit has run: the incremental state is what a recompute finds, so the
  // recompute after the copy has no trait to change and nothing to queue.
  await settled(source.pipeline);
  await refitMarkov(source.pipeline);
  const later = await (await settled(source.pipeline)).outbox.queue.claimDue(1, Date.now(), 60_000);
  await store.outbox.queue.markFailed(later[0]!.id, "HTTP 503 from Segment", 1, Date.now() + 3_600_000);
  await source.deriver.stop();
  return source;
}

describe("the copy of migrate-store, into a SQLite store (the same writes exist on both stores)", () => {
  test("every table nothing derives arrives equal and in order; a second copy adds nothing", async () => {
    const source = await seededSource();
    const target = testPipeline(ENV, undefined, {}, "sqlite");
    try {
      const want = await copiedContent(source.pipeline.store);
      const first = await copyStore(source.pipeline.store, target.store, { progress: false, log: silentLog });
      expect(first.copied).toEqual({
        messages: want.messages.length,
        crmHits: want.hits.length,
        rejected: want.rejected.length,
        outbox: want.outbox.length,
        feedbackState: want.feedback.length,
      });
      expect(await copiedContent(target.store)).toEqual(want);
      const second = await copyStore(source.pipeline.store, target.store, { progress: false, log: silentLog });
      expect(second).toEqual({ copied: { messages: 0, crmHits: 0, rejected: 0, outbox: 0, feedbackState: 0 }, skipped: first.copied });
      expect(await copiedContent(target.store)).toEqual(want);
    } finally {
      await target.cleanup();
      await source.cleanup();
    }
  });
});

describe("npm run cli -- migrate-store: refusals that need no PostgreSQL", () => {
  const { dir, cleanup } = tempDir("sa-migrate-");
  afterAll(cleanup);
  const unreachable = "postgres://nobody@127.0.0.1:1/none";

  test("without DATABASE_URL it exits 1 and says to set it", async () => {
    const run = await cli(["--from", join(dir, "x.db")], { DATABASE_URL: undefined });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("DATABASE_URL is not set");
  });

  test("without --from it exits 1 and names the option", async () => {
    const run = await cli([], { DATABASE_URL: unreachable });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--from PATH");
  });

  test("a missing file exits 1 naming it, and creates nothing", async () => {
    const path = join(dir, "nope.db");
    const run = await cli(["--from", path], { DATABASE_URL: unreachable });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot read ${path}`);
    expect(existsSync(path)).toBe(false);
  });

  test("a file that is not a SQLite database exits 1", async () => {
    const path = join(dir, "notes.txt");
    writeFileSync(path, "hello, this is not a database at all");
    const run = await cli([`--from=${path}`], { DATABASE_URL: unreachable });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is not a SQLite database");
  });

  test("--help describes the command", async () => {
    const run = await cli(["--help"], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("usage: npm run cli -- migrate-store --from FILE [--force]");
  });
});

describe.skipIf(!TEST_DATABASE_URL)("npm run cli -- migrate-store into PostgreSQL", () => {
  const url = TEST_DATABASE_URL!;
  const schema = freshSchemaName("sa_migrate");
  let schemaUrl: string;
  let source: ReturnType<typeof testApp>;
  let dbPath: string;
  let target: Pipeline & { store: PostgresStore };

  beforeAll(async () => {
    schemaUrl = searchPathUrl(url, schema);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    source = await seededSource();
    dbPath = source.pipeline.config.databasePath;
    await source.deriver.stop();
    const config = loadConfig({ ...ENV, DATABASE_URL: url, LOG_LEVEL: "silent" });
    const pgStore = createPostgresStore(url, { schema, poolSize: 4 });
    target = Object.assign(createPipeline(pgStore, createClassifier({ siteDomains: config.siteDomains, ignoredReferrers: [] }), config), { store: pgStore });
  }, 60_000);

  afterAll(async () => {
    await target?.store.close();
    await source?.cleanup();
    await dropSchema(url, schema);
    await dropSchema(url, partialSchema);
  });
  const partialSchema = `${schema}_partial`;

  let before: Awaited<ReturnType<typeof copiedContent>>;

  test("copies raw messages, CRM hits, rejected rows, unsent outbox and feedback state, then derives the same as SQLite", async () => {
    before = await copiedContent(source.pipeline.store);
    expect(before.messages.length).toBe(51);
    expect(before.hits.length).toBe(4);
    expect(before.hits.filter((h) => h.error !== null)).toHaveLength(1);
    expect(before.rejected.length).toBe(2);
    expect(before.outbox.map((o) => o.status)).toContain("dead");
    expect(before.outbox.some((o) => o.status === "pending" && o.attempts === 1)).toBe(true);
    expect(before.outbox.some((o) => o.status === "pending" && o.attempts === 0)).toBe(true);
    expect(before.feedback.some((f) => f.outboxId !== null)).toBe(true);

    const run = await cli(["--from", dbPath], { DATABASE_URL: schemaUrl });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const s = summary(run);
    expect(s.copied).toEqual({
      messages: before.messages.length,
      crmHits: 4,
      rejected: 2,
      outbox: before.outbox.length,
      feedbackState: before.feedback.length,
    });
    expect(s.recompute).toMatchObject({ messages: before.messages.length, hits: 3 });

    // Equal in content and order; the recompute queued no feedback (nothing is sent twice).
    const after = await copiedContent(target.store);
    expect(after).toEqual(before);
    expect(await target.store.admin.stats()).toMatchObject({ outbox_sent: 0 });
    expect((await target.store.cursor.cursor()).messages).toBe((await target.store.cursor.heads()).messages);

    await recompute(source.pipeline);
    expect(await derivedSnapshot(target)).toEqual(await derivedSnapshot(source.pipeline));
  }, 120_000);

  test("a second run refuses a database that holds raw messages; with --force it copies nothing and changes nothing", async () => {
    const snapshot = await derivedSnapshot(target);
    const copied = await copiedContent(target.store);
    const refused = await cli(["--from", dbPath], { DATABASE_URL: schemaUrl });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("already holds raw input");
    expect(refused.stderr).toContain("--force");

    const again = await cli(["--from", dbPath, "--force"], { DATABASE_URL: schemaUrl });
    expect(again.code).toBe(0);
    const s = summary(again);
    expect(s.copied).toEqual({ messages: 0, crmHits: 0, rejected: 0, outbox: 0, feedbackState: 0 });
    expect(s.skipped).toMatchObject({ messages: before.messages.length, crmHits: 4, rejected: 2 });
    expect(await copiedContent(target.store)).toEqual(copied);
    expect(await derivedSnapshot(target)).toEqual(snapshot);
  }, 120_000);

  test("with --force into a database that holds part of the data (an interrupted run), only what is missing is added", async () => {
    const partial = createPostgresStore(url, { schema: partialSchema, poolSize: 2 });
    try {
      await partial.raw.insertMessages(before.messages.slice(0, 20));
      await partial.raw.insertHits(before.hits.slice(0, 1));
      await partial.raw.insertRejectedRows(before.rejected.slice(0, 1));
      await partial.outbox.insertUnsent((await source.pipeline.store.outbox.unsentAfter(0, 2)));
    } finally {
      await partial.close();
    }
    const run = await cli(["--from", dbPath, "--force"], { DATABASE_URL: searchPathUrl(url, partialSchema) });
    expect(run.code).toBe(0);
    expect(summary(run).copied).toEqual({
      messages: before.messages.length - 20,
      crmHits: 3,
      rejected: 1,
      outbox: before.outbox.length - 2,
      feedbackState: before.feedback.length,
    });
    const reopened = createPostgresStore(url, { schema: partialSchema, poolSize: 2 });
    try {
      expect(await copiedContent(reopened)).toEqual(before);
    } finally {
      await reopened.close();
    }
  }, 120_000);
});
