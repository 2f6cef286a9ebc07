import { openDatabase, type Db } from "./sqlite/db.js";
import { startCheckpointer } from "./sqlite/checkpointer.js";
import { asyncify, type AsyncQueries } from "./sqlite/asyncify.js";
import { transactionRunner } from "./sqlite/transactions.js";
import { createWriteTurns, type WriteTurns } from "./sqlite/writeTurns.js";
import { rawQueries } from "./sqlite/rawQueries.js";
import { cursorQueries } from "./sqlite/cursorQueries.js";
import { identityQueries } from "./sqlite/identityQueries.js";
import { derivedQueries } from "./sqlite/derivedQueries.js";
import { dealQueries } from "./sqlite/dealQueries.js";
import { outboxQueries } from "./sqlite/outboxQueries.js";
import { adminQueries } from "./sqlite/adminQueries.js";
import { reportQueries } from "./sqlite/reportQueries.js";
import { journeyQueries } from "./sqlite/journeyQueries.js";
import { lookbackQueries } from "./sqlite/lookbackQueries.js";
import { bulkQueries, type BulkStore } from "./sqlite/bulkQueries.js";
import type { OutboxQueue } from "../feedback/types.js";

export type * from "./types.js";
export type { GroupBy, ReportFilter, ReportRow } from "./sqlite/reportQueries.js";
export type { DeriveCursor } from "./sqlite/cursorQueries.js";
export type { LookbackConversion, LookbackFilter, LookbackTouch } from "./sqlite/lookbackQueries.js";
export { openRawReader, type BulkStore, type BulkMessage, type BulkIdentity, type BulkFeedbackState, type BulkOutboxRow, type DeviceKey, type RawReader, type RawVersion } from "./sqlite/bulkQueries.js";
export { StoreBusyError, StoreUnavailableError } from "./errors.js";
export type { AsyncQueries, WriteTurns };
export { createWriteTurns };
export { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from "./postgres/index.js";

type Queries<F extends (db: Db) => object> = AsyncQueries<ReturnType<F>>;

/**
 * The storage interface the rest of the service talks to: asynchronous, so that SQLite and a
 * client-server database can stand behind it alike. All SQL lives under `src/store/`.
 * `transaction(fn)` runs fn atomically; a transaction inside another is a savepoint. Calls
 * outside a transaction are single statements. Inside a transaction, run statements one after
 * another (no Promise.all).
 */
export interface Store {
  raw: Queries<typeof rawQueries>;
  cursor: Queries<typeof cursorQueries>;
  identities: Queries<typeof identityQueries>;
  derived: Queries<typeof derivedQueries>;
  deals: Queries<typeof dealQueries>;
  outbox: Omit<Queries<typeof outboxQueries>, "queue"> & { queue: OutboxQueue };
  admin: Queries<typeof adminQueries>;
  reports: Queries<typeof reportQueries>;
  journeys: Queries<typeof journeyQueries>;
  /** Reads for reports that recompute rule models at query time (`lookbackDays`). */
  lookback: Queries<typeof lookbackQueries>;
  /** Set reads and writes for `recompute` (see sqlite/bulkQueries.ts); a store without them recomputes through the live steps. */
  bulk?: BulkStore;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Stops the checkpointer (a last checkpoint) and closes the database. */
  close(): Promise<void>;
}

export interface SqliteStoreOptions {
  /** Checkpoint the WAL from a worker thread instead of inside commits (the server and CLI do). */
  backgroundCheckpoints?: boolean;
  /** Another connection of this process runs the background checkpoints: never checkpoint in commits. */
  checkpointsElsewhere?: boolean;
  /**
   * How long a transaction may wait in total for another connection's write lock before it
   * fails with StoreBusyError (default 5 s). The serving thread waits in short synchronous
   * steps (`busyTimeoutMs`, default 100 ms) so that its event loop keeps turning.
   */
  maxLockWaitMs?: number;
  busyTimeoutMs?: number;
  /** Fair turns at the write lock with another thread of this process (see writeTurns.ts). */
  writeTurns?: { role: "serving" | "background"; turns: WriteTurns };
}

export function createSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  const background = opts.backgroundCheckpoints === true && path !== ":memory:";
  const db: Db = openDatabase(path, {
    backgroundCheckpoints: background || opts.checkpointsElsewhere === true,
    busyTimeoutMs: opts.busyTimeoutMs ?? 100,
  });
  const checkpointer = background ? startCheckpointer(path) : null;
  const { queue, ...outboxRest } = outboxQueries(db);
  const onDiskFull = () => {
    if (checkpointer) return checkpointer.truncate();
    try {
      db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      // Busy or still full: the next failed write asks again.
    }
  };
  const transaction = transactionRunner(db, { maxWaitMs: opts.maxLockWaitMs ?? 5000, turns: opts.writeTurns, onDiskFull });
  const inTransaction =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): Promise<R> =>
      transaction(async () => fn(...args));
  return {
    raw: asyncify(rawQueries(db)),
    cursor: asyncify(cursorQueries(db)),
    identities: asyncify(identityQueries(db)),
    derived: asyncify(derivedQueries(db)),
    deals: asyncify(dealQueries(db)),
    outbox: {
      ...asyncify(outboxRest),
      queue: {
        claimDue: inTransaction(queue.claimDue),
        markSent: inTransaction(queue.markSent),
        markFailed: inTransaction(queue.markFailed),
        requeueDead: inTransaction(queue.requeueDead),
      },
    },
    admin: asyncify(adminQueries(db)),
    reports: asyncify(reportQueries(db)),
    journeys: asyncify(journeyQueries(db)),
    lookback: asyncify(lookbackQueries(db)),
    bulk: bulkQueries(db),
    transaction,
    close: () => {
      if (checkpointer) return checkpointer.stop().then(() => void db.close());
      db.close();
      return Promise.resolve();
    },
  };
}
