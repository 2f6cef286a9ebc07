/**
 * The PostgreSQL store: the same `Store` as SQLite's, for several service instances over one
 * database. READ COMMITTED throughout; what makes concurrent instances correct is the locks
 * below. T1 is step one of derivation (apply raw rows after the cursor: identity links and
 * merges, touchpoints, conversions, deals; mark persons pending), T2 step two (derive waiting
 * persons: credits, traits, feedback).
 *
 * | lock (who takes it)                                           | what it prevents |
 * |---------------------------------------------------------------|------------------|
 * | advisory LOCK_RAW_INSERT, to commit (every raw insert)         | a raw row committing behind the cursor: seqs are taken in commit order (rawQueries.ts) |
 * | derive_cursor rows FOR UPDATE (T1's cursor(); erasure; reset) | two instances applying raw rows at once: the same rows applied twice, or merges and touchpoint inserts of two units interleaved (touchpoints attached to a merged-away person); an erasure racing T1 (a touchpoint or identity created for a person being erased) |
 * | pending_persons rows FOR UPDATE SKIP LOCKED (T2's claim)      | two instances deriving one person; T1 adding touches to a person between T2 reading its pending touches and clearing them (T1's markPending waits for T2's commit, then marks the person again) |
 * | persons rows FOR UPDATE SKIP LOCKED (T2's claim)              | a merge or erasure of a person while it is derived (its traits, credits or outbox rows written for a person that no longer exists): mergePersonInto, deleteConversion, erasePerson and markClean lock the person row first and so wait for T2; T2 skips a person whose row they hold |
 * | persons rows FOR UPDATE, in id order (merge: both persons)    | T2 starting on either person before the merge commits |
 * | refit_progress FOR UPDATE + derive_cursor FOR SHARE + persons FOR UPDATE (a re-credit chunk: refitProgress(), personIdsFrom()) | two instances re-crediting one chunk; a re-credit overlapping T2 of the same person; a deadlock with T1's merges (T1 does not run during a chunk) |
 * | outbox rows FOR UPDATE SKIP LOCKED in the claiming UPDATE     | a row leased (and sent) by two instances (outboxQueries.ts); markSent only marks rows still pending |
 * | report_dirty_days rows claimed by DELETE ... SKIP LOCKED, plus advisory (LOCK_REPORT_DAY, day) | a day re-summed by two instances at once and counted twice (reportQueries.ts) |
 * | job_slots primary key (admin.claimJobSlot)                    | a scheduled job running on two instances in one slot |
 *
 * No deadlock between T1 and T2: T2's claim never waits (SKIP LOCKED), and whatever T1 writes
 * that T2 also writes (credits of a deleted conversion, traits and pending rows of merged
 * persons) T1 writes only after locking the person row T2 would hold. Two T2s never share a
 * person. A deadlock or serialization failure that slips through (e.g. two transactions
 * marking the same new dirty days in opposite orders) rolls back one transaction, which is run
 * again (sql.ts).
 */
import type pg from "pg";
import type { Store } from "../index.js";
import { createPool } from "./connection.js";
import { migrate } from "./migrate.js";
import { createSql } from "./sql.js";
import { rawQueries } from "./rawQueries.js";
import { cursorQueries } from "./cursorQueries.js";
import { identityQueries } from "./identityQueries.js";
import { derivedQueries } from "./derivedQueries.js";
import { dealQueries } from "./dealQueries.js";
import { outboxQueries } from "./outboxQueries.js";
import { adminQueries } from "./adminQueries.js";
import { reportQueries } from "./reportQueries.js";
import { journeyQueries } from "./journeyQueries.js";
import { lookbackQueries } from "./lookbackQueries.js";

export interface PostgresStoreOptions {
  /** Connections per store (default 10): one per concurrent transaction or statement. */
  poolSize?: number;
  /** Keep the tables in this schema (created if missing); default: the connection's search_path. */
  schema?: string;
  /** How long to wait for a connection before failing with StoreUnavailableError (default 5 s). */
  connectTimeoutMs?: number;
}

export type PostgresStore = Store & {
  /** Resolves once migrations are applied (they run before the first statement anyway). */
  ready(): Promise<void>;
  /** How many migrations the first successful start applied. */
  readonly migrationsApplied: number;
};

/**
 * A store over a pg Pool. It returns at once: migrations run before the first statement, and
 * while the server cannot be reached every call fails with StoreUnavailableError (the next
 * call tries again), so a service started before its database answers 503 until it is up.
 */
export function createPostgresStore(url: string, opts: PostgresStoreOptions = {}): PostgresStore {
  const pool: pg.Pool = createPool(url, {
    poolSize: opts.poolSize ?? 10,
    schema: opts.schema,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
  });
  let migrating: Promise<void> | null = null;
  let applied = 0;
  let closing: Promise<void> | null = null;
  const ready = (): Promise<void> =>
    (migrating ??= migrate(pool, opts.schema).then(
      (n) => {
        applied = n;
      },
      (err: unknown) => {
        migrating = null;
        throw err;
      },
    ));
  const sql = createSql(pool, () => ready());
  return {
    raw: rawQueries(sql),
    cursor: cursorQueries(sql),
    identities: identityQueries(sql),
    derived: derivedQueries(sql),
    deals: dealQueries(sql),
    outbox: outboxQueries(sql),
    admin: adminQueries(sql),
    reports: reportQueries(sql),
    journeys: journeyQueries(sql),
    lookback: lookbackQueries(sql),
    transaction: sql.transaction,
    ready: () => sql.transaction(async () => undefined),
    get migrationsApplied() {
      return applied;
    },
    close() {
      return (closing ??= (async () => {
        await migrating?.catch(() => undefined);
        await pool.end();
      })());
    },
  };
}
