import { open } from "node:fs/promises";
import cliProgress from "cli-progress";
import type { Logger } from "pino";
import type { Config } from "../config/index.js";
import { recompute, type RecomputeSummary } from "../deriver/index.js";
import { openPipeline } from "../openPipeline.js";
import { createSqliteStore, type Store } from "../store/index.js";

/** Rows per read and per multi-row insert: one PostgreSQL round trip per batch. */
export const MIGRATE_BATCH = 1000;

/** A reason to refuse, said as what to do about it; the CLI prints it and exits 1. */
export class MigrateError extends Error {}

export interface MigrateOptions {
  from: string;
  force: boolean;
}

const TABLES = ["messages", "crmHits", "rejected", "outbox", "feedbackState"] as const;
type Table = (typeof TABLES)[number];
type Counts = Record<Table, number>;

export interface MigrateSummary {
  from: string;
  /** Rows written to PostgreSQL, per table. */
  copied: Counts;
  /** Rows read that PostgreSQL already held (a run with --force after an earlier one). */
  skipped: Counts;
  recompute: RecomputeSummary;
  /** Wall time of the copy, and of the whole command (copy and recompute). */
  copyMs: number;
  ms: number;
}

/** `--from PATH` (or `--from=PATH`) and `--force`; anything else is refused. */
export function parseMigrateArgs(args: readonly string[]): MigrateOptions {
  let from: string | undefined;
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--force") force = true;
    else if (a === "--from") from = args[++i];
    else if (a.startsWith("--from=")) from = a.slice("--from=".length);
    else throw new MigrateError(`unknown argument "${a}" (see --help)`);
  }
  if (!from) throw new MigrateError("give the SQLite file to copy with --from PATH (see --help)");
  return { from, force };
}

/**
 * Checks that `path` is an existing, readable SQLite file before the store opens it: opening
 * a path that does not exist would create an empty database there and copy nothing.
 */
async function checkSqliteFile(path: string): Promise<void> {
  const header = Buffer.alloc(16);
  try {
    const file = await open(path, "r");
    try {
      await file.read(header, 0, 16, 0);
    } finally {
      await file.close();
    }
  } catch (err) {
    throw new MigrateError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (header.toString("latin1") !== "SQLite format 3\u0000") throw new MigrateError(`${path} is not a SQLite database`);
}

/**
 * Copies, table after table in batches, what nothing derives from one store into another (the
 * SQLite file into PostgreSQL). Raw messages and CRM hits are copied in arrival (seq) order, so
 * the target's seqs keep the source's order (a deal's state is its latest hit by seq). Unsent
 * outbox rows (pending or dead, with their ids, attempts and due times) are copied before
 * feedback_state, so that a target whose traits wait in an unsent identify points at that
 * identify's copy (later changes rewrite it rather than queue another). Every write skips rows
 * the target holds already (by messageId, hit_id, outbox id, target; a rejected row by its
 * content), so a second copy adds only what is missing.
 */
export async function copyStore(source: Store, target: Store, opts: { progress: boolean; log: Logger }): Promise<{ copied: Counts; skipped: Counts }> {
  const totals = await source.admin.rawCounts();
  const bars = opts.progress
    ? new cliProgress.MultiBar({ format: "{table} [{bar}] {value}/{total} rows | {eta_formatted} left", etaBuffer: 50 }, cliProgress.Presets.shades_classic)
    : null;
  const copied = Object.fromEntries(TABLES.map((t) => [t, 0])) as Counts;
  const skipped = { ...copied };

  /** One table in keyset order; the next batch is read from SQLite while PostgreSQL inserts this one. */
  async function copy<R, K>(table: Table, first: K, read: (after: K, limit: number) => Promise<R[]>, key: (r: R) => K, write: (rows: R[]) => Promise<number>) {
    const total = table === "outbox" ? totals.outboxUnsent : totals[table];
    const bar = bars?.create(Math.max(total, 1), 0, { table: table.padEnd(13) });
    let done = 0;
    let rows = await read(first, MIGRATE_BATCH);
    while (rows.length > 0) {
      const writing = write(rows);
      // SQLite reads synchronously: read once the insert is on its way to PostgreSQL.
      const after = key(rows.at(-1)!);
      const next = rows.length < MIGRATE_BATCH ? Promise.resolve([]) : new Promise((r) => setImmediate(r)).then(() => read(after, MIGRATE_BATCH));
      const [n, following] = await Promise.all([writing, next]);
      copied[table] += n;
      skipped[table] += rows.length - n;
      done += rows.length;
      bar?.update(done);
      rows = following;
    }
    bar?.update(Math.max(total, 1));
    opts.log.info({ table, copied: copied[table], skipped: skipped[table] }, "table copied");
  }

  try {
    await copy(
      "messages",
      0,
      (seq, limit) => source.cursor.messagesAfter(seq, limit),
      (m) => m.seq,
      async (ms) => (await target.raw.insertMessages(ms.map(({ seq: _seq, ...m }) => m))).filter(Boolean).length,
    );
    await copy("crmHits", 0, (seq, limit) => source.cursor.hitsAfter(seq, limit), (h) => h.seq, (hs) => target.raw.insertHits(hs));
    await copy("rejected", 0, (id, limit) => source.raw.rejectedAfter(id, limit), (r) => r.id, (rs) => target.raw.insertRejectedRows(rs));
    await copy("outbox", 0, (seq, limit) => source.outbox.unsentAfter(seq, limit), (o) => o.seq, (os) => target.outbox.insertUnsent(os));
    await copy("feedbackState", "", (t, limit) => source.outbox.queuedTraitsAfter(t, limit), (f) => f.target, (fs) => target.outbox.insertQueuedTraits(fs));
  } finally {
    bars?.stop();
  }
  return { copied, skipped };
}

/**
 * `migrate-store`: the SQLite file at opts.from into the PostgreSQL store of DATABASE_URL, then
 * everything derived rebuilt there with `recompute`. Because feedback_state says what Segment
 * last got, the recompute queues no identify for traits that did not change and no "Visitor
 * Source Identified" for touchpoints found again: nothing is sent twice. Refuses a target that
 * holds raw input already unless opts.force.
 */
export async function migrateStore(config: Config, opts: MigrateOptions & { progress: boolean; log: Logger }): Promise<MigrateSummary> {
  const started = performance.now();
  if (!config.databaseUrl) throw new MigrateError("DATABASE_URL is not set: set it to the postgres:// URL of the database to copy into");
  await checkSqliteFile(opts.from);
  let source: Store;
  try {
    source = createSqliteStore(opts.from);
    await source.admin.rawCounts();
  } catch (err) {
    throw new MigrateError(`cannot open ${opts.from} as this service's SQLite database: ${(err as Error).message}`);
  }
  const target = openPipeline(config);
  try {
    const held = await target.store.admin.rawCounts();
    if (!opts.force && held.messages + held.crmHits + held.rejected > 0) {
      throw new MigrateError(
        `the PostgreSQL database already holds raw input (${held.messages} messages, ${held.crmHits} CRM hits, ${held.rejected} rejected); ` +
          "run again with --force to add only what is missing",
      );
    }
    const copyStarted = performance.now();
    const { copied, skipped } = await copyStore(source, target.store, opts);
    const copyMs = Math.round(performance.now() - copyStarted);
    if (opts.progress) process.stderr.write("rebuilding everything derived in PostgreSQL (recompute)...\n");
    const summary = await recompute(target, opts.log);
    return { from: opts.from, copied, skipped, recompute: summary, copyMs, ms: Math.round(performance.now() - started) };
  } finally {
    await source.close();
    await target.store.close();
  }
}
