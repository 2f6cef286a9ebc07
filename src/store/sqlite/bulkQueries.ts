import Database from "better-sqlite3";
import { conversionParams } from "./derivedQueries.js";
import type { Db } from "./db.js";
import { asyncify, type AsyncQueries } from "./asyncify.js";
import { FILL_PATHS, PATH_MODELS_JSON } from "./conversionPaths.js";
import { toHit, type HitDbRow } from "./rawRows.js";
import type { ConversionRow, CreditRow, CrmHitRow, DealRow, IdentityKind, StoredTouchpoint, VisitState } from "../types.js";

/**
 * Bulk reads and writes for `recompute` (src/deriver/bulk): a consistent view of the raw input
 * read device by device with only the payload parts derivation needs, and the derived tables
 * rewritten as sets (secondary indexes dropped before, built again after). The interface is
 * SQL-agnostic so that the PostgreSQL store can implement it too; a store without it recomputes
 * through the live steps.
 */

/** Identifies the raw input: a row added or erased anywhere changes it (seqs are never reused). */
export interface RawVersion {
  messagesEver: number;
  messageCount: number;
  hitsEver: number;
  hitCount: number;
}

/** A key in messages' device order (device, time, messageId). */
export interface DeviceKey {
  deviceId: string;
  timestamp: number;
  messageId: string;
}

/**
 * A stored message with, instead of its payload, the parts of it derivation reads, each as the
 * JSON it is stored as (null when absent or not read):
 * - page, screen: context.page.url, context.page.referrer, context.campaign; and when one of the
 *   first two is missing or empty (the only case derivation reads them), `more` =
 *   [properties.url, properties.referrer, context.referrer.link]. Should the caller need them in
 *   another case (a url that is not a string), it asks for them (RawReader.moreParts);
 * - track of one of the `detailEvents`: the same three, and `more` = [properties,
 *   context.referrer.link]; other tracks: nothing (they only count as activity);
 * - identify: `value` = traits.email (context.traits.email when traits is null or absent);
 * - alias: `value` = previousId.
 */
export interface BulkMessage {
  /** The row's arrival sequence number (BulkStore.messageIds gives its messageId back). */
  seq: number;
  deviceId: string;
  messageId: string;
  type: string;
  anonymousId: string | null;
  userId: string | null;
  event: string | null;
  timestamp: number;
  pageUrl: string | null;
  pageReferrer: string | null;
  campaign: string | null;
  more: string | null;
  value: string | null;
}

/** A consistent read-only view of the raw input (its own connection and read transaction). */
export interface RawReader {
  version(): Promise<RawVersion>;
  /** Up to `limit` messages in device order after `after` (null: from the start). */
  messagesByDevice(after: DeviceKey | null, limit: number, detailEvents: readonly string[]): Promise<BulkMessage[]>;
  /**
   * The parts messagesByDevice leaves out, by messageId, as a JSON array: for a page or screen
   * [properties.url, properties.referrer, context.referrer.link]; for a track [context.page.url,
   * context.page.referrer, context.campaign, properties, context.referrer.link].
   */
  moreParts(messageIds: readonly string[]): Promise<Map<string, string>>;
  validHits(): Promise<CrmHitRow[]>;
  close(): Promise<void>;
}

export interface BulkPerson {
  personId: number;
  createdAt: number;
}

export interface BulkIdentity {
  kind: IdentityKind;
  value: string;
  personId: number;
  inferred: boolean;
  lastSeen: number;
  aliasOnly?: boolean;
}

export interface BulkTraits {
  personId: number;
  /** The traits as JSON (written as is, so the caller serialises them once). */
  traits: string;
  updatedAt: number;
}

export interface BulkOutboxRow {
  id: string;
  personId: number | null;
  /** The outbound message as JSON. */
  message: string;
  createdAt: number;
}

export interface BulkFeedbackState {
  target: string;
  traits: string;
  queuedAt: number;
  outboxSeq: number | null;
}

/** The store's bulk interface (asynchronous, as the rest of the store). */
export interface BulkStore {
  rawVersion(): Promise<RawVersion>;
  /** The messageIds of some messages, by seq (a rebuild keeps seqs in memory, not the ids). */
  messageIds(seqs: readonly number[]): Promise<Map<number, string>>;
  /** Opens a consistent view of the raw input beside this connection. */
  openReader(): Promise<RawReader>;
  /**
   * Inside a transaction, after admin.resetDerived(): drops the derived tables' secondary
   * indexes, so that the inserts below only append rows.
   */
  beginRebuild(): Promise<void>;
  insertPersons(rows: readonly BulkPerson[]): Promise<void>;
  insertIdentities(rows: readonly BulkIdentity[]): Promise<void>;
  insertDevices(rows: ReadonlyArray<{ deviceId: string; state: VisitState }>): Promise<void>;
  insertTouchpoints(rows: readonly StoredTouchpoint[]): Promise<void>;
  insertConversions(rows: readonly ConversionRow[]): Promise<void>;
  insertDeals(rows: readonly DealRow[]): Promise<void>;
  insertCredits(rows: readonly CreditRow[]): Promise<void>;
  insertTraits(rows: readonly BulkTraits[]): Promise<void>;
  /** What was last queued per outbound identity, as stored (traits JSON), aligned to `targets`. */
  feedbackStates(targets: readonly string[]): Promise<Array<{ traits: string; outboxSeq: number | null } | undefined>>;
  /** Queues outbox rows (a repeated id is ignored); their seqs, aligned (null: ignored). */
  insertOutbox(rows: readonly BulkOutboxRow[]): Promise<Array<number | null>>;
  putFeedbackStates(rows: readonly BulkFeedbackState[]): Promise<void>;
  /** Builds the dropped indexes again, marks every credited day for report re-summing, updates planner statistics. */
  finishRebuild(): Promise<void>;
}

/** Tables rewritten by a rebuild whose secondary indexes are dropped meanwhile. */
const REBUILT_TABLES = ["identities", "touchpoints", "deals", "conversions", "credits"];
const ANALYZED_TABLES = ["persons", "identities", "devices", "touchpoints", "deals", "conversions", "credits", "conversion_paths", "person_traits"];

// Parts of the payload derivation reads (see BulkMessage). `->` yields each part as the JSON it
// is stored as; a path through a value that is not an object yields NULL, which the readers
// (toDeviceCall's obj/str guards) treat as the original does.
const IS_PAGE = "type IN ('page', 'screen')";
const IS_DETAIL_TRACK = "(type = 'track' AND event IN (SELECT value FROM json_each(@events)))";
const PARTS = `
  CASE WHEN ${IS_PAGE} OR ${IS_DETAIL_TRACK} THEN payload -> '$.context.page.url' END,
  CASE WHEN ${IS_PAGE} OR ${IS_DETAIL_TRACK} THEN payload -> '$.context.page.referrer' END,
  CASE WHEN ${IS_PAGE} OR ${IS_DETAIL_TRACK} THEN payload -> '$.context.campaign' END,
  CASE WHEN ${IS_DETAIL_TRACK} THEN json_array(payload -> '$.properties', payload -> '$.context.referrer.link')
    WHEN ${IS_PAGE} AND (coalesce(payload ->> '$.context.page.url', '') = '' OR coalesce(payload ->> '$.context.page.referrer', '') = '')
    THEN json_array(payload -> '$.properties.url', payload -> '$.properties.referrer', payload -> '$.context.referrer.link') END,
  CASE type WHEN 'identify' THEN CASE WHEN coalesce(json_type(payload, '$.traits'), 'null') <> 'null'
      THEN payload -> '$.traits.email' ELSE payload -> '$.context.traits.email' END
    WHEN 'alias' THEN payload -> '$.previousId' END`;
const PAGE_SQL =
  `SELECT seq, device_id, message_id, type, CASE WHEN anonymous_id = device_id THEN '' ELSE anonymous_id END, user_id, event, timestamp, ${PARTS}
   FROM messages WHERE (device_id, timestamp, message_id) > (@d, @t, @m)
   ORDER BY device_id, timestamp, message_id LIMIT @limit`;
const MORE_SQL = `SELECT message_id, CASE WHEN type = 'track'
    THEN json_array(payload -> '$.context.page.url', payload -> '$.context.page.referrer', payload -> '$.context.campaign',
      payload -> '$.properties', payload -> '$.context.referrer.link')
    ELSE json_array(payload -> '$.properties.url', payload -> '$.properties.referrer', payload -> '$.context.referrer.link') END
  FROM messages WHERE message_id IN (SELECT value FROM json_each(?))`;

type BulkMessageDbRow = [
  seq: number,
  device_id: string,
  message_id: string,
  type: string,
  anonymous_id: string | null,
  user_id: string | null,
  event: string | null,
  timestamp: number,
  page_url: string | null,
  page_referrer: string | null,
  campaign: string | null,
  more: string | null,
  value: string | null,
];

function readerQueries(db: Db, onClose: () => void) {
  const version = db.prepare(`SELECT
      (SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0)) AS messagesEver,
      (SELECT count(*) FROM messages) AS messageCount,
      (SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'crm_hits'), 0)) AS hitsEver,
      (SELECT count(*) FROM crm_hits) AS hitCount`);
  const page = db.prepare(PAGE_SQL).raw();
  const more = db.prepare(MORE_SQL).raw();
  const ids = db.prepare("SELECT seq, message_id FROM messages WHERE seq IN (SELECT value FROM json_each(?))").raw();
  const messageIds = (seqs: readonly number[]): Map<number, string> => {
    const out = new Map<number, string>();
    if (seqs.length > 0) for (const r of ids.all(JSON.stringify(seqs)) as Array<[number, string]>) out.set(r[0], r[1]);
    return out;
  };
  const hits = db.prepare("SELECT * FROM crm_hits WHERE error IS NULL ORDER BY seq");
  return {
    version: (): RawVersion => version.get() as RawVersion,
    messagesByDevice(after: DeviceKey | null, limit: number, detailEvents: readonly string[]): BulkMessage[] {
      // Below every key: device ids are non-empty, timestamps within years 1970..9999.
      const key = after ?? { deviceId: "", timestamp: Number.MIN_SAFE_INTEGER, messageId: "" };
      const params = { d: key.deviceId, t: key.timestamp, m: key.messageId, limit, events: JSON.stringify(detailEvents) };
      const rows = page.all(params) as BulkMessageDbRow[];
      return rows.map((r) => ({
        seq: r[0],
        deviceId: r[1],
        messageId: r[2],
        type: r[3],
        // '': the device id (messages are kept per device: anonymousId, else userId); one string, not two.
        anonymousId: r[4] === "" ? r[1] : r[4],
        userId: r[5],
        event: r[6],
        timestamp: r[7],
        pageUrl: r[8],
        pageReferrer: r[9],
        campaign: r[10],
        more: r[11],
        value: r[12],
      }));
    },
    messageIds,
    moreParts(messageIds: readonly string[]): Map<string, string> {
      const out = new Map<string, string>();
      for (const r of more.all(JSON.stringify(messageIds)) as Array<[string, string]>) out.set(r[0], r[1]);
      return out;
    },
    validHits: (): CrmHitRow[] => (hits.all() as HitDbRow[]).map(toHit),
    close: onClose,
  };
}

/**
 * A reader on a connection of its own with a read transaction open from the first read on (a
 * snapshot: writers go on committing beside it). Worker threads open theirs from the path.
 */
export function openRawReader(path: string): AsyncQueries<ReturnType<typeof readerQueries>> {
  const db = new Database(path);
  db.pragma("busy_timeout = 5000");
  // Rows are read in index order, scattered over the table: a page cache would not be hit again.
  db.pragma("cache_size = -2048");
  db.pragma("query_only = 1");
  db.exec("BEGIN");
  return asyncify(
    readerQueries(db, () => {
      if (db.inTransaction) db.exec("COMMIT");
      db.close();
    }),
  );
}

export function bulkQueries(db: Db): BulkStore {
  const insertPerson = db.prepare("INSERT INTO persons (person_id, created_at) VALUES (?, ?)");
  const insertIdentity = db.prepare("INSERT INTO identities (kind, value, person_id, inferred, last_seen, alias_only) VALUES (?, ?, ?, ?, ?, ?)");
  const insertDevice = db.prepare(
    "INSERT INTO devices (device_id, last_at, last_message_id, source, medium, campaign) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const insertTouch = db.prepare(
    `INSERT INTO touchpoints (id, message_id, device_id, person_id, at, channel, source, medium, campaign, term, content,
       referrer, landing_page, click_id_type, rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertConversion = db.prepare(
    "INSERT INTO conversions (id, person_id, name, at, revenue, currency, origin, reporting_revenue, revenue_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const insertDeal = db.prepare(
    `INSERT INTO deals (deal_id, status, outcome, amount, currency, user_id, email, anonymous_id, created_at, updated_at,
       received_at, hit_seq, person_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCredit = db.prepare(
    `INSERT INTO credits (conversion_id, model, touch_index, touchpoint_id, channel, source, medium, campaign, credit,
       conversion_name, conversion_at, revenue, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTraits = db.prepare("INSERT INTO person_traits (person_id, traits, updated_at) VALUES (?, ?, ?)");
  const getState = db.prepare("SELECT traits, outbox_seq FROM feedback_state WHERE target = ?");
  const insertOutbox = db.prepare(
    "INSERT OR IGNORE INTO outbox (id, person_id, message, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)",
  );
  const putState = db.prepare(
    `INSERT INTO feedback_state (target, traits, queued_at, outbox_seq) VALUES (?, ?, ?, ?)
     ON CONFLICT (target) DO UPDATE SET traits = excluded.traits, queued_at = excluded.queued_at, outbox_seq = excluded.outbox_seq`,
  );
  const indexes = db.prepare(
    `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
     AND tbl_name IN (${REBUILT_TABLES.map(() => "?").join(", ")}) ORDER BY name`,
  );
  const markDays = db.prepare("INSERT OR IGNORE INTO report_dirty_days (day) SELECT DISTINCT conversion_at / 86400000 FROM credits");
  // The paths report's rows, set-based once every credit is in (and credits_conversion_model is
  // built again): one grouped pass instead of a refresh per conversion.
  const clearPaths = db.prepare("DELETE FROM conversion_paths");
  const fillPaths = db.prepare(FILL_PATHS("@models"));
  const { version, messageIds } = readerQueries(db, () => undefined);
  /** The CREATE INDEX statements of the indexes the current rebuild dropped. */
  let dropped: string[] = [];
  let cacheSize: number | null = null;

  const sync = {
    rawVersion: version,
    messageIds,
    openReader(): RawReader {
      // An in-memory database has no second connection: read on this one (tests only).
      if (db.memory) return asyncify(readerQueries(db, () => undefined));
      return openRawReader(db.name);
    },
    beginRebuild(): void {
      // Rows are appended: a small page cache is enough, and index builds sort in less memory.
      cacheSize ??= db.pragma("cache_size", { simple: true }) as number;
      db.pragma("cache_size = -4096");
      const found = indexes.all(...REBUILT_TABLES) as Array<{ name: string; sql: string }>;
      dropped = found.map((i) => i.sql);
      for (const i of found) db.exec(`DROP INDEX "${i.name.replaceAll('"', '""')}"`);
    },
    insertPersons(rows: readonly BulkPerson[]): void {
      for (const r of rows) insertPerson.run(r.personId, r.createdAt);
    },
    insertIdentities(rows: readonly BulkIdentity[]): void {
      for (const r of rows) insertIdentity.run(r.kind, r.value, r.personId, r.inferred ? 1 : 0, r.lastSeen, r.aliasOnly === true ? 1 : 0);
    },
    insertDevices(rows: ReadonlyArray<{ deviceId: string; state: VisitState }>): void {
      for (const { deviceId, state: s } of rows) insertDevice.run(deviceId, s.lastAt, s.lastMessageId, s.source, s.medium, s.campaign);
    },
    insertTouchpoints(rows: readonly StoredTouchpoint[]): void {
      for (const t of rows) {
        insertTouch.run(t.id, t.messageId, t.deviceId, t.personId, t.at, t.channel, t.source, t.medium, t.campaign, t.term,
          t.content, t.referrer, t.landingPage, t.clickIdType, t.rule);
      }
    },
    insertConversions(rows: readonly ConversionRow[]): void {
      for (const c of rows) {
        const v = conversionParams(c);
        insertConversion.run(v.id, v.personId, v.name, v.at, v.revenue, v.currency, v.origin, v.reportingRevenue, v.revenueError);
      }
    },
    insertDeals(rows: readonly DealRow[]): void {
      for (const d of rows) {
        insertDeal.run(d.dealId, d.status, d.outcome, d.amount, d.currency, d.userId, d.email, d.anonymousId, d.createdAt,
          d.updatedAt, d.receivedAt, d.hitSeq, d.personId);
      }
    },
    insertCredits(rows: readonly CreditRow[]): void {
      for (const r of rows) {
        insertCredit.run(r.conversionId, r.model, r.touchIndex, r.touchpointId, r.channel, r.source, r.medium, r.campaign,
          r.credit, r.conversionName, r.conversionAt, r.revenue, r.currency ?? null);
      }
    },
    insertTraits(rows: readonly BulkTraits[]): void {
      for (const r of rows) insertTraits.run(r.personId, r.traits, r.updatedAt);
    },
    feedbackStates(targets: readonly string[]): Array<{ traits: string; outboxSeq: number | null } | undefined> {
      return targets.map((t) => {
        const r = getState.get(t) as { traits: string; outbox_seq: number | null } | undefined;
        return r && { traits: r.traits, outboxSeq: r.outbox_seq };
      });
    },
    insertOutbox(rows: readonly BulkOutboxRow[]): Array<number | null> {
      return rows.map((r) => {
        const res = insertOutbox.run(r.id, r.personId, r.message, r.createdAt, r.createdAt);
        return res.changes === 1 ? Number(res.lastInsertRowid) : null;
      });
    },
    putFeedbackStates(rows: readonly BulkFeedbackState[]): void {
      for (const r of rows) putState.run(r.target, r.traits, r.queuedAt, r.outboxSeq);
    },
    finishRebuild(): void {
      for (const sql of dropped) db.exec(sql);
      dropped = [];
      markDays.run();
      clearPaths.run();
      fillPaths.run({ models: PATH_MODELS_JSON });
      // Sampled statistics (a few hundred rows an index): enough for the planner, cheap at any size.
      db.pragma("analysis_limit = 400");
      for (const t of ANALYZED_TABLES) db.exec(`ANALYZE ${t}`);
      if (cacheSize !== null) db.pragma(`cache_size = ${cacheSize}`);
      cacheSize = null;
    },
  };
  return asyncify(sync);
}
