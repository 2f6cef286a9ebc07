import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Db } from "./db.js";
import { StoreBusyError, StoreUnavailableError } from "../errors.js";
import type { WriteTurns } from "./writeTurns.js";

export interface TransactionOptions {
  /** How long a transaction may wait, in total, for another connection's write lock. */
  maxWaitMs: number;
  /**
   * Turns at the write lock shared with another thread of this process: "serving" announces
   * each transaction, "background" gives way to announced ones before taking the lock.
   */
  turns?: { role: "serving" | "background"; turns: WriteTurns };
  /**
   * Called (after the rollback) when a transaction failed because the disk is full, so the WAL
   * can be checkpointed with TRUNCATE: its file gives its space back, and once space is freed
   * the next write (Segment retries the 503) commits without a restart.
   */
  onDiskFull?: () => void;
}

/** How long a background transaction waits at most for the serving thread's turn. */
const GIVE_WAY_MS = 200;

const isBusy = (err: unknown) => (err as { code?: string } | null)?.code === "SQLITE_BUSY";
/** SQLITE_FULL; a full disk can also surface as an I/O error on write or truncate. */
const isDiskFull = (err: unknown) => {
  const code = (err as { code?: string } | null)?.code ?? "";
  return code === "SQLITE_FULL" || code === "SQLITE_IOERR_WRITE" || code === "SQLITE_IOERR_TRUNCATE" || code === "SQLITE_IOERR_SHMSIZE";
};

/**
 * Async transactions over one better-sqlite3 connection. Top-level transactions are queued
 * (one at a time on the connection) and take the write lock up front (BEGIN IMMEDIATE); a
 * transaction started inside another (same async context) is a savepoint. While another
 * connection holds the write lock, BEGIN waits for at most the connection's busy_timeout
 * (a short synchronous wait), then retries with asynchronous backoff so the event loop keeps
 * serving; after `maxWaitMs` it fails with StoreBusyError (the HTTP edge answers 503).
 * The body must not run statements concurrently (no Promise.all inside a transaction).
 */
export function transactionRunner(db: Db, opts: TransactionOptions) {
  const context = new AsyncLocalStorage<{ depth: number }>();
  let queue: Promise<unknown> = Promise.resolve();

  async function begin(): Promise<void> {
    const started = Date.now();
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        db.exec("BEGIN IMMEDIATE");
        return;
      } catch (err) {
        if (!isBusy(err)) throw err;
        if (Date.now() - started >= opts.maxWaitMs) throw new StoreBusyError("the database is locked by another writer");
        await sleep(delay);
      }
    }
  }

  async function top<T>(fn: () => Promise<T>): Promise<T> {
    const serving = opts.turns?.role === "serving" ? opts.turns.turns : null;
    if (opts.turns?.role === "background") opts.turns.turns.giveWay(GIVE_WAY_MS);
    serving?.want();
    try {
      await begin();
      try {
        const result = await context.run({ depth: 0 }, fn);
        db.exec("COMMIT");
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw err;
      }
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      opts.onDiskFull?.();
      throw new StoreUnavailableError(`the disk is full (${(err as Error).message}); retry later`, { cause: err });
    } finally {
      serving?.done();
    }
  }

  async function nested<T>(ctx: { depth: number }, fn: () => Promise<T>): Promise<T> {
    const name = `sp${++ctx.depth}`;
    db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn();
      db.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      db.exec(`ROLLBACK TO ${name}`);
      db.exec(`RELEASE ${name}`);
      throw err;
    } finally {
      ctx.depth--;
    }
  }

  return function transaction<T>(fn: () => Promise<T>): Promise<T> {
    const ctx = context.getStore();
    if (ctx) return nested(ctx, fn);
    const run = queue.then(
      () => top(fn),
      () => top(fn),
    );
    queue = run.catch(() => undefined);
    return run;
  };
}
