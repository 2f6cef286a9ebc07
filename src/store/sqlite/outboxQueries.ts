import type { Db } from "./db.js";
import type { OutboundMessage, OutboxQueue, OutboxRow } from "../../feedback/types.js";

/** The durable outbox and the record of what was last queued per outbound identity. */
export function outboxQueries(db: Db) {
  const insert = db.prepare(
    "INSERT OR IGNORE INTO outbox (id, person_id, message, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)",
  );
  const due = db.prepare(
    `SELECT id, message, attempts FROM outbox
     WHERE status = 'pending' AND next_attempt_at <= @now AND lease_until <= @now
     ORDER BY next_attempt_at, created_at, id LIMIT @limit`,
  );
  const lease = db.prepare("UPDATE outbox SET lease_until = ? WHERE id = ? AND lease_until <= ?");
  const sent = db.prepare("UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = 0 WHERE id = ?");
  const failed = db.prepare(
    `UPDATE outbox SET attempts = @attempts, last_error = @error, lease_until = 0,
       status = CASE WHEN @next IS NULL THEN 'dead' ELSE 'pending' END,
       next_attempt_at = coalesce(@next, next_attempt_at)
     WHERE id = @id`,
  );
  const requeue = db.prepare("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = 0 WHERE status = 'dead'");
  const deleteOfPerson = db.prepare("DELETE FROM outbox WHERE person_id = ? AND status != 'sent'");
  const getState = db.prepare("SELECT traits FROM feedback_state WHERE target = ?");
  const putState = db.prepare(
    `INSERT INTO feedback_state (target, traits, queued_at) VALUES (?, ?, ?)
     ON CONFLICT (target) DO UPDATE SET traits = excluded.traits, queued_at = excluded.queued_at`,
  );
  const deleteState = db.prepare("DELETE FROM feedback_state WHERE target = ?");
  const ofPerson = db.prepare("SELECT id, message, status FROM outbox WHERE person_id = ? ORDER BY created_at, id");

  const claim = db.transaction((limit: number, now: number, leaseMs: number): OutboxRow[] => {
    const rows = due.all({ now, limit }) as Array<{ id: string; message: string; attempts: number }>;
    const claimed: OutboxRow[] = [];
    for (const r of rows) {
      if (lease.run(now + leaseMs, r.id, now).changes === 1) {
        claimed.push({ id: r.id, message: JSON.parse(r.message) as OutboundMessage, attempts: r.attempts });
      }
    }
    return claimed;
  });

  const queue: OutboxQueue = {
    claimDue: (limit, now, leaseMs) => claim.immediate(limit, now, leaseMs),
    markSent: db.transaction((ids: string[], now: number) => {
      for (const id of ids) sent.run(now, id);
    }),
    markFailed: (id, error, attempts, next) => {
      failed.run({ id, error, attempts, next });
    },
    requeueDead: (now) => requeue.run(now).changes,
  };

  return {
    queue,
    enqueue(personId: number | null, message: OutboundMessage, now: number): void {
      insert.run(message.messageId, personId, JSON.stringify(message), now, now);
    },
    deletePendingOf(personId: number): void {
      deleteOfPerson.run(personId);
    },
    outboxOf(personId: number): Array<{ id: string; message: OutboundMessage; status: string }> {
      return (ofPerson.all(personId) as Array<{ id: string; message: string; status: string }>).map((r) => ({
        id: r.id,
        status: r.status,
        message: JSON.parse(r.message) as OutboundMessage,
      }));
    },
    lastQueuedTraits(target: string): Record<string, unknown> | undefined {
      const r = getState.get(target) as { traits: string } | undefined;
      return r && (JSON.parse(r.traits) as Record<string, unknown>);
    },
    putQueuedTraits(target: string, traits: Record<string, unknown>, now: number): void {
      putState.run(target, JSON.stringify(traits), now);
    },
    forgetTarget(target: string): void {
      deleteState.run(target);
    },
  };
}
