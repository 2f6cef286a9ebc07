import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { StoreBusyError } from "../errors.js";
import { isConflict, isUnavailable, storeError } from "./connection.js";

/** How often a transaction that hit a serialization failure or deadlock is run again. */
const MAX_ATTEMPTS = 5;

type Param = string | number | boolean | null | readonly (string | number | boolean | null)[];

/** The statements of the query modules: on the transaction's connection inside one, else the pool's. */
export interface Sql {
  rows<R>(text: string, values?: readonly Param[]): Promise<R[]>;
  one<R>(text: string, values?: readonly Param[]): Promise<R | undefined>;
  /** Runs a statement; returns how many rows it changed. */
  run(text: string, values?: readonly Param[]): Promise<number>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  inTransaction(): boolean;
  /** Runs fn in the caller's transaction as it is (no savepoint), or in a transaction of its own. */
  atomic<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Takes the transaction-level advisory lock `key` once per transaction (held to its end; a
   * savepoint rolled back releases what it took). Must be inside a transaction.
   */
  advisoryLock(key: number): Promise<void>;
}

interface Tx {
  client: pg.PoolClient;
  /** Savepoint depth; 0 at top level. */
  depth: number;
  /** BEGIN is sent with the first statement (one round trip fewer when that one has no parameters). */
  begun: boolean;
  /** A 40001/40P01 seen anywhere in the transaction: it is rolled back and run again. */
  conflict: unknown;
  /** A statement failed outside any savepoint: PostgreSQL refuses the rest, COMMIT would roll back. */
  failed: unknown;
  /** Advisory locks taken, with the savepoint depth that owns each. */
  locks: Map<number, number>;
}

const names = new Map<string, string>();
/** Statements are prepared once per connection under a name derived from their text. */
const statementName = (text: string): string => {
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `sa_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`));
  return name;
};

/**
 * Statements and transactions over a pg Pool. `transaction(fn)` checks out a connection, runs
 * fn with that connection bound through AsyncLocalStorage (so every statement inside uses it),
 * and commits; a transaction inside another is a savepoint. Serialization failures and
 * deadlocks roll the whole transaction back and run fn again (fn must touch nothing but the
 * store); after MAX_ATTEMPTS they fail as StoreBusyError. Connection failures surface as
 * StoreUnavailableError. Unlike SQLite, a failed statement aborts the PostgreSQL transaction:
 * an error caught inside a transaction must have been thrown inside a nested `transaction`
 * (a savepoint), or the outer transaction fails at its end with that error.
 */
const NUL = /\u0000/g;
const clean = (v: string | number | boolean | null) => (typeof v === "string" && v.includes("\u0000") ? v.replace(NUL, "\uFFFD") : v);

/**
 * PostgreSQL text cannot hold U+0000, which SQLite stores as is: a NUL in a visitor-controlled
 * string (a campaign decoded from `%00`) would fail its whole statement. It is stored as U+FFFD
 * (JSON payloads are unaffected: JSON.stringify writes NUL as the escape \u0000).
 */
function withoutNul(values: readonly Param[]): readonly Param[] {
  return values.map((v) => (Array.isArray(v) ? v.map(clean) : clean(v as string | number | boolean | null)));
}

export function createSql(pool: pg.Pool, migrated: () => Promise<void>): Sql {
  const context = new AsyncLocalStorage<Tx>();
  const ready = () =>
    migrated().catch((err: unknown) => {
      throw storeError(err);
    });

  async function send(tx: Tx | undefined, text: string, given: readonly Param[] | undefined): Promise<pg.QueryResult> {
    const values = given && withoutNul(given);
    if (!tx) {
      await ready();
      // A statement on its own is a transaction of its own: a deadlock victim is run again too.
      for (let i = 1; ; i++) {
        try {
          return await pool.query({ name: statementName(text), text, values: values as unknown[] | undefined });
        } catch (err) {
          if (!isConflict(err)) throw storeError(err);
          if (i === MAX_ATTEMPTS) throw new StoreBusyError(`statement kept conflicting with concurrent ones: ${(err as Error).message}`);
          await sleep(Math.random() * 10 * 2 ** i);
        }
      }
    }
    if (tx.conflict) throw tx.conflict;
    if (tx.failed) throw storeError(tx.failed);
    try {
      if (!tx.begun) {
        tx.begun = true;
        if (values === undefined || values.length === 0) return last(await tx.client.query(`BEGIN; ${text}`));
        await tx.client.query("BEGIN");
      }
      return await tx.client.query({ name: statementName(text), text, values: values as unknown[] | undefined });
    } catch (err) {
      if (isConflict(err)) tx.conflict = err;
      else tx.failed = err;
      throw storeError(err);
    }
  }

  /** Savepoint and transaction control: runs even after a failure (to recover from it). */
  async function control(tx: Tx, text: string): Promise<void> {
    try {
      if (!tx.begun) {
        tx.begun = true;
        text = `BEGIN; ${text}`;
      }
      await tx.client.query(text);
    } catch (err) {
      throw storeError(err);
    }
  }

  async function nested<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
    const depth = ++tx.depth;
    const name = `sp${depth}`;
    try {
      await control(tx, `SAVEPOINT ${name}`);
      let result: T;
      try {
        result = await fn();
        // A statement failed in fn and fn caught it: the savepoint is as broken as fn's work.
        if (tx.conflict) throw tx.conflict;
        if (tx.failed) throw storeError(tx.failed);
      } catch (err) {
        if (!isUnavailable(err)) {
          await control(tx, `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
          tx.failed = null;
          for (const [key, owner] of tx.locks) if (owner >= depth) tx.locks.delete(key);
        }
        throw err;
      }
      await control(tx, `RELEASE SAVEPOINT ${name}`);
      for (const [key, owner] of tx.locks) if (owner === depth) tx.locks.set(key, depth - 1);
      return result;
    } finally {
      tx.depth--;
    }
  }

  async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; conflict: unknown }> {
    await ready();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw storeError(err);
    }
    const tx: Tx = { client, depth: 0, begun: false, conflict: null, failed: null, locks: new Map() };
    let broken: Error | undefined;
    // A checked-out connection reports a server shutdown as an 'error' event: unhandled, it
    // would end the process. The statement in flight fails as well; the connection is dropped.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on("error", onError);
    try {
      let value: T;
      try {
        value = await context.run(tx, fn);
      } catch (err) {
        if (tx.begun) await rollback(tx);
        if (tx.conflict) return { ok: false, conflict: tx.conflict };
        throw err;
      }
      if (tx.conflict || tx.failed) {
        if (tx.begun) await rollback(tx);
        if (tx.conflict) return { ok: false, conflict: tx.conflict };
        throw storeError(tx.failed);
      }
      if (tx.begun) {
        try {
          await client.query("COMMIT");
        } catch (err) {
          if (isConflict(err)) return { ok: false, conflict: err };
          throw storeError(err);
        }
      }
      return { ok: true, value };
    } catch (err) {
      if (isUnavailable(err)) broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      // A connection in an unknown state is destroyed, not handed to the next transaction.
      client.off("error", onError);
      client.release(broken);
    }
  }

  async function rollback(tx: Tx): Promise<void> {
    try {
      await tx.client.query("ROLLBACK");
    } catch (err) {
      throw storeError(err);
    }
  }

  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    const tx = context.getStore();
    if (tx) return nested(tx, fn);
    let conflict: unknown = null;
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      const r = await attempt(fn);
      if (r.ok) return r.value;
      conflict = r.conflict;
      await sleep(Math.random() * 10 * 2 ** i);
    }
    throw new StoreBusyError(`transaction kept conflicting with concurrent ones: ${(conflict as Error).message}`);
  }

  return {
    async rows<R>(text: string, values?: readonly Param[]) {
      return (await send(context.getStore(), text, values)).rows as R[];
    },
    async one<R>(text: string, values?: readonly Param[]) {
      return (await send(context.getStore(), text, values)).rows[0] as R | undefined;
    },
    async run(text: string, values?: readonly Param[]) {
      return (await send(context.getStore(), text, values)).rowCount ?? 0;
    },
    transaction,
    inTransaction: () => context.getStore() !== undefined,
    atomic: (fn) => (context.getStore() ? fn() : transaction(fn)),
    async advisoryLock(key: number) {
      const tx = context.getStore();
      if (!tx) throw new Error("advisoryLock needs a transaction");
      if (tx.locks.has(key)) return;
      await send(tx, `SELECT pg_advisory_xact_lock(${Math.trunc(key)})`, undefined);
      tx.locks.set(key, tx.depth);
    },
  };
}

/** A multi-statement simple query answers one result per statement: the last is the one asked for. */
const last = (r: pg.QueryResult | pg.QueryResult[]): pg.QueryResult => (Array.isArray(r) ? r[r.length - 1]! : r);
