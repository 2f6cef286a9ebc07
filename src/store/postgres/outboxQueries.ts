import type { Store } from "../index.js";
import type { OutboundMessage, OutboxRow } from "../../feedback/types.js";
import { toQueuedTraits, toUnsent, type QueuedTraitsDbRow, type UnsentOutboxDbRow } from "../sqlite/outboxQueries.js";
import type { Sql } from "./sql.js";

/** Copied unsent rows (migrate-store), in the order given; a stored id is skipped. */
const INSERT_UNSENT = `
  INSERT INTO outbox (id, person_id, message, created_at, status, attempts, next_attempt_at, lease_until, last_error)
  SELECT id, NULL, message, created_at, status, attempts, next_attempt_at, 0, last_error
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::int[], $6::bigint[], $7::text[])
    WITH ORDINALITY AS o (id, message, created_at, status, attempts, next_attempt_at, last_error, ord)
  ORDER BY ord
  ON CONFLICT (id) DO NOTHING`;

/** Copied feedback_state rows; a stored target is left as it is. */
const INSERT_QUEUED_TRAITS = `
  INSERT INTO feedback_state (target, traits, queued_at, outbox_seq)
  SELECT f.target, f.traits, f.queued_at, (SELECT o.seq FROM outbox o WHERE o.id = f.outbox_id)
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS f (target, traits, queued_at, outbox_id)
  ON CONFLICT (target) DO NOTHING`;

/**
 * Due rows are leased in one statement: the inner SELECT locks them (SKIP LOCKED passes over
 * rows another instance is leasing right now, and FOR UPDATE re-checks the lease on the row
 * as committed), the UPDATE leases them. Two instances never get the same row.
 */
const CLAIM_DUE = `
  UPDATE outbox SET lease_until = $2::bigint + $3::bigint
  WHERE id IN (
    SELECT id FROM outbox
    WHERE status = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2
    ORDER BY next_attempt_at, seq LIMIT $1
    FOR UPDATE SKIP LOCKED)
  RETURNING id, message, attempts, next_attempt_at, seq`;

/** The durable outbox and the record of what was last queued per outbound identity. */
export function outboxQueries(sql: Sql): Store["outbox"] {
  return {
    queue: {
      async claimDue(limit: number, now: number, leaseMs: number): Promise<OutboxRow[]> {
        const rows = await sql.rows<{ id: string; message: string; attempts: number; next_attempt_at: number; seq: number }>(CLAIM_DUE, [
          limit,
          now,
          leaseMs,
        ]);
        rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.seq - b.seq);
        return rows.map((r) => ({ id: r.id, message: JSON.parse(r.message) as OutboundMessage, attempts: r.attempts }));
      },
      async markSent(ids: string[], now: number): Promise<void> {
        if (ids.length === 0) return;
        await sql.run("UPDATE outbox SET status = 'sent', sent_at = $2, lease_until = 0 WHERE id = ANY($1::text[]) AND status = 'pending'", [ids, now]);
      },
      async markFailed(id: string, error: string, attempts: number, next: number | null): Promise<void> {
        await sql.run(
          `UPDATE outbox SET attempts = $2, last_error = $3, lease_until = 0,
             status = CASE WHEN $4::bigint IS NULL THEN 'dead' ELSE 'pending' END,
             next_attempt_at = coalesce($4::bigint, next_attempt_at)
           WHERE id = $1`,
          [id, attempts, error, next],
        );
      },
      async requeueDead(now: number): Promise<number> {
        return sql.run("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, lease_until = 0 WHERE status = 'dead'", [now]);
      },
    },
    async enqueue(personId, message, now) {
      const r = await sql.one<{ seq: number }>(
        `INSERT INTO outbox (id, person_id, message, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (id) DO NOTHING RETURNING seq`,
        [message.messageId, personId, JSON.stringify(message), now],
      );
      return r?.seq ?? null;
    },
    async outboxOf(personId) {
      const rows = await sql.rows<{ id: string; message: string; status: string }>(
        "SELECT id, message, status FROM outbox WHERE person_id = $1 ORDER BY seq",
        [personId],
      );
      return rows.map((r) => ({ id: r.id, status: r.status, message: JSON.parse(r.message) as OutboundMessage }));
    },
    async lastQueuedTraits(target) {
      const r = await sql.one<{ traits: string; outbox_seq: number | null }>("SELECT traits, outbox_seq FROM feedback_state WHERE target = $1", [target]);
      return r && { traits: JSON.parse(r.traits) as Record<string, unknown>, outboxSeq: r.outbox_seq };
    },
    async putQueuedTraits(target, traits, now, outboxSeq) {
      await sql.run(
        `INSERT INTO feedback_state (target, traits, queued_at, outbox_seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT (target) DO UPDATE SET traits = excluded.traits, queued_at = excluded.queued_at, outbox_seq = excluded.outbox_seq`,
        [target, JSON.stringify(traits), now, outboxSeq],
      );
    },
    async pendingMessage(seq) {
      const r = await sql.one<{ message: string }>("SELECT message FROM outbox WHERE seq = $1 AND status = 'pending' AND attempts = 0", [seq]);
      return r && (JSON.parse(r.message) as OutboundMessage);
    },
    /** Waits for a lease being taken on the row; a row leased meanwhile is not rewritten (false). */
    async replacePendingMessage(seq, personId, message, now) {
      const n = await sql.run(
        `UPDATE outbox SET message = $3, person_id = $2
         WHERE seq = $1 AND status = 'pending' AND attempts = 0 AND lease_until <= $4`,
        [seq, personId, JSON.stringify(message), now],
      );
      return n === 1;
    },
    async unsentAfter(seq, limit) {
      const rows = await sql.rows<UnsentOutboxDbRow>(
        `SELECT seq, id, message, created_at, status, attempts, next_attempt_at, last_error FROM outbox
         WHERE seq > $1 AND status IN ('pending', 'dead') ORDER BY seq LIMIT $2`,
        [seq, limit],
      );
      return rows.map(toUnsent);
    },
    async insertUnsent(rows) {
      if (rows.length === 0) return 0;
      return sql.run(INSERT_UNSENT, [
        rows.map((r) => r.id),
        rows.map((r) => r.messageJson),
        rows.map((r) => r.createdAt),
        rows.map((r) => r.status),
        rows.map((r) => r.attempts),
        rows.map((r) => r.nextAttemptAt),
        rows.map((r) => r.lastError),
      ]);
    },
    async queuedTraitsAfter(target, limit) {
      const rows = await sql.rows<QueuedTraitsDbRow>(
        `SELECT f.target, f.traits, f.queued_at, o.id AS outbox_id FROM feedback_state f
         LEFT JOIN outbox o ON o.seq = f.outbox_seq AND o.status = 'pending' AND o.attempts = 0
         WHERE f.target > $1 ORDER BY f.target LIMIT $2`,
        [target, limit],
      );
      return rows.map(toQueuedTraits);
    },
    async insertQueuedTraits(rows) {
      if (rows.length === 0) return 0;
      return sql.run(INSERT_QUEUED_TRAITS, [rows.map((r) => r.target), rows.map((r) => r.traitsJson), rows.map((r) => r.queuedAt), rows.map((r) => r.outboxId)]);
    },
  };
}
