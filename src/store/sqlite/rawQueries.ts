import type { Db } from "./db.js";
import type { CrmHitRow, StoredMessage } from "../types.js";
import { toHit, toMessage, type HitDbRow, type MessageDbRow } from "./rawRows.js";

/** Raw input: Segment messages, rejected messages and CRM hits. */
export function rawQueries(db: Db) {
  const insertMessage = db.prepare(
    `INSERT OR IGNORE INTO messages (message_id, type, anonymous_id, user_id, device_id, event, timestamp, received_at, payload)
     VALUES (@messageId, @type, @anonymousId, @userId, @deviceId, @event, @timestamp, @receivedAt, @payload)`,
  );
  const insertRejected = db.prepare(
    "INSERT INTO rejected (received_at, message_id, reason, payload) VALUES (?, ?, ?, ?)",
  );
  const byDevice = db.prepare("SELECT * FROM messages WHERE device_id = ? ORDER BY timestamp, message_id");
  const byId = db.prepare("SELECT * FROM messages WHERE message_id = ?");
  const deletes = db.prepare("SELECT * FROM messages WHERE type = 'delete' ORDER BY seq");
  const firstPage = db.prepare("SELECT * FROM messages ORDER BY device_id, timestamp, message_id LIMIT ?");
  const nextPage = db.prepare(
    `SELECT * FROM messages WHERE (device_id, timestamp, message_id) > (?, ?, ?)
     ORDER BY device_id, timestamp, message_id LIMIT ?`,
  );
  const insertHit = db.prepare(
    "INSERT INTO crm_hits (hit_id, deal_id, received_at, date, payload, error) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const hitsForDeal = db.prepare("SELECT * FROM crm_hits WHERE deal_id = ? ORDER BY seq");
  const allHits = db.prepare("SELECT * FROM crm_hits WHERE error IS NULL ORDER BY seq");
  const rejectedAfter = db.prepare("SELECT id, received_at, message_id, reason, payload FROM rejected WHERE id > ? ORDER BY id LIMIT ?");
  const rejectedStored = db.prepare(
    "SELECT EXISTS (SELECT 1 FROM rejected WHERE received_at = ? AND message_id IS ? AND reason = ? AND payload = ?) AS n",
  ).pluck();
  const insertHitIfNew = db.prepare(
    "INSERT OR IGNORE INTO crm_hits (hit_id, deal_id, received_at, date, payload, error) VALUES (?, ?, ?, ?, ?, ?)",
  );

  return {
    /** Returns false when the messageId is already stored (a duplicate). */
    insertMessage(m: StoredMessage): boolean {
      return insertMessage.run(m).changes === 1;
    },
    insertRejected(receivedAt: number, messageId: string | null, reason: string, payload: string): void {
      insertRejected.run(receivedAt, messageId, reason, payload);
    },
    messagesOfDevice(deviceId: string): StoredMessage[] {
      return (byDevice.all(deviceId) as MessageDbRow[]).map(toMessage);
    },
    /** Segment `delete` requests kept until the deriver applies them (recompute applies them last). */
    deleteRequests(): StoredMessage[] {
      return (deletes.all() as MessageDbRow[]).map(toMessage);
    },
    message(messageId: string): StoredMessage | undefined {
      const r = byId.get(messageId) as MessageDbRow | undefined;
      return r && toMessage(r);
    },
    /**
     * One page of every message, device by device and each device's in time order (the
     * messages_device index), after the given key (keyset pagination): `recompute` reads it.
     */
    messagesByDevicePage(after: { deviceId: string; timestamp: number; messageId: string } | null, limit: number): StoredMessage[] {
      const rows = after === null ? firstPage.all(limit) : nextPage.all(after.deviceId, after.timestamp, after.messageId, limit);
      return (rows as MessageDbRow[]).map(toMessage);
    },
    /** Inserts messages; returns, per message, false when its messageId is already stored. */
    insertMessages(ms: readonly StoredMessage[]): boolean[] {
      return ms.map((m) => insertMessage.run(m).changes === 1);
    },
    insertHit(hitId: string, dealId: string | null, receivedAt: number, payload: string, error: string | null): number {
      const date = new Date(receivedAt).toISOString().slice(0, 10);
      return Number(insertHit.run(hitId, dealId, receivedAt, date, payload, error).lastInsertRowid);
    },
    hitsOfDeal(dealId: string): CrmHitRow[] {
      return (hitsForDeal.all(dealId) as HitDbRow[]).map(toHit);
    },
    validHits(): CrmHitRow[] {
      return (allHits.all() as HitDbRow[]).map(toHit);
    },
    /** Rejected rows after id `id`, in id order (keyset pagination): `migrate-store` reads them. */
    rejectedAfter(id: number, limit: number): RejectedRow[] {
      return (rejectedAfter.all(id, limit) as RejectedDbRow[]).map(toRejected);
    },
    /**
     * Copies rejected rows (their ids are not kept); a row equal to one stored before the call
     * (same received_at, message_id, reason and payload) is skipped. Returns how many were inserted.
     */
    insertRejectedRows(rows: readonly Omit<RejectedRow, "id">[]): number {
      const fresh = rows.filter((r) => rejectedStored.get(r.receivedAt, r.messageId, r.reason, r.payload) === 0);
      for (const r of fresh) insertRejected.run(r.receivedAt, r.messageId, r.reason, r.payload);
      return fresh.length;
    },
    /** Copies CRM hits in the order given, keeping hit_id, date, payload and error; a stored hit_id is skipped. Returns how many were inserted. */
    insertHits(hits: readonly Omit<CrmHitRow, "seq">[]): number {
      let n = 0;
      for (const h of hits) n += insertHitIfNew.run(h.hitId, h.dealId, h.receivedAt, h.date, h.payload, h.error).changes;
      return n;
    },
  };
}

/** A stored rejected message: what arrived, when, and why it was refused. */
export interface RejectedRow {
  id: number;
  receivedAt: number;
  messageId: string | null;
  reason: string;
  payload: string;
}

export interface RejectedDbRow {
  id: number;
  received_at: number;
  message_id: string | null;
  reason: string;
  payload: string;
}

export const toRejected = (r: RejectedDbRow): RejectedRow => ({
  id: r.id,
  receivedAt: r.received_at,
  messageId: r.message_id,
  reason: r.reason,
  payload: r.payload,
});
