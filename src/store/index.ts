import { openDatabase, type Db } from "./sqlite/db.js";
import { startCheckpointer } from "./sqlite/checkpointer.js";
import { rawQueries } from "./sqlite/rawQueries.js";
import { identityQueries } from "./sqlite/identityQueries.js";
import { derivedQueries } from "./sqlite/derivedQueries.js";
import { dealQueries } from "./sqlite/dealQueries.js";
import { outboxQueries } from "./sqlite/outboxQueries.js";
import { adminQueries } from "./sqlite/adminQueries.js";
import { reportQueries } from "./sqlite/reportQueries.js";
import { journeyQueries } from "./sqlite/journeyQueries.js";

export type * from "./types.js";
export type { GroupBy, ReportFilter, ReportRow } from "./sqlite/reportQueries.js";

/**
 * The storage interface the rest of the service talks to. All SQL lives under `src/store/`;
 * every statement is prepared once here. `transaction(fn)` runs fn atomically (nested calls
 * become savepoints).
 */
export interface Store {
  raw: ReturnType<typeof rawQueries>;
  identities: ReturnType<typeof identityQueries>;
  derived: ReturnType<typeof derivedQueries>;
  deals: ReturnType<typeof dealQueries>;
  outbox: ReturnType<typeof outboxQueries>;
  admin: ReturnType<typeof adminQueries>;
  reports: ReturnType<typeof reportQueries>;
  journeys: ReturnType<typeof journeyQueries>;
  transaction<T>(fn: () => T): T;
  /** Stops the checkpointer (a last checkpoint) and closes the database. */
  close(): Promise<void>;
}

export interface SqliteStoreOptions {
  /** Checkpoint the WAL from a worker thread instead of inside commits (the server and CLI do). */
  backgroundCheckpoints?: boolean;
}

export function createSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  const background = opts.backgroundCheckpoints === true && path !== ":memory:";
  const db: Db = openDatabase(path, { backgroundCheckpoints: background });
  const checkpointer = background ? startCheckpointer(path) : null;
  return {
    raw: rawQueries(db),
    identities: identityQueries(db),
    derived: derivedQueries(db),
    deals: dealQueries(db),
    outbox: outboxQueries(db),
    admin: adminQueries(db),
    reports: reportQueries(db),
    journeys: journeyQueries(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    close: () => {
      if (checkpointer) return checkpointer.stop().then(() => void db.close());
      db.close();
      return Promise.resolve();
    },
  };
}
