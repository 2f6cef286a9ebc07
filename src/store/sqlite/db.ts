import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

/**
 * Opens the SQLite file (creating its directory), sets WAL and applies pending migrations.
 * synchronous=NORMAL in WAL mode: a committed transaction survives a crash or kill -9 of the
 * process (the WAL is in the OS page cache); only a power loss can drop the last commits.
 */
export function openDatabase(path: string, opts: { backgroundCheckpoints?: boolean; busyTimeoutMs?: number } = {}): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma(`busy_timeout = ${Math.max(0, Math.round(opts.busyTimeoutMs ?? 5000))}`);
  db.pragma("foreign_keys = OFF");
  db.pragma("cache_size = -16384");
  // With a background checkpointer (see checkpointer.ts) commits never checkpoint themselves.
  if (opts.backgroundCheckpoints) db.pragma("wal_autocheckpoint = 0");
  db.function("sha256_hex", { deterministic: true }, (text: unknown) => (typeof text === "string" ? sha256Hex(text) : null));
  migrate(db);
  optimize(db);
  return db;
}

/** Hex SHA-256 of the UTF-8 of a text (rejected payloads are kept once per hash). */
export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

export function migrate(db: Db): number {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as Array<{ version: number }>).map((r) => r.version),
  );
  let count = 0;
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, Date.now());
    }).immediate();
    count++;
  }
  return count;
}

/**
 * Planner statistics for the tables that lack them or whose size changed a lot since (SQLite's
 * recommended `PRAGMA optimize` at open, sampled: a few hundred rows an index, cheap at any
 * size). Without statistics SQLite guesses between indexes of equal shape; run again by the
 * deriver's maintenance (reportQueries.optimize) as the tables grow.
 */
export function optimize(db: Db): void {
  if (db.readonly) return;
  try {
    db.pragma("analysis_limit = 400");
    db.pragma("optimize = 0x10002");
  } catch (err) {
    // Statistics only help the planner: a file that cannot be written now (read-only, full
    // disk) must still open, so that /health answers and /ready names the write failure.
    if (!(err instanceof Database.SqliteError)) throw err;
  }
}
