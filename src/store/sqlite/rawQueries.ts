import type { Db } from "./db.js";
import type { CrmHitRow, StoredMessage } from "../types.js";

interface MessageDbRow {
  message_id: string;
  type: string;
  anonymous_id: string | null;
  user_id: string | null;
  device_id: string;
  event: string | null;
  timestamp: number;
  received_at: number;
  payload: string;
}

const toMessage = (r: MessageDbRow): StoredMessage => ({
  messageId: r.message_id,
  type: r.type,
  anonymousId: r.anonymous_id,
  userId: r.user_id,
  deviceId: r.device_id,
  event: r.event,
  timestamp: r.timestamp,
  receivedAt: r.received_at,
  payload: r.payload,
});

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
  const toHit = (r: { seq: number; hit_id: string; deal_id: string | null; received_at: number; date: string; payload: string; error: string | null }): CrmHitRow => ({
    seq: r.seq,
    hitId: r.hit_id,
    dealId: r.deal_id,
    receivedAt: r.received_at,
    date: r.date,
    payload: r.payload,
    error: r.error,
  });

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
     * Every message, device by device and each device's in time order (the messages_device
     * index), read in pages (keyset pagination) so that the caller may write between pages:
     * better-sqlite3 forbids writes while a statement is iterating.
     */
    *iterateMessagesByDevice(pageSize = 5000): Generator<StoredMessage> {
      let page = (firstPage.all(pageSize) as MessageDbRow[]).map(toMessage);
      while (page.length > 0) {
        yield* page;
        const last = page[page.length - 1]!;
        page =
          page.length < pageSize
            ? []
            : (nextPage.all(last.deviceId, last.timestamp, last.messageId, pageSize) as MessageDbRow[]).map(toMessage);
      }
    },
    insertHit(hitId: string, dealId: string | null, receivedAt: number, payload: string, error: string | null): number {
      const date = new Date(receivedAt).toISOString().slice(0, 10);
      return Number(insertHit.run(hitId, dealId, receivedAt, date, payload, error).lastInsertRowid);
    },
    hitsOfDeal(dealId: string): CrmHitRow[] {
      return (hitsForDeal.all(dealId) as Parameters<typeof toHit>[0][]).map(toHit);
    },
    validHits(): CrmHitRow[] {
      return (allHits.all() as Parameters<typeof toHit>[0][]).map(toHit);
    },
  };
}
