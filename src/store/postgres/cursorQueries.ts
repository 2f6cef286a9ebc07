import type { Store } from "../index.js";
import { toHit, toMessage, type HitDbRow, type MessageDbRow } from "../sqlite/rawRows.js";
import type { Sql } from "./sql.js";

/**
 * The waiting persons longest pending whose pending row and person row this transaction can
 * lock now (SKIP LOCKED: another instance derives them, or step one is merging them). A
 * pending row whose person is gone (merged or erased meanwhile) is claimed too: deriving it
 * finds no identities, and clearing it drops it. Neither lock ever waits, so a derivation
 * never waits for step one; see index.ts for what each lock prevents.
 */
const CLAIM_PENDING = `
  WITH claimed AS (
    SELECT person_id, since FROM pending_persons ORDER BY since, person_id LIMIT $1 FOR UPDATE SKIP LOCKED
  )
  SELECT c.person_id
  FROM claimed c
  LEFT JOIN LATERAL (SELECT p.person_id FROM persons p WHERE p.person_id = c.person_id FOR UPDATE SKIP LOCKED) l ON true
  WHERE l.person_id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM persons p WHERE p.person_id = c.person_id)
  ORDER BY c.since, c.person_id`;

/** The deriver's cursor over raw input (see ../sqlite/cursorQueries.ts for the contract). */
export function cursorQueries(sql: Sql): Store["cursor"] {
  return {
    /**
     * Inside a transaction the cursor rows are locked (FOR UPDATE) until it ends: step one of
     * derivation runs on one instance at a time, and the next one reads the cursor its
     * predecessor committed (READ COMMITTED re-reads a row it waited for).
     */
    async cursor() {
      const lock = sql.inTransaction() ? " FOR UPDATE" : "";
      const rows = await sql.rows<{ name: string; seq: number }>(`SELECT name, seq FROM derive_cursor ORDER BY name${lock}`);
      const seq = (name: string) => rows.find((r) => r.name === name)?.seq ?? 0;
      return { messages: seq("messages"), hits: seq("crm_hits") };
    },
    async advanceCursor(c) {
      await sql.run(
        "UPDATE derive_cursor SET seq = CASE name WHEN 'messages' THEN $1::bigint ELSE $2::bigint END WHERE name IN ('messages', 'crm_hits')",
        [c.messages, c.hits],
      );
    },
    async heads() {
      return (await sql.one<{ messages: number; hits: number }>(
        "SELECT (SELECT coalesce(max(seq), 0) FROM messages) AS messages, (SELECT coalesce(max(seq), 0) FROM crm_hits) AS hits",
      ))!;
    },
    async messagesAfter(seq, limit) {
      const rows = await sql.rows<MessageDbRow>("SELECT * FROM messages WHERE seq > $1 ORDER BY seq LIMIT $2", [seq, limit]);
      return rows.map((r) => ({ ...toMessage(r), seq: r.seq }));
    },
    async hitsAfter(seq, limit) {
      return (await sql.rows<HitDbRow>("SELECT * FROM crm_hits WHERE seq > $1 ORDER BY seq LIMIT $2", [seq, limit])).map(toHit);
    },
    async markPending(personId, newTouches, rows, now) {
      // The pending row first: it waits for a derivation of this person in flight (which holds
      // that row) before these touches join the person's pending ones.
      await sql.run(
        `WITH pending AS (
           INSERT INTO pending_persons (person_id, rows, since) VALUES ($1, $2, $3)
           ON CONFLICT (person_id) DO UPDATE SET rows = pending_persons.rows + excluded.rows
           RETURNING person_id)
         INSERT INTO pending_touches (message_id, person_id)
         SELECT DISTINCT t, (SELECT person_id FROM pending) FROM unnest($4::text[]) t
         ON CONFLICT (message_id) DO UPDATE SET person_id = excluded.person_id`,
        [personId, rows, now, [...newTouches]],
      );
    },
    async pendingPersons(limit) {
      if (!sql.inTransaction()) {
        const rows = await sql.rows<{ person_id: number }>("SELECT person_id FROM pending_persons ORDER BY since, person_id LIMIT $1", [limit]);
        return rows.map((r) => r.person_id);
      }
      return (await sql.rows<{ person_id: number }>(CLAIM_PENDING, [limit])).map((r) => r.person_id);
    },
    async hasPending() {
      return (await sql.one<{ n: boolean }>("SELECT EXISTS (SELECT 1 FROM pending_persons) AS n"))!.n;
    },
    async pendingTouchesOf(personId) {
      return (await sql.rows<{ message_id: string }>("SELECT message_id FROM pending_touches WHERE person_id = $1", [personId])).map((r) => r.message_id);
    },
    async clearPending(personId) {
      await sql.run(
        "WITH p AS (DELETE FROM pending_persons WHERE person_id = $1) DELETE FROM pending_touches WHERE person_id = $1",
        [personId],
      );
    },
    async lag() {
      return (await sql.one<{ n: number }>(`SELECT
          (SELECT count(*) FROM messages WHERE seq > (SELECT seq FROM derive_cursor WHERE name = 'messages')) +
          (SELECT count(*) FROM crm_hits WHERE seq > (SELECT seq FROM derive_cursor WHERE name = 'crm_hits')) +
          (SELECT coalesce(sum(rows), 0) FROM pending_persons) AS n`))!.n;
    },
    /**
     * Inside a transaction the re-credit claims its chunk: the progress row is locked (one
     * instance re-credits a chunk at a time) and the cursor rows are share-locked, so that step
     * one (which merges persons) does not run meanwhile and the chunk's person locks
     * (personIdsFrom) cannot deadlock with a merge's.
     */
    async refitProgress() {
      if (sql.inTransaction()) await sql.rows("SELECT name FROM derive_cursor ORDER BY name FOR SHARE");
      const lock = sql.inTransaction() ? " FOR UPDATE" : "";
      const r = await sql.one<{ next_person_id: number | null; started_at: number }>(
        `SELECT next_person_id, started_at FROM refit_progress WHERE id = 1${lock}`,
      );
      return r && { nextPersonId: r.next_person_id, startedAt: r.started_at };
    },
    async putRefitProgress(nextPersonId, startedAt) {
      await sql.run(
        `INSERT INTO refit_progress (id, next_person_id, started_at) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET next_person_id = excluded.next_person_id, started_at = excluded.started_at`,
        [nextPersonId, startedAt],
      );
    },
    async recordFailure(source, seq, error, at) {
      await sql.run("INSERT INTO derive_failures (source, seq, error, failed_at) VALUES ($1, $2, $3, $4)", [source, seq, error.slice(0, 2000), at]);
    },
    async failureCount() {
      return (await sql.one<{ n: number }>("SELECT count(*) AS n FROM derive_failures"))!.n;
    },
    /** Inside a transaction the persons are locked (waiting for derivations in flight): a re-credit chunk claims them. */
    async personIdsFrom(from, limit) {
      const lock = sql.inTransaction() ? " FOR UPDATE" : "";
      const rows = await sql.rows<{ person_id: number }>(
        `SELECT person_id FROM persons WHERE person_id >= $1 ORDER BY person_id LIMIT $2${lock}`,
        [from, limit],
      );
      return rows.map((r) => r.person_id);
    },
  };
}
