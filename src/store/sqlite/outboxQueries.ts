import type { Db } from "./db.js";
import type { OutboundMessage, OutboxRow } from "../../feedback/types.js";

/** The durable outbox and the record of what was last queued per outbound identity. */
export function outboxQueries(db: Db) {
  const insert = db.prepare(
    "INSERT OR IGNORE INTO outbox (id, person_id, message, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)",
  );
  const replacePending = db.prepare(
    `UPDATE outbox SET message = @message, person_id = @personId
     WHERE seq = @seq AND status = 'pending' AND attempts = 0 AND lease_until <= @now`,
  );
  const due = db.prepare(
    `SELECT id, message, attempts FROM outbox
     WHERE status = 'pending' AND next_attempt_at <= @now AND lease_until <= @now
     ORDER BY next_attempt_at, seq LIMIT @limit`,
  );
  const lease = db.prepare("UPDATE outbox SET lease_until = ? WHERE id = ? AND lease_until <= ?");
  const sent = db.prepare("UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = 0 WHERE id = ? AND status = 'pending'");
  const failed = db.prepare(
    `UPDATE outbox SET attempts = @attempts, last_error = @error, lease_until = 0,
       status = CASE WHEN @next IS NULL THEN 'dead' ELSE 'pending' END,
       next_attempt_at = coalesce(@next, next_attempt_at)
     WHERE id = @id`,
  );
  const requeue = db.prepare("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = 0 WHERE status = 'dead'");
  const getState = db.prepare("SELECT traits, outbox_seq FROM feedback_state WHERE target = ?");
  const putState = db.prepare(
    `INSERT INTO feedback_state (target, traits, queued_at, outbox_seq) VALUES (?, ?, ?, ?)
     ON CONFLICT (target) DO UPDATE SET traits = excluded.traits, queued_at = excluded.queued_at,
       outbox_seq = excluded.outbox_seq`,
  );
  const pending = db.prepare("SELECT message FROM outbox WHERE seq = ? AND status = 'pending' AND attempts = 0");
  const ofPerson = db.prepare("SELECT id, message, status FROM outbox WHERE person_id = ? ORDER BY seq");
  const unsentAfter = db.prepare(
    `SELECT seq, id, message, created_at, status, attempts, next_attempt_at, last_error FROM outbox
     WHERE seq > ? AND status IN ('pending', 'dead') ORDER BY seq LIMIT ?`,
  );
  const insertUnsent = db.prepare(
    `INSERT OR IGNORE INTO outbox (id, person_id, message, created_at, status, attempts, next_attempt_at, lease_until, last_error)
     VALUES (?, NULL, ?, ?, ?, ?, ?, 0, ?)`,
  );
  const statesAfter = db.prepare(
    `SELECT f.target, f.traits, f.queued_at, o.id AS outbox_id FROM feedback_state f
     LEFT JOIN outbox o ON o.seq = f.outbox_seq AND o.status = 'pending' AND o.attempts = 0
     WHERE f.target > ? ORDER BY f.target LIMIT ?`,
  );
  const insertState = db.prepare(
    `INSERT OR IGNORE INTO feedback_state (target, traits, queued_at, outbox_seq)
     VALUES (?, ?, ?, (SELECT seq FROM outbox WHERE id = ?))`,
  );

  const claim = (limit: number, now: number, leaseMs: number): OutboxRow[] => {
    const rows = due.all({ now, limit }) as Array<{ id: string; message: string; attempts: number }>;
    const claimed: OutboxRow[] = [];
    for (const r of rows) {
      if (lease.run(now + leaseMs, r.id, now).changes === 1) {
        claimed.push({ id: r.id, message: JSON.parse(r.message) as OutboundMessage, attempts: r.attempts });
      }
    }
    return claimed;
  };

  // Synchronous; the store runs each call in one of its transactions (see store/index.ts).
  const queue = {
    claimDue: (limit: number, now: number, leaseMs: number): OutboxRow[] => claim(limit, now, leaseMs),
    markSent: (ids: string[], now: number): void => {
      for (const id of ids) sent.run(now, id);
    },
    markFailed: (id: string, error: string, attempts: number, next: number | null): void => {
      failed.run({ id, error, attempts, next });
    },
    requeueDead: (now: number): number => requeue.run(now).changes,
  };

  return {
    queue,
    /** Queues a message; a repeated id (a re-derived touchpoint) is ignored. Returns the row's seq, or null. */
    enqueue(personId: number | null, message: OutboundMessage, now: number): number | null {
      const r = insert.run(message.messageId, personId, JSON.stringify(message), now, now);
      return r.changes === 1 ? Number(r.lastInsertRowid) : null;
    },
    /** The rows queued while `personId` was the person's id (a scan: for diagnostics and tests). */
    outboxOf(personId: number): Array<{ id: string; message: OutboundMessage; status: string }> {
      return (ofPerson.all(personId) as Array<{ id: string; message: string; status: string }>).map((r) => ({
        id: r.id,
        status: r.status,
        message: JSON.parse(r.message) as OutboundMessage,
      }));
    },
    /** The traits last queued for an outbound identity, and the outbox row that carries them. */
    lastQueuedTraits(target: string): { traits: Record<string, unknown>; outboxSeq: number | null } | undefined {
      const r = getState.get(target) as { traits: string; outbox_seq: number | null } | undefined;
      return r && { traits: JSON.parse(r.traits) as Record<string, unknown>, outboxSeq: r.outbox_seq };
    },
    putQueuedTraits(target: string, traits: Record<string, unknown>, now: number, outboxSeq: number | null): void {
      putState.run(target, JSON.stringify(traits), now, outboxSeq);
    },
    /**
     * Rewrites a queued identify that nobody has tried to send yet, keeping its id: a burst of
     * changes (an import, a busy visitor) sends one identify with the latest traits, not one per change.
     */
    /** The message of an outbox row nobody has tried to send yet. */
    pendingMessage(seq: number): OutboundMessage | undefined {
      const r = pending.get(seq) as { message: string } | undefined;
      return r && (JSON.parse(r.message) as OutboundMessage);
    },
    replacePendingMessage(seq: number, personId: number | null, message: OutboundMessage, now: number): boolean {
      return replacePending.run({ seq, personId, message: JSON.stringify(message), now }).changes === 1;
    },
    /** Rows not sent (pending or dead) after `seq`, in seq order: `migrate-store` copies them. */
    unsentAfter(seq: number, limit: number): UnsentOutboxRow[] {
      return (unsentAfter.all(seq, limit) as UnsentOutboxDbRow[]).map(toUnsent);
    },
    /**
     * Copies unsent rows in the order given, keeping id, message, status, attempts and due time
     * (a dead row stays dead); person_id is left NULL (person ids are the source's). A stored id
     * is skipped. Returns how many were inserted.
     */
    insertUnsent(rows: readonly UnsentOutboxRow[]): number {
      let n = 0;
      for (const r of rows) n += insertUnsent.run(r.id, r.messageJson, r.createdAt, r.status, r.attempts, r.nextAttemptAt, r.lastError).changes;
      return n;
    },
    /**
     * What was last queued per outbound identity, targets after `target` in order. outboxId: the
     * identify that carries the traits while nobody has tried to send it (else null).
     */
    queuedTraitsAfter(target: string, limit: number): QueuedTraitsRow[] {
      return (statesAfter.all(target, limit) as QueuedTraitsDbRow[]).map(toQueuedTraits);
    },
    /**
     * Copies feedback_state rows; a target already stored is left as it is. The row points at the
     * outbox row of id `outboxId` when this store holds it. Returns how many were inserted.
     */
    insertQueuedTraits(rows: readonly QueuedTraitsRow[]): number {
      let n = 0;
      for (const r of rows) n += insertState.run(r.target, r.traitsJson, r.queuedAt, r.outboxId).changes;
      return n;
    },
  };
}

/** An outbox row not sent yet, with its message as stored (JSON). */
export interface UnsentOutboxRow {
  seq: number;
  id: string;
  messageJson: string;
  createdAt: number;
  status: "pending" | "dead";
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface UnsentOutboxDbRow {
  seq: number;
  id: string;
  message: string;
  created_at: number;
  status: "pending" | "dead";
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

export const toUnsent = (r: UnsentOutboxDbRow): UnsentOutboxRow => ({
  seq: r.seq,
  id: r.id,
  messageJson: r.message,
  createdAt: r.created_at,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
});

/** A feedback_state row: the traits (JSON) last queued for an outbound identity. */
export interface QueuedTraitsRow {
  target: string;
  traitsJson: string;
  queuedAt: number;
  outboxId: string | null;
}

export interface QueuedTraitsDbRow {
  target: string;
  traits: string;
  queued_at: number;
  outbox_id: string | null;
}

export const toQueuedTraits = (r: QueuedTraitsDbRow): QueuedTraitsRow => ({
  target: r.target,
  traitsJson: r.traits,
  queuedAt: r.queued_at,
  outboxId: r.outbox_id,
});
