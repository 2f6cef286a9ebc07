import type { Db } from "./db.js";
import type { CrmHitRow, StoredMessage } from "../types.js";
import { toHit, toMessage, type HitDbRow, type MessageDbRow } from "./rawRows.js";

export interface DeriveCursor {
  messages: number;
  hits: number;
}

/**
 * The deriver's cursor over raw input: what it has derived so far, the next unit of raw rows
 * in arrival order, the lag. The cursor is written in the same transaction as the derived
 * rows, so every raw row is derived exactly once, across crashes too.
 */
export function cursorQueries(db: Db) {
  const get = db.prepare("SELECT name, seq FROM derive_cursor");
  const put = db.prepare("UPDATE derive_cursor SET seq = ? WHERE name = ?");
  const messagesAfter = db.prepare("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?");
  const hitsAfter = db.prepare("SELECT * FROM crm_hits WHERE seq > ? ORDER BY seq LIMIT ?");
  const lag = db.prepare(`SELECT
      (SELECT count(*) FROM messages WHERE seq > (SELECT seq FROM derive_cursor WHERE name = 'messages')) +
      (SELECT count(*) FROM crm_hits WHERE seq > (SELECT seq FROM derive_cursor WHERE name = 'crm_hits')) +
      (SELECT coalesce(sum(rows), 0) FROM pending_persons) AS n`);
  const markPending = db.prepare(
    `INSERT INTO pending_persons (person_id, rows, since) VALUES (?, ?, ?)
     ON CONFLICT (person_id) DO UPDATE SET rows = rows + excluded.rows`,
  );
  const markTouch = db.prepare("INSERT OR REPLACE INTO pending_touches (message_id, person_id) VALUES (?, ?)");
  const nextPending = db.prepare("SELECT person_id FROM pending_persons ORDER BY since, person_id LIMIT ?").pluck();
  const touchesOf = db.prepare("SELECT message_id FROM pending_touches WHERE person_id = ?").pluck();
  const clearPerson = db.prepare("DELETE FROM pending_persons WHERE person_id = ?");
  const clearTouches = db.prepare("DELETE FROM pending_touches WHERE person_id = ?");
  const anyPending = db.prepare("SELECT EXISTS (SELECT 1 FROM pending_persons) AS n").pluck();
  const heads = db.prepare(
    "SELECT (SELECT coalesce(max(seq), 0) FROM messages) AS messages, (SELECT coalesce(max(seq), 0) FROM crm_hits) AS hits",
  );
  const getRefit = db.prepare("SELECT next_person_id, started_at FROM refit_progress WHERE id = 1");
  const putRefit = db.prepare(
    `INSERT INTO refit_progress (id, next_person_id, started_at) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET next_person_id = excluded.next_person_id, started_at = excluded.started_at`,
  );
  const recordFailure = db.prepare("INSERT INTO derive_failures (source, seq, error, failed_at) VALUES (?, ?, ?, ?)");
  const failures = db.prepare("SELECT count(*) AS n FROM derive_failures");
  const personsFrom = db.prepare("SELECT person_id FROM persons WHERE person_id >= ? ORDER BY person_id LIMIT ?").pluck();

  return {
    cursor(): DeriveCursor {
      const rows = get.all() as Array<{ name: string; seq: number }>;
      const seq = (name: string) => rows.find((r) => r.name === name)?.seq ?? 0;
      return { messages: seq("messages"), hits: seq("crm_hits") };
    },
    advanceCursor(c: DeriveCursor): void {
      put.run(c.messages, "messages");
      put.run(c.hits, "crm_hits");
    },
    /** The newest seq of each raw table: `recompute` derives up to here. */
    heads(): DeriveCursor {
      return heads.get() as DeriveCursor;
    },
    messagesAfter(seq: number, limit: number): Array<StoredMessage & { seq: number }> {
      return (messagesAfter.all(seq, limit) as MessageDbRow[]).map((r) => ({ ...toMessage(r), seq: r.seq }));
    },
    hitsAfter(seq: number, limit: number): CrmHitRow[] {
      return (hitsAfter.all(seq, limit) as HitDbRow[]).map(toHit);
    },
    /** Records that a person waits for person-level derivation, with the touchpoints new to it. */
    markPending(personId: number, newTouches: readonly string[], rows: number, now: number): void {
      markPending.run(personId, rows, now);
      for (const id of newTouches) markTouch.run(id, personId);
    },
    /** The persons waiting longest for person-level derivation. */
    pendingPersons(limit: number): number[] {
      return nextPending.all(limit) as number[];
    },
    hasPending(): boolean {
      return anyPending.get() === 1;
    },
    pendingTouchesOf(personId: number): string[] {
      return touchesOf.all(personId) as string[];
    },
    clearPending(personId: number): void {
      clearPerson.run(personId);
      clearTouches.run(personId);
    },
    /** Accepted raw messages and hits not derived yet (also those whose person waits for derivation). */
    lag(): number {
      return (lag.get() as { n: number }).n;
    },
    /** The re-credit in progress after a Markov refit: the next person id to re-credit, or null. */
    refitProgress(): { nextPersonId: number | null; startedAt: number } | undefined {
      const r = getRefit.get() as { next_person_id: number | null; started_at: number } | undefined;
      return r && { nextPersonId: r.next_person_id, startedAt: r.started_at };
    },
    putRefitProgress(nextPersonId: number | null, startedAt: number): void {
      putRefit.run(nextPersonId, startedAt);
    },
    recordFailure(source: "messages" | "crm_hits", seq: number, error: string, at: number): void {
      recordFailure.run(source, seq, error.slice(0, 2000), at);
    },
    failureCount(): number {
      return (failures.get() as { n: number }).n;
    },
    /** Up to `limit` person ids from `from` on, in order: one chunk of a re-credit. */
    personIdsFrom(from: number, limit: number): number[] {
      return personsFrom.all(from, limit) as number[];
    },
  };
}
