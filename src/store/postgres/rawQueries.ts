import type { Store } from "../index.js";
import type { StoredMessage } from "../types.js";
import { toHit, toMessage, type HitDbRow, type MessageDbRow } from "../sqlite/rawRows.js";
import { toRejected, toRejectedReason, type RejectedDbRow, type RejectedReasonDbRow } from "../sqlite/rawQueries.js";
import { sha256Hex } from "../sqlite/db.js";
import { LOCK_RAW_INSERT } from "./locks.js";
import type { Sql } from "./sql.js";

/** Copied CRM hits, in the order given (seqs follow it); a stored hit_id is skipped. */
const INSERT_HITS = `
  INSERT INTO crm_hits (hit_id, deal_id, received_at, date, payload, error)
  SELECT hit_id, deal_id, received_at, date, payload, error
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])
    WITH ORDINALITY AS h (hit_id, deal_id, received_at, date, payload, error, ord)
  ORDER BY ord
  ON CONFLICT (hit_id) DO NOTHING`;

/** Copied rejected rows; a row whose payload is stored already is skipped (one row per distinct payload). */
const INSERT_REJECTED_ROWS = `
  INSERT INTO rejected (received_at, message_id, reason, payload, payload_hash, arrivals)
  SELECT r.received_at, r.message_id, r.reason, r.payload, r.payload_hash, r.arrivals
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
    WITH ORDINALITY AS r (received_at, message_id, reason, payload, payload_hash, arrivals, ord)
  ORDER BY r.ord
  ON CONFLICT (payload_hash) DO NOTHING`;

/** A rejected message; the same payload again moves its row to the latest arrival and reason. */
const INSERT_REJECTED = `
  INSERT INTO rejected (received_at, message_id, reason, payload, payload_hash) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (payload_hash) DO UPDATE SET received_at = greatest(rejected.received_at, excluded.received_at),
    message_id = excluded.message_id, reason = excluded.reason, arrivals = rejected.arrivals + 1`;

const INSERT_MESSAGES = `
  INSERT INTO messages (message_id, type, anonymous_id, user_id, device_id, event, timestamp, received_at, payload, timestamp_source)
  SELECT message_id, type, anonymous_id, user_id, device_id, event, timestamp, received_at, payload, timestamp_source
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[])
    WITH ORDINALITY AS m (message_id, type, anonymous_id, user_id, device_id, event, timestamp, received_at, payload, timestamp_source, ord)
  ORDER BY ord
  ON CONFLICT (message_id) DO NOTHING
  RETURNING message_id`;

/**
 * Raw input: Segment messages, rejected messages and CRM hits.
 *
 * Why every raw insert first takes LOCK_RAW_INSERT (a transaction-level advisory lock): the
 * deriver reads raw rows after its cursor (`seq > cursor`, cursorQueries.ts) and moves the
 * cursor past what it read. A PostgreSQL sequence hands out numbers at insert time, not at
 * commit: with two gateways, transaction A could take seq 10, B seq 11, B commit first, the
 * deriver read 11 and move its cursor there, and then A commit 10 behind the cursor, never to
 * be derived. Under the lock, a transaction takes its seqs only after every earlier raw-insert
 * transaction has committed (PostgreSQL releases locks after the commit is visible), so seq
 * order is commit order and a reader never sees a gap that later fills. The lock is held
 * until commit: raw inserts of all instances are serialised, which the group commit
 * (thousands of messages per transaction) amortises; one multi-row INSERT per batch keeps
 * the time under the lock short.
 */
/** As the store writes a messageId (sql.ts: PostgreSQL text holds no NUL). */
const withoutNul = (id: string) => id.replace(/\u0000/g, "\uFFFD");

export function rawQueries(sql: Sql): Store["raw"] {
  /** Runs fn under the lock in the caller's transaction (no savepoint), or in one of its own. */
  const underRawLock = <T>(fn: () => Promise<T>): Promise<T> => {
    const locked = async () => {
      await sql.advisoryLock(LOCK_RAW_INSERT);
      return fn();
    };
    return sql.atomic(locked);
  };

  async function insertMessages(ms: readonly StoredMessage[]): Promise<boolean[]> {
    if (ms.length === 0) return [];
    const stored = await underRawLock(() =>
      sql.rows<{ message_id: string }>(INSERT_MESSAGES, [
        ms.map((m) => m.messageId),
        ms.map((m) => m.type),
        ms.map((m) => m.anonymousId),
        ms.map((m) => m.userId),
        ms.map((m) => m.deviceId),
        ms.map((m) => m.event),
        ms.map((m) => m.timestamp),
        ms.map((m) => m.receivedAt),
        ms.map((m) => m.payload),
        ms.map((m) => m.timestampSource ?? null),
      ]),
    );
    // Inserted ids, each claimed by its first occurrence: a repeat within the batch is a duplicate.
    const fresh = new Set(stored.map((r) => r.message_id));
    return ms.map((m) => fresh.delete(withoutNul(m.messageId)));
  }

  return {
    async insertMessage(m) {
      return (await insertMessages([m]))[0]!;
    },
    async insertRejected(receivedAt, messageId, reason, payload) {
      await sql.run(INSERT_REJECTED, [receivedAt, messageId, reason, payload, sha256Hex(payload)]);
    },
    async rejectedPage(limit, offset) {
      const rows = await sql.rows<RejectedDbRow>(
        "SELECT id, received_at, message_id, reason, payload, arrivals FROM rejected ORDER BY received_at DESC, id DESC LIMIT $1 OFFSET $2",
        [limit, offset],
      );
      const total = await sql.one<{ n: number }>("SELECT count(*) AS n FROM rejected");
      return { rows: rows.map(toRejected), total: total?.n ?? 0 };
    },
    async rejectedReasons(limit) {
      const rows = await sql.rows<RejectedReasonDbRow>(
        `SELECT reason, count(*) AS payloads, sum(arrivals) AS arrivals, max(received_at) AS last_received_at
         FROM rejected GROUP BY reason ORDER BY payloads DESC, reason LIMIT $1`,
        [limit],
      );
      return rows.map(toRejectedReason);
    },
    async deleteRejected(ids) {
      if (ids.length === 0) return 0;
      return sql.run("DELETE FROM rejected WHERE id = ANY($1::bigint[])", [ids]);
    },
    async messagesOfDevice(deviceId) {
      return (await sql.rows<MessageDbRow>("SELECT * FROM messages WHERE device_id = $1 ORDER BY timestamp, message_id", [deviceId])).map(toMessage);
    },
    async deleteRequests() {
      return (await sql.rows<MessageDbRow>("SELECT * FROM messages WHERE type = 'delete' ORDER BY seq")).map(toMessage);
    },
    async message(messageId) {
      const r = await sql.one<MessageDbRow>("SELECT * FROM messages WHERE message_id = $1", [messageId]);
      return r && toMessage(r);
    },
    async messagesByDevicePage(after, limit) {
      const rows =
        after === null
          ? await sql.rows<MessageDbRow>("SELECT * FROM messages ORDER BY device_id, timestamp, message_id LIMIT $1", [limit])
          : await sql.rows<MessageDbRow>(
              `SELECT * FROM messages WHERE (device_id, timestamp, message_id) > ($1, $2, $3)
               ORDER BY device_id, timestamp, message_id LIMIT $4`,
              [after.deviceId, after.timestamp, after.messageId, limit],
            );
      return rows.map(toMessage);
    },
    insertMessages,
    async insertHit(hitId, dealId, receivedAt, payload, error) {
      const date = new Date(receivedAt).toISOString().slice(0, 10);
      const r = await underRawLock(() =>
        sql.one<{ seq: number }>(
          "INSERT INTO crm_hits (hit_id, deal_id, received_at, date, payload, error) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
          [hitId, dealId, receivedAt, date, payload, error],
        ),
      );
      return r!.seq;
    },
    async hitsOfDeal(dealId) {
      return (await sql.rows<HitDbRow>("SELECT * FROM crm_hits WHERE deal_id = $1 ORDER BY seq", [dealId])).map(toHit);
    },
    async validHits() {
      return (await sql.rows<HitDbRow>("SELECT * FROM crm_hits WHERE error IS NULL ORDER BY seq")).map(toHit);
    },
    async rejectedAfter(id, limit) {
      const rows = await sql.rows<RejectedDbRow>(
        "SELECT id, received_at, message_id, reason, payload, arrivals FROM rejected WHERE id > $1 ORDER BY id LIMIT $2",
        [id, limit],
      );
      return rows.map(toRejected);
    },
    async insertRejectedRows(rows) {
      if (rows.length === 0) return 0;
      return sql.run(INSERT_REJECTED_ROWS, [
        rows.map((r) => r.receivedAt),
        rows.map((r) => r.messageId),
        rows.map((r) => r.reason),
        rows.map((r) => r.payload),
        rows.map((r) => sha256Hex(r.payload)),
        rows.map((r) => r.arrivals ?? 1),
      ]);
    },
    async insertHits(hits) {
      if (hits.length === 0) return 0;
      return underRawLock(() =>
        sql.run(INSERT_HITS, [
          hits.map((h) => h.hitId),
          hits.map((h) => h.dealId),
          hits.map((h) => h.receivedAt),
          hits.map((h) => h.date),
          hits.map((h) => h.payload),
          hits.map((h) => h.error),
        ]),
      );
    },
  };
}
