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
  };
}
