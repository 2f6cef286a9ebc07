/**
 * Numbered schema migrations, applied in order at start inside one transaction each.
 * Never edit a migration that has shipped: add the next number.
 * Times are epoch milliseconds (UTC) everywhere.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: "raw input, identity graph, derived data, outbox",
    sql: `
      -- Raw Segment messages: the source of truth, never rewritten (only erased on request / retention).
      CREATE TABLE messages (
        seq          INTEGER PRIMARY KEY,
        message_id   TEXT NOT NULL UNIQUE,
        type         TEXT NOT NULL,
        anonymous_id TEXT,
        user_id      TEXT,
        device_id    TEXT NOT NULL,      -- anonymousId, else userId: visits are per device
        event        TEXT,
        timestamp    INTEGER NOT NULL,
        received_at  INTEGER NOT NULL,
        payload      TEXT NOT NULL
      );
      -- Every lookup goes through the device: re-deriving a device, recompute (device by device),
      -- erasure (a person's messages all have one of its ids as device). Few indexes: each one
      -- costs a page write per insert on the hot path.
      CREATE INDEX messages_device ON messages (device_id, timestamp, message_id);

      CREATE TABLE rejected (
        id          INTEGER PRIMARY KEY,
        received_at INTEGER NOT NULL,
        message_id  TEXT,
        reason      TEXT NOT NULL,
        payload     TEXT NOT NULL
      );

      -- Raw CRM hits, kept whether valid or not.
      CREATE TABLE crm_hits (
        seq         INTEGER PRIMARY KEY,
        hit_id      TEXT NOT NULL UNIQUE,
        deal_id     TEXT,
        received_at INTEGER NOT NULL,
        date        TEXT NOT NULL,
        payload     TEXT NOT NULL,
        error       TEXT
      );
      CREATE INDEX crm_hits_deal ON crm_hits (deal_id);

      -- Identity graph: every identity belongs to exactly one person.
      CREATE TABLE persons (
        person_id  INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE identities (
        kind       TEXT NOT NULL,        -- anonymousId | userId | email
        value      TEXT NOT NULL,
        person_id  INTEGER NOT NULL,
        inferred   INTEGER NOT NULL DEFAULT 0,
        last_seen  INTEGER NOT NULL,
        PRIMARY KEY (kind, value)
      ) WITHOUT ROWID;
      CREATE INDEX identities_person ON identities (person_id);

      -- Sessionization state per device, so that a new call is classified without rescanning.
      CREATE TABLE devices (
        device_id       TEXT PRIMARY KEY,
        last_at         INTEGER NOT NULL,
        last_message_id TEXT NOT NULL,
        source          TEXT,
        medium          TEXT,
        campaign        TEXT
      ) WITHOUT ROWID;

      CREATE TABLE touchpoints (
        id            INTEGER PRIMARY KEY,
        message_id    TEXT NOT NULL,
        device_id     TEXT NOT NULL,
        person_id     INTEGER NOT NULL,
        at            INTEGER NOT NULL,
        channel       TEXT NOT NULL,
        source        TEXT NOT NULL,
        medium        TEXT NOT NULL,
        campaign      TEXT,
        term          TEXT,
        content       TEXT,
        referrer      TEXT,
        landing_page  TEXT,
        click_id_type TEXT,
        rule          TEXT NOT NULL
      );
      -- Covers the Markov refit's scan of every person's (time, channel) path.
      CREATE INDEX touchpoints_person ON touchpoints (person_id, at, message_id, channel);
      CREATE INDEX touchpoints_device ON touchpoints (device_id, at);

      -- Deals: the current state of each CRM deal (derived from crm_hits).
      CREATE TABLE deals (
        deal_id         TEXT PRIMARY KEY,
        status          TEXT NOT NULL,
        outcome         TEXT NOT NULL,   -- won | lost | open
        amount          REAL,
        currency        TEXT,
        user_id         TEXT,
        email           TEXT,
        anonymous_id    TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        received_at     INTEGER NOT NULL,
        hit_seq         INTEGER NOT NULL,
        person_id       INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX deals_person ON deals (person_id);
      CREATE INDEX deals_user ON deals (user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX deals_email ON deals (email) WHERE email IS NOT NULL;
      CREATE INDEX deals_anon ON deals (anonymous_id) WHERE anonymous_id IS NOT NULL;

      -- Conversions from track events (id 'msg:<messageId>') and won deals (id 'deal:<dealId>').
      CREATE TABLE conversions (
        id        TEXT PRIMARY KEY,
        person_id INTEGER,
        name      TEXT NOT NULL,
        at        INTEGER NOT NULL,
        revenue   REAL NOT NULL DEFAULT 0,
        currency  TEXT,
        origin    TEXT NOT NULL          -- track | crm
      ) WITHOUT ROWID;
      CREATE INDEX conversions_person ON conversions (person_id);

      -- Credit per conversion x model x touchpoint; conversion and touch fields are copied in
      -- so that reports are one scan with no joins.
      CREATE TABLE credits (
        conversion_id   TEXT NOT NULL,
        model           TEXT NOT NULL,
        touch_index     INTEGER,         -- index into the person's touchpoints (oldest first)
        touchpoint_id   INTEGER,
        channel         TEXT NOT NULL,
        source          TEXT,
        medium          TEXT,
        campaign        TEXT,
        credit          REAL NOT NULL,
        conversion_name TEXT NOT NULL,
        conversion_at   INTEGER NOT NULL,
        revenue         REAL NOT NULL
      );
      CREATE INDEX credits_conversion ON credits (conversion_id);
      CREATE INDEX credits_model_at ON credits (model, conversion_at);

      CREATE TABLE person_traits (
        person_id  INTEGER PRIMARY KEY,
        traits     TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );

      -- What was last queued to Segment per outbound identity: not derived, survives recompute.
      CREATE TABLE feedback_state (
        target      TEXT PRIMARY KEY,   -- 'userId:<id>' or 'anonymousId:<id>'
        traits      TEXT NOT NULL,
        queued_at   INTEGER NOT NULL,
        outbox_seq  INTEGER             -- the identify last queued (updated in place while unsent)
      ) WITHOUT ROWID;

      CREATE TABLE markov_model (
        id                     INTEGER PRIMARY KEY CHECK (id = 1),
        removal_effects        TEXT NOT NULL,
        conversion_probability REAL NOT NULL,
        paths                  INTEGER NOT NULL,
        computed_at            INTEGER NOT NULL
      );

      -- A rowid table: messages are large and ids random, a WITHOUT ROWID table would churn pages.
      CREATE TABLE outbox (
        seq             INTEGER PRIMARY KEY,
        id              TEXT NOT NULL UNIQUE,
        person_id       INTEGER,           -- the person when queued (not moved on merges)
        message         TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | dead
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_until     INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        sent_at         INTEGER
      );
      CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

      -- Persons whose derived data must be re-derived (set when derivation fails or is deferred).
      CREATE TABLE dirty_persons (
        person_id INTEGER PRIMARY KEY
      );
    `,
  },
  {
    version: 2,
    name: "daily report aggregates",
    sql: `
      -- Credits summed per model, UTC day, conversion name and touch fields: reports read these
      -- for whole days and the credits table only for the partial days at a range's edges.
      CREATE TABLE report_days (
        model           TEXT NOT NULL,
        day             INTEGER NOT NULL,  -- floor(conversion_at / 86400000)
        conversion_name TEXT NOT NULL,
        is_touch        INTEGER NOT NULL,  -- 0: Unattributed
        channel         TEXT NOT NULL,
        source          TEXT,
        medium          TEXT,
        campaign        TEXT,
        conversions     REAL NOT NULL,
        revenue         REAL NOT NULL
      );
      CREATE INDEX report_days_model_day ON report_days (model, day);
      -- Days whose credits changed since their aggregates were computed; refreshed before a report.
      CREATE TABLE report_dirty_days (
        day INTEGER PRIMARY KEY
      );
    `,
  },
  {
    version: 3,
    name: "derivation cursor, refit progress; raw sequences never reused",
    sql: `
      -- Raw input is derived from a cursor (the last seq derived). A seq must never be handed out
      -- twice, or a message stored after an erasure of the newest one could land behind the
      -- cursor and never be derived: AUTOINCREMENT instead of max(rowid)+1.
      CREATE TABLE messages_v3 (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id   TEXT NOT NULL UNIQUE,
        type         TEXT NOT NULL,
        anonymous_id TEXT,
        user_id      TEXT,
        device_id    TEXT NOT NULL,
        event        TEXT,
        timestamp    INTEGER NOT NULL,
        received_at  INTEGER NOT NULL,
        payload      TEXT NOT NULL
      );
      INSERT INTO messages_v3 SELECT seq, message_id, type, anonymous_id, user_id, device_id, event, timestamp, received_at, payload FROM messages;
      DROP TABLE messages;
      ALTER TABLE messages_v3 RENAME TO messages;
      CREATE INDEX messages_device ON messages (device_id, timestamp, message_id);

      CREATE TABLE crm_hits_v3 (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        hit_id      TEXT NOT NULL UNIQUE,
        deal_id     TEXT,
        received_at INTEGER NOT NULL,
        date        TEXT NOT NULL,
        payload     TEXT NOT NULL,
        error       TEXT
      );
      INSERT INTO crm_hits_v3 SELECT seq, hit_id, deal_id, received_at, date, payload, error FROM crm_hits;
      DROP TABLE crm_hits;
      ALTER TABLE crm_hits_v3 RENAME TO crm_hits;
      CREATE INDEX crm_hits_deal ON crm_hits (deal_id);

      -- How far the deriver has got in each raw table. Databases from before the split were
      -- derived on ingest, so they start current.
      CREATE TABLE derive_cursor (
        name TEXT PRIMARY KEY,            -- messages | crm_hits
        seq  INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO derive_cursor (name, seq) VALUES
        ('messages', (SELECT coalesce(max(seq), 0) FROM messages)),
        ('crm_hits', (SELECT coalesce(max(seq), 0) FROM crm_hits));

      -- Persons whose raw rows are applied (identities, touchpoints, conversions, deals) but whose
      -- person-level derivation (credits, traits, feedback) is still to run. Applying and deriving
      -- are separate short transactions, so a person touched by many rows in a burst is derived
      -- once. rows: how many raw rows wait on this person (derivation_lag counts them).
      CREATE TABLE pending_persons (
        person_id INTEGER PRIMARY KEY,
        rows      INTEGER NOT NULL,
        since     INTEGER NOT NULL
      );
      CREATE INDEX pending_persons_since ON pending_persons (since);
      -- Touchpoints new since the person was last derived: each gets a "Visitor Source Identified".
      CREATE TABLE pending_touches (
        message_id TEXT PRIMARY KEY,
        person_id  INTEGER NOT NULL
      );
      CREATE INDEX pending_touches_person ON pending_touches (person_id);

      -- Raw rows the deriver could not derive (a bug, not bad input: input was validated at the
      -- gateway). They stay raw and are skipped; recompute derives them again.
      CREATE TABLE derive_failures (
        id         INTEGER PRIMARY KEY,
        source     TEXT NOT NULL,       -- messages | crm_hits
        seq        INTEGER NOT NULL,
        error      TEXT NOT NULL,
        failed_at  INTEGER NOT NULL
      );

      -- A Markov refit re-credits every person in bounded chunks; this is where it has got to,
      -- so that a restart resumes it. next_person_id NULL: no re-credit in progress.
      CREATE TABLE refit_progress (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        next_person_id INTEGER,
        started_at     INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "message time source; rejected messages once per payload; revenue in the reporting currency",
    sql: `
      -- Which field a message's time was read from: timestamp, originalTimestamp, sentAt,
      -- receivedAt, or received (the time of receipt). NULL: stored before this migration.
      ALTER TABLE messages ADD COLUMN timestamp_source TEXT;

      -- Rejected messages are kept once per distinct payload (its SHA-256, hex, of the UTF-8
      -- JSON): a re-sent bad message updates received_at, reason and arrivals of its row.
      -- sha256_hex is registered by db.ts before migrations run.
      ALTER TABLE rejected ADD COLUMN payload_hash TEXT;
      ALTER TABLE rejected ADD COLUMN arrivals INTEGER NOT NULL DEFAULT 1;
      UPDATE rejected SET payload_hash = sha256_hex(payload);
      UPDATE rejected SET arrivals = (SELECT count(*) FROM rejected r WHERE r.payload_hash = rejected.payload_hash);
      DELETE FROM rejected WHERE id NOT IN (SELECT max(id) FROM rejected GROUP BY payload_hash);
      CREATE UNIQUE INDEX rejected_payload ON rejected (payload_hash);
      -- GET /api/rejected: newest first.
      CREATE INDEX rejected_received ON rejected (received_at, id);

      -- Revenue in REPORTING_CURRENCY, converted at derivation with EXCHANGE_RATES_PATH (recompute
      -- applies a new rates file). conversions.reporting_revenue: NULL when the conversion's
      -- currency has no rate; revenue_error: why a track revenue could not be read (revenue 0).
      -- credits/report_days.currency: NULL when revenue is in the reporting currency, else the
      -- currency the revenue stayed in (reports list it apart, never summed into the total).
      -- Rows from before keep summing as they did until the next recompute.
      ALTER TABLE conversions ADD COLUMN reporting_revenue REAL;
      ALTER TABLE conversions ADD COLUMN revenue_error TEXT;
      UPDATE conversions SET reporting_revenue = revenue;
      ALTER TABLE credits ADD COLUMN currency TEXT;
      ALTER TABLE report_days ADD COLUMN currency TEXT;

      -- An anonymousId known only as an alias's previousId: not a device (device_count).
      ALTER TABLE identities ADD COLUMN alias_only INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 5,
    name: "readiness probe",
    sql: `
      -- GET /ready commits a write here: one row, its time of the last probe. Proves that the
      -- file is writable and the disk has room, which a read (GET /health) does not.
      CREATE TABLE readiness_probe (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        checked_at INTEGER NOT NULL
      );
    `,
  },
  {
    // Number 7 was reserved for issue 18 so that branches written in parallel do not collide.
    version: 7,
    name: "conversions by person and time",
    sql: `
      -- Report-time lookback (lookbackDays) pages through the conversions of a range by person:
      -- covering, so that neither the page nor its conversions read the table.
      CREATE INDEX conversions_person_at ON conversions (person_id, at, name, revenue);
    `,
  },
  {
    version: 8,
    name: "data-driven fit: Markov order, Shapley coalitions, bootstrap intervals",
    sql: `
      -- JSON {order, coalitions: [{channels, conversions, journeys}], intervals}: what shapley
      -- credits from and the report's credit_low/credit_high; NULL in rows from before.
      ALTER TABLE markov_model ADD COLUMN fit TEXT;
    `,
  },
  {
    version: 6,
    name: "credits by conversion and model (paths report)",
    sql: `
      -- The paths report joins each conversion to its credit rows under one model. With only
      -- credits_conversion (conversion_id) and credits_model_at (model, conversion_at) the planner
      -- could take the second for "conversion_id = ? AND model = ?" and scan a model's credits
      -- per conversion (quadratic). This one answers both columns and covers the path's columns.
      -- credits_conversion stays: reads by conversion_id alone keep its row order (insertion).
      CREATE INDEX credits_conversion_model ON credits (conversion_id, model, touch_index, channel, touchpoint_id);
    `,
  },
  {
    version: 9,
    name: "conversion paths (paths report)",
    sql: `
      -- What the paths report reads, per conversion and credited model: the conversion's columns
      -- (copied) and its path under the model, so that the report is one scan of a model's rows
      -- with no per-conversion or per-credit work (see conversionPaths.ts, which keeps it in step).
      -- Keyed by (model, conversion_id): the report scans a model's rows in conversion id order,
      -- the order the former query read conversions in, so sums and lists come out the same.
      -- path: json_group_array of the channels of the model's credit rows with a touch, in
      -- touch_index order (NULL: none); first_touch_at: the earliest time of their touchpoints.
      CREATE TABLE conversion_paths (
        model             TEXT NOT NULL,
        conversion_id     TEXT NOT NULL,
        conversion_at     INTEGER NOT NULL,
        conversion_name   TEXT NOT NULL,
        person_id         INTEGER,
        revenue           REAL NOT NULL,
        currency          TEXT,
        reporting_revenue REAL,
        touches           INTEGER NOT NULL,
        path              TEXT,
        first_touch_at    INTEGER,
        PRIMARY KEY (model, conversion_id)
      ) WITHOUT ROWID;
      CREATE INDEX conversion_paths_conversion ON conversion_paths (conversion_id);
      -- Filled from the stored credits under the credited models of this version, so that an
      -- upgraded database answers at once. A model added later needs a migration of its own that
      -- adds its rows (derivation writes them for the conversions it re-credits).
      INSERT INTO conversion_paths (model, conversion_id, conversion_at, conversion_name, person_id, revenue, currency,
        reporting_revenue, touches, path, first_touch_at)
      SELECT m.value, c.id, c.at, c.name, c.person_id, c.revenue, c.currency, c.reporting_revenue, count(cr.channel),
        CASE WHEN count(cr.channel) = 0 THEN NULL ELSE json_group_array(cr.channel ORDER BY cr.touch_index) END, min(t.at)
      FROM conversions c
      CROSS JOIN json_each('["first_touch","last_touch","last_non_direct","linear","time_decay","position_based","j_shaped","inverse_j","custom","participation","markov","shapley"]') m
      LEFT JOIN credits cr INDEXED BY credits_conversion_model
        ON cr.conversion_id = c.id AND cr.model = m.value AND cr.touch_index IS NOT NULL
      LEFT JOIN touchpoints t ON t.id = cr.touchpoint_id
      GROUP BY c.id, m.value;
    `,
  },
];
