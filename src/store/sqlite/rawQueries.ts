import { sha256Hex, type Db } from "./db.js";
import type { CrmHitRow, StoredMessage } from "../types.js";
import { toHit, toMessage, type HitDbRow, type MessageDbRow } from "./rawRows.js";

/** Raw input: Segment messages, rejected messages and CRM hits. */
export function rawQueries(db: Db) {
  const insertMessage = db.prepare(
    `INSERT OR IGNORE INTO messages (message_id, type, anonymous_id, user_id, device_id, event, timestamp, timestamp_source, received_at, payload)
     VALUES (@messageId, @type, @anonymousId, @userId, @deviceId, @event, @timestamp, @timestampSource, @receivedAt, @payload)`,
  );
  const messageParams = (m: StoredMessage) => ({ ...m, timestampSource: m.timestampSource ?? null });
  // One row per distinct payload: a repeat moves the row to its latest arrival and reason.
  const insertRejected = db.prepare(
    `INSERT INTO rejected (received_at, message_id, reason, payload, payload_hash) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (payload_hash) DO UPDATE SET received_at = max(received_at, excluded.received_at),
       message_id = excluded.message_id, reason = excluded.reason, arrivals = arrivals + 1`,
  );
  const copyRejected = db.prepare(
    "INSERT OR IGNORE INTO rejected (received_at, message_id, reason, payload, payload_hash, arrivals) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const rejectedPage = db.prepare(
    "SELECT id, received_at, message_id, reason, payload, arrivals FROM rejected ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?",
  );
  const rejectedCount = db.prepare("SELECT count(*) FROM rejected").pluck();
  const rejectedReasons = db.prepare(
    `SELECT reason, count(*) AS payloads, sum(arrivals) AS arrivals, max(received_at) AS last_received_at
     FROM rejected GROUP BY reason ORDER BY payloads DESC, reason LIMIT ?`,
  );
  const deleteRejected = db.prepare("DELETE FROM rejected WHERE id = ?");
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
  const rejectedAfter = db.prepare("SELECT id, received_at, message_id, reason, payload, arrivals FROM rejected WHERE id > ? ORDER BY id LIMIT ?");
  const insertHitIfNew = db.prepare(
    "INSERT OR IGNORE INTO crm_hits (hit_id, deal_id, received_at, date, payload, error) VALUES (?, ?, ?, ?, ?, ?)",
  );

  return {
    /** Returns false when the messageId is already stored (a duplicate). */
    insertMessage(m: StoredMessage): boolean {
      return insertMessage.run(messageParams(m)).changes === 1;
    },
    /** Keeps a rejected message; the same payload again updates its row (one row per distinct payload). */
    insertRejected(receivedAt: number, messageId: string | null, reason: string, payload: string): void {
      insertRejected.run(receivedAt, messageId, reason, payload, sha256Hex(payload));
    },
    /** Rejected messages newest first (GET /api/rejected). */
    rejectedPage(limit: number, offset: number): { rows: RejectedRow[]; total: number } {
      return { rows: (rejectedPage.all(limit, offset) as RejectedDbRow[]).map(toRejected), total: rejectedCount.get() as number };
    },
    /** Why input was rejected: one row per reason, the commonest first. */
    rejectedReasons(limit: number): RejectedReason[] {
      return (rejectedReasons.all(limit) as RejectedReasonDbRow[]).map(toRejectedReason);
    },
    /** Removes rejected rows (those a replay stored as messages). Returns how many were removed. */
    deleteRejected(ids: readonly number[]): number {
      let n = 0;
      for (const id of ids) n += deleteRejected.run(id).changes;
      return n;
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
      return ms.map((m) => insertMessage.run(messageParams(m)).changes === 1);
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
     * Copies rejected rows (their ids are not kept); a row whose payload is stored already is
     * skipped. Returns how many were inserted.
     */
    insertRejectedRows(rows: readonly Omit<RejectedRow, "id">[]): number {
      let n = 0;
      for (const r of rows) n += copyRejected.run(r.receivedAt, r.messageId, r.reason, r.payload, sha256Hex(r.payload), r.arrivals ?? 1).changes;
      return n;
    },
    /** Copies CRM hits in the order given, keeping hit_id, date, payload and error; a stored hit_id is skipped. Returns how many were inserted. */
    insertHits(hits: readonly Omit<CrmHitRow, "seq">[]): number {
      let n = 0;
      for (const h of hits) n += insertHitIfNew.run(h.hitId, h.dealId, h.receivedAt, h.date, h.payload, h.error).changes;
      return n;
    },
  };
}

/** A reason input was rejected for, over every stored rejected payload. */
export interface RejectedReason {
  reason: string;
  /** Distinct payloads rejected for it. */
  payloads: number;
  /** Times they arrived. */
  arrivals: number;
  lastReceivedAt: number;
}

export interface RejectedReasonDbRow {
  reason: string;
  payloads: number | string;
  arrivals: number | string;
  last_received_at: number | string;
}

export const toRejectedReason = (r: RejectedReasonDbRow): RejectedReason => ({
  reason: r.reason,
  payloads: Number(r.payloads),
  arrivals: Number(r.arrivals),
  lastReceivedAt: Number(r.last_received_at),
});

/** A stored rejected message: what arrived, when, and why it was refused. */
export interface RejectedRow {
  id: number;
  receivedAt: number;
  messageId: string | null;
  reason: string;
  payload: string;
  /** How many times this payload was rejected (migration 4). */
  arrivals?: number;
}

export interface RejectedDbRow {
  id: number;
  received_at: number;
  message_id: string | null;
  reason: string;
  payload: string;
  arrivals: number;
}

export const toRejected = (r: RejectedDbRow): RejectedRow => ({
  id: Number(r.id),
  receivedAt: r.received_at,
  messageId: r.message_id,
  reason: r.reason,
  payload: r.payload,
  arrivals: r.arrivals,
});
