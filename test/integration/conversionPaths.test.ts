import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CREDITED_MODELS } from "../../src/attribution/types.js";
import { parseCrmHit } from "../../src/crm/index.js";
import { applyNextRaw, DEFAULT_UNIT } from "../../src/deriver/index.js";
import { storeBatches } from "../../src/gateway/index.js";
import { DEAL_CONVERSION_NAME, erasePerson } from "../../src/pipeline/index.js";
import type { Pipeline } from "../../src/pipeline/context.js";
import { pathStatsOf, type JourneyFilter, type PathStats } from "../../src/store/sqlite/journeyQueries.js";
import { deriveAll, ingest, recompute, refitMarkov } from "../support/derive.js";
import { identify, page, track } from "../support/segmentMessages.js";
import { migrateAgain, onDatabase, silentLog, testPipeline } from "../support/testApp.js";

/*
 * The paths report reads conversion_paths (migration 9). Its reference here is the query it
 * replaced, kept as it was, run on the same database: a conversion joined to its credit rows
 * of the model and each credit to its touchpoint, per report. Whatever happened before (live
 * derivation, deal refunds and removals, erasure, a Markov refit, recompute) both must agree.
 */

const DAY_MS = 86_400_000;

const SQLITE_REFERENCE = `
  WITH conv AS (SELECT id, person_id, at, revenue, currency, reporting_revenue FROM conversions
    WHERE at >= @from AND at < @to AND (@conversion IS NULL OR name = @conversion)),
  per AS MATERIALIZED (
    SELECT conv.revenue, conv.currency, conv.reporting_revenue, conv.person_id, count(cr.channel) AS touches,
      CASE WHEN count(cr.channel) = 0 THEN NULL ELSE json_group_array(cr.channel ORDER BY cr.touch_index) END AS path,
      conv.at - min(t.at) AS lag
    FROM conv
    LEFT JOIN credits cr INDEXED BY credits_conversion_model
      ON cr.conversion_id = conv.id AND cr.model = @model AND cr.touch_index IS NOT NULL
    LEFT JOIN touchpoints t ON t.id = cr.touchpoint_id
    GROUP BY conv.id)
  SELECT * FROM (
    SELECT 'path' AS kind, path, NULL AS bucket, count(*) AS conversions, coalesce(sum(reporting_revenue), 0) AS revenue,
      json_group_array(json_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL) AS unconverted,
      avg(touches) AS avg_touches, avg(lag) AS avg_lag_ms, min(person_id) AS example_person
    FROM per GROUP BY path ORDER BY conversions DESC, revenue DESC, path LIMIT @limit)
  UNION ALL
  SELECT 'length', NULL, touches, count(*), coalesce(sum(reporting_revenue), 0),
    json_group_array(json_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL), NULL, NULL, NULL FROM per GROUP BY touches
  UNION ALL
  SELECT 'lag', NULL, lag / ${DAY_MS}, count(*), coalesce(sum(reporting_revenue), 0),
    json_group_array(json_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL), NULL, NULL, NULL
  FROM per WHERE lag IS NOT NULL GROUP BY lag / ${DAY_MS}
  UNION ALL
  SELECT 'total', NULL, NULL, count(*), 0, NULL, NULL, NULL, NULL FROM per`;

const POSTGRES_REFERENCE = `
  WITH conv AS (SELECT id, person_id, at, revenue, currency, reporting_revenue FROM conversions
    WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR name = $3::text)),
  per AS MATERIALIZED (
    SELECT conv.revenue, conv.currency, conv.reporting_revenue, conv.person_id, count(cr.channel)::int AS touches,
      '[' || string_agg(to_json(cr.channel)::text, ',' ORDER BY cr.touch_index) || ']' AS path,
      conv.at - min(t.at) AS lag
    FROM conv
    LEFT JOIN credits cr ON cr.conversion_id = conv.id AND cr.model = $4 AND cr.touch_index IS NOT NULL
    LEFT JOIN touchpoints t ON t.id = cr.touchpoint_id
    GROUP BY conv.id, conv.revenue, conv.currency, conv.reporting_revenue, conv.at, conv.person_id)
  (SELECT 'path' AS kind, path, NULL::bigint AS bucket, count(*)::int AS conversions, coalesce(sum(reporting_revenue), 0) AS revenue,
     json_agg(json_build_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL) AS unconverted,
     avg(touches)::float8 AS avg_touches, avg(lag)::float8 AS avg_lag_ms, min(person_id) AS example_person
   FROM per GROUP BY path ORDER BY conversions DESC, revenue DESC, path COLLATE "C" NULLS FIRST LIMIT $5)
  UNION ALL
  SELECT 'length', NULL, touches, count(*)::int, coalesce(sum(reporting_revenue), 0), json_agg(json_build_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL), NULL, NULL, NULL
  FROM per GROUP BY touches
  UNION ALL
  SELECT 'lag', NULL, lag / ${DAY_MS}, count(*)::int, coalesce(sum(reporting_revenue), 0), json_agg(json_build_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL), NULL, NULL, NULL
  FROM per WHERE lag IS NOT NULL GROUP BY lag / ${DAY_MS}
  UNION ALL
  SELECT 'total', NULL, NULL, count(*)::int, 0, NULL::json, NULL, NULL, NULL FROM per`;

type StatRows = Parameters<typeof pathStatsOf>[0];

/** The reference's answer for each (filter, model) pair, in order, on one connection. */
async function referencePathStats(p: Pipeline, cases: ReadonlyArray<{ f: JourneyFilter; model: string }>, limit: number): Promise<PathStats[]> {
  const args = cases.map(({ f, model }) => ({ from: f.from ?? Number.MIN_SAFE_INTEGER, to: f.to ?? Number.MAX_SAFE_INTEGER, conversion: f.conversion, model }));
  const rows = await onDatabase(p, {
    sqlite: (db) => {
      const st = db.prepare(SQLITE_REFERENCE);
      return args.map((a) => st.all({ ...a, limit }) as StatRows);
    },
    postgres: async (pool) => {
      const out: StatRows[] = [];
      for (const a of args) out.push((await pool.query(POSTGRES_REFERENCE, [a.from, a.to, a.conversion, a.model, limit])).rows as StatRows);
      return out;
    },
  });
  return rows.map(pathStatsOf);
}

/**
 * The unconverted pairs of a row in one order: the report sums them per currency, and
 * PostgreSQL's json_agg lists them in whatever order its plan met the conversions (on SQLite
 * both queries read conversions in id order and the lists already agree). Every other field
 * is compared as it is: the test amounts are whole, so sums do not depend on their order.
 */
function comparable(s: PathStats): PathStats {
  const sorted = (u: Array<[string, number]>) => [...u].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return {
    paths: s.paths.map((r) => ({ ...r, unconverted: sorted(r.unconverted) })),
    lengths: s.lengths.map((r) => ({ ...r, unconverted: sorted(r.unconverted) })),
    lags: s.lags.map((r) => ({ ...r, unconverted: sorted(r.unconverted) })),
    total: s.total,
  };
}

const ALL_TIME: JourneyFilter = { from: null, to: null, conversion: null };
const FILTERS: JourneyFilter[] = [
  ALL_TIME,
  { from: Date.UTC(2026, 0, 4), to: Date.UTC(2026, 0, 12), conversion: null },
  { from: null, to: null, conversion: "Order Completed" },
  { from: Date.UTC(2026, 0, 2), to: null, conversion: DEAL_CONVERSION_NAME },
];

async function expectSameAsReference(p: Pipeline, filters: readonly JourneyFilter[], limit: number, when: string): Promise<void> {
  const cases = filters.flatMap((f) => CREDITED_MODELS.map((model) => ({ f, model })));
  const references = await referencePathStats(p, cases, limit);
  for (const [i, { f, model }] of cases.entries()) {
    const reference = references[i]!;
    // The reference counts what the store counts: it is not answering about an empty database.
    expect(reference.total, when).toBe(await p.store.journeys.conversionCount(f));
    expect(comparable(await p.store.journeys.pathStats(f, model, limit)), `${when}: ${model} ${JSON.stringify(f)}`).toEqual(comparable(reference));
  }
}

const minuteTime = (minute: number) => new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString();
const referrers = ["https://www.google.com/", "", "https://t.co/x", "https://news.example.org/a"];
const queries = ["", "?utm_source=newsletter&utm_medium=email", "?gclid=1", "?utm_source=fb&utm_medium=paid_social"];

const operation = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("page" as const), anon: fc.constantFrom("a1", "a2", "a3", "a4"), minute: fc.nat(20 * 24 * 60), ref: fc.constantFrom(...referrers), query: fc.constantFrom(...queries) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("identify" as const), anon: fc.constantFrom("a1", "a2", "a3", "a4"), user: fc.constantFrom("u1", "u2"), minute: fc.nat(20 * 24 * 60) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("track" as const),
      who: fc.constantFrom("a1", "a2", "a3", "a4", "u1", "u2"),
      event: fc.constantFrom("Order Completed", "Signed Up"),
      minute: fc.nat(20 * 24 * 60),
      revenue: fc.nat(400),
      // No rate is configured: EUR revenue stays unconverted.
      currency: fc.constantFrom(null, "USD", "EUR"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("deal" as const),
      dealId: fc.constantFrom("D1", "D2"),
      // won creates the deal's conversion; refunded and lost remove it
      status: fc.constantFrom("won", "won", "refunded", "lost"),
      amount: fc.nat(900),
      userId: fc.constantFrom("u1", "u2"),
      day: fc.integer({ min: 1, max: 15 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("erase" as const), who: fc.constantFrom("a1", "a2", "u1", "u2") }) },
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

/** Writes the operation's raw row (a message, a CRM hit) or erases; derivation is left to the caller. */
async function write(p: Pipeline, op: Operation, n: number): Promise<void> {
  if (op.kind === "erase") {
    await erasePerson(p.store, { kind: op.who.startsWith("u") ? "userId" : "anonymousId", value: op.who });
  } else if (op.kind === "deal") {
    const body = {
      dealId: op.dealId,
      status: op.status,
      amount: op.amount,
      userId: op.userId,
      createdAt: new Date(Date.UTC(2026, 0, op.day)).toISOString(),
      updatedAt: new Date(Date.UTC(2026, 0, op.day, 0, n)).toISOString(),
    };
    const receivedAt = Date.UTC(2026, 1, 1);
    const parsed = parseCrmHit(body, receivedAt);
    if (parsed.kind !== "ok") throw new Error(parsed.message);
    await p.store.transaction(() => p.store.raw.insertHit(`hit-${n}`, parsed.hit.dealId, receivedAt, JSON.stringify(body), null));
  } else {
    const message =
      op.kind === "page"
        ? page(op.anon, minuteTime(op.minute), `https://shop.example/${op.query}`, op.ref)
        : op.kind === "identify"
          ? identify(op.user, op.anon, minuteTime(op.minute))
          : track(op.who.startsWith("u") ? { userId: op.who } : { anonymousId: op.who }, op.event, minuteTime(op.minute), {
              revenue: op.revenue,
              ...(op.currency === null ? {} : { currency: op.currency }),
            });
    await storeBatches(p.store, [[message]], p.now());
  }
}

describe("the paths report from conversion_paths", () => {
  test("equals the former per-credit query after any derivation, deal refund or removal, erasure, refit and recompute", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 14 }), fc.integer({ min: 1, max: 4 }), async (ops, limit) => {
        const p = testPipeline({ SITE_DOMAINS: "shop.example", CRM_WEBHOOK_TOKEN: "t" });
        try {
          for (const [n, op] of ops.entries()) {
            await write(p, op, n);
            // Step one of derivation alone (identities merged, conversions written or removed,
            // touchpoints rebuilt), before the person is re-credited in a later transaction.
            await applyNextRaw(p, silentLog, DEFAULT_UNIT);
            await expectSameAsReference(p, [ALL_TIME], limit, `${op.kind} ${n + 1} applied, not derived`);
            await deriveAll(p);
            await expectSameAsReference(p, [ALL_TIME], limit, `${op.kind} ${n + 1} derived`);
          }
          await refitMarkov(p);
          await expectSameAsReference(p, FILTERS, limit, "after the Markov refit");
          await recompute(p);
          await expectSameAsReference(p, FILTERS, limit, "after recompute");
        } finally {
          await p.cleanup();
        }
      }),
      { numRuns: 20 },
    );
    // Each run derives, refits and recomputes a store of its own (on PostgreSQL a fresh schema).
  }, 600_000);

  test("a conversion applied but not credited yet counts in the report as the Unattributed path, as it did", async () => {
    const p = testPipeline({ SITE_DOMAINS: "shop.example" });
    try {
      await ingest(p, [page("a1", "2026-01-02T10:00:00Z", "https://shop.example/", "https://www.google.com/")]);
      // A track stored but not applied yet (no conversion), and a conversion written as step one
      // of derivation writes it, before any credit: the report counts the second only.
      await storeBatches(p.store, [[track({ anonymousId: "a1" }, "Order Completed", "2026-01-02T11:00:00Z", { revenue: 5 })]], p.now());
      await p.store.transaction(async () => {
        const conversion = { id: "msg:late", personId: null, name: "Order Completed", at: Date.UTC(2026, 0, 3), revenue: 7, currency: null, origin: "track" as const };
        await p.store.derived.upsertConversion(conversion);
      });
      const stats = await p.store.journeys.pathStats(ALL_TIME, "linear", 5);
      expect(stats.total).toBe(1);
      expect(stats.paths).toEqual([expect.objectContaining({ path: null, conversions: 1, revenue: 7, avg_touches: 0, avg_lag_ms: null })]);
      await expectSameAsReference(p, FILTERS, 5, "before derivation");
      await deriveAll(p);
      await expectSameAsReference(p, FILTERS, 5, "after derivation");
    } finally {
      await p.cleanup();
    }
  });

  test("a merge moves the paths' example person at once, before the merged person is re-credited", async () => {
    const p = testPipeline({ SITE_DOMAINS: "shop.example" });
    try {
      await ingest(p, [
        page("a1", "2026-01-02T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
        track({ anonymousId: "a1" }, "Order Completed", "2026-01-02T11:00:00Z", { revenue: 5 }),
        page("a2", "2026-01-02T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
        identify("u1", "a2", "2026-01-02T10:01:00Z"),
      ]);
      const before = (await p.store.journeys.pathStats(ALL_TIME, "linear", 5)).paths[0]!.example_person;
      await storeBatches(p.store, [[identify("u1", "a1", "2026-01-03T10:00:00Z")]], p.now());
      await applyNextRaw(p, silentLog, DEFAULT_UNIT);
      const after = (await p.store.journeys.pathStats(ALL_TIME, "linear", 5)).paths[0]!.example_person;
      expect(after).not.toBe(before);
      await expectSameAsReference(p, FILTERS, 5, "merged, not re-credited");
    } finally {
      await p.cleanup();
    }
  });

  test("a device re-derived from a late message moves its conversions' first touch at once", async () => {
    const p = testPipeline({ SITE_DOMAINS: "shop.example" });
    try {
      await ingest(p, [
        page("a1", "2026-01-02T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
        track({ anonymousId: "a1" }, "Order Completed", "2026-01-03T10:00:00Z", { revenue: 5 }),
      ]);
      const lag = async () => (await p.store.journeys.pathStats(ALL_TIME, "linear", 5)).paths[0]!.avg_lag_ms;
      const before = await lag();
      // Within the same visit, earlier: the device's touchpoints are rebuilt. The credits, not
      // re-derived yet, name a touchpoint id that SQLite hands out again (the visit now starts
      // an hour earlier) and PostgreSQL never does (no first touch): either way it moved.
      await storeBatches(p.store, [[page("a1", "2026-01-02T09:00:00Z", "https://shop.example/", "https://www.google.com/")]], p.now());
      await applyNextRaw(p, silentLog, DEFAULT_UNIT);
      expect(await lag()).not.toBe(before);
      await expectSameAsReference(p, FILTERS, 5, "device re-derived, not re-credited");
      await deriveAll(p);
      await expectSameAsReference(p, FILTERS, 5, "re-credited");
    } finally {
      await p.cleanup();
    }
  });

  test("migration 9 fills conversion_paths from the credits of a database created before it", async () => {
    const p = testPipeline({ SITE_DOMAINS: "shop.example", CRM_WEBHOOK_TOKEN: "t" });
    try {
      await ingest(p, [
        page("a1", "2026-01-02T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
        page("a1", "2026-01-04T10:00:00Z", "https://shop.example/?utm_source=newsletter&utm_medium=email"),
        identify("u1", "a1", "2026-01-04T10:01:00Z"),
        track({ userId: "u1" }, "Order Completed", "2026-01-05T10:00:00Z", { revenue: 30, currency: "EUR" }),
        page("a2", "2026-01-06T10:00:00Z", "https://shop.example/?gclid=1"),
        track({ anonymousId: "a2" }, "Order Completed", "2026-01-06T10:30:00Z", { revenue: 12 }),
        track({ anonymousId: "a3" }, "Signed Up", "2026-01-07T10:30:00Z"),
      ]);
      await refitMarkov(p);
      const rows = (db: "sqlite" | "postgres") =>
        `SELECT * FROM conversion_paths ORDER BY model${db === "postgres" ? ' COLLATE "C"' : ""}, conversion_id${db === "postgres" ? ' COLLATE "C"' : ""}`;
      const read = () =>
        onDatabase(p, {
          sqlite: (db) => db.prepare(rows("sqlite")).all() as unknown[],
          postgres: async (pool) => (await pool.query(rows("postgres"))).rows as unknown[],
        });
      const kept = await read();
      // Every conversion has a row under every credited model (the list migration 9 was written with).
      expect(kept).toHaveLength(3 * CREDITED_MODELS.length);

      // The database as it was before migration 9: no table, the migration not applied.
      const undo = "DROP TABLE conversion_paths; DELETE FROM schema_migrations WHERE version = 9;";
      await onDatabase(p, { sqlite: (db) => void db.exec(undo), postgres: async (pool) => void (await pool.query(undo)) });
      expect(await migrateAgain(p)).toBe(1);

      expect(await read()).toEqual(kept);
      await expectSameAsReference(p, FILTERS, 3, "after migration 9");
    } finally {
      await p.cleanup();
    }
  });
});
