import type { GroupBy, ReportRow, Store } from "../index.js";
import { split } from "../sqlite/reportQueries.js";
import { LOCK_REPORT_DAY } from "./locks.js";
import type { Sql } from "./sql.js";

const DAY_MS = 86_400_000;

// Credits with no touchpoint belong to `Unattributed` whatever the grouping.
const keyOf = (g: GroupBy, isTouch: string): string =>
  ({
    channel: "channel",
    source: `CASE WHEN ${isTouch} THEN source ELSE channel END`,
    source_medium: `CASE WHEN ${isTouch} THEN source || ' / ' || medium ELSE channel END`,
    campaign: `CASE WHEN ${isTouch} THEN coalesce(campaign, '(not set)') ELSE channel END`,
  })[g];

/**
 * Dirty days are claimed by deleting their rows (SKIP LOCKED: rows another instance is
 * claiming are left to it), so that a day is re-summed by one transaction, never added up
 * twice by two. A credit change marks its day again with INSERT ... ON CONFLICT DO NOTHING,
 * which waits for a claim of that day in flight and then re-inserts it: the change is summed
 * by the next refresh, never lost between a claim and its commit.
 */
const CLAIM_DAYS = `
  WITH claimed AS (SELECT day FROM report_dirty_days ORDER BY day LIMIT $1 FOR UPDATE SKIP LOCKED)
  DELETE FROM report_dirty_days d USING claimed c WHERE d.day = c.day RETURNING d.day`;

// Every model that has credits, by a loose index scan of credits_model_at (not a full scan).
const MODELS = `
  WITH RECURSIVE m AS (
    (SELECT model FROM credits ORDER BY model LIMIT 1)
    UNION ALL
    SELECT (SELECT c.model FROM credits c WHERE c.model > m.model ORDER BY c.model LIMIT 1) FROM m WHERE m.model IS NOT NULL)
  SELECT model FROM m WHERE model IS NOT NULL`;

const SUM_DAYS = `
  INSERT INTO report_days (model, day, conversion_name, is_touch, channel, source, medium, campaign, currency, conversions, revenue)
  SELECT c.model, d.day, c.conversion_name, (c.touchpoint_id IS NOT NULL)::int, c.channel, c.source, c.medium, c.campaign,
    c.currency, sum(c.credit), sum(c.credit * c.revenue)
  FROM unnest($1::bigint[]) AS d (day)
  CROSS JOIN (${MODELS}) AS models
  JOIN credits c ON c.model = models.model AND c.conversion_at >= d.day * ${DAY_MS} AND c.conversion_at < (d.day + 1) * ${DAY_MS}
  GROUP BY c.model, d.day, c.conversion_name, c.touchpoint_id IS NOT NULL, c.channel, c.source, c.medium, c.campaign, c.currency`;

// $9 channel, $10 "source / medium" (drill-down; null: all).
const DRILL = `
      AND ($9::text IS NULL OR channel = $9::text) AND ($10::text IS NULL OR source || ' / ' || medium = $10::text)`;

/** $1 model, $2 conversion, $3 dayFrom, $4 dayTo, $5 aFrom, $6 aTo, $7 bFrom, $8 bTo (see ../sqlite/reportQueries.ts). */
const grouped = (g: GroupBy) => `
  SELECT key, currency, sum(c) AS conversions, sum(r) AS revenue FROM (
    SELECT ${keyOf(g, "is_touch = 1")} AS key, currency, conversions AS c, revenue AS r FROM report_days rd
    WHERE model = $1 AND day >= $3 AND day < $4
      AND NOT EXISTS (SELECT 1 FROM report_dirty_days dd WHERE dd.day = rd.day)
      AND ($2::text IS NULL OR conversion_name = $2::text)${DRILL}
    UNION ALL
    SELECT ${keyOf(g, "touchpoint_id IS NOT NULL")} AS key, currency, credit AS c, credit * revenue AS r FROM credits
    WHERE model = $1 AND ((conversion_at >= $5 AND conversion_at < $6) OR (conversion_at >= $7 AND conversion_at < $8))
      AND ($2::text IS NULL OR conversion_name = $2::text)${DRILL}
    UNION ALL
    SELECT ${keyOf(g, "touchpoint_id IS NOT NULL")} AS key, currency, credit AS c, credit * revenue AS r
    FROM report_dirty_days d JOIN credits ON model = $1
      AND conversion_at >= d.day * ${DAY_MS} AND conversion_at < (d.day + 1) * ${DAY_MS}
    WHERE d.day >= $3 AND d.day < $4
      AND ($2::text IS NULL OR conversion_name = $2::text)${DRILL}) AS parts
  GROUP BY key, currency ORDER BY key COLLATE "C", currency COLLATE "C" NULLS FIRST`;

const GROUPED = Object.fromEntries((["channel", "source", "source_medium", "campaign"] as GroupBy[]).map((g) => [g, grouped(g)])) as Record<GroupBy, string>;

/** Attribution reports over `report_days` and `credits` (see ../sqlite/reportQueries.ts). */
export function reportQueries(sql: Sql): Store["reports"] {
  return {
    async dirtyDayCount() {
      return (await sql.one<{ n: number }>("SELECT count(*) AS n FROM report_dirty_days"))!.n;
    },
    // Autovacuum keeps PostgreSQL's statistics current.
    async optimize() {},
    /**
     * Claims up to `limit` dirty days and re-sums them; returns how many. Each day is also
     * locked (advisory, in day order) while it is re-summed, so that even two transactions
     * holding the same day could not add it up twice: the second deletes what the first wrote.
     */
    async refreshDirtyDays(limit) {
      return sql.atomic(async () => {
        const days = (await sql.rows<{ day: number }>(CLAIM_DAYS, [limit])).map((r) => r.day).sort((a, b) => a - b);
        if (days.length === 0) return 0;
        await sql.rows(`SELECT pg_advisory_xact_lock(${LOCK_REPORT_DAY}, d::int) FROM unnest($1::bigint[]) AS d ORDER BY d`, [days]);
        await sql.run("DELETE FROM report_days WHERE day = ANY($1::bigint[])", [days]);
        await sql.run(SUM_DAYS, [days]);
        return days.length;
      });
    },
    async attributionRows(f, groupBy) {
      const s = split(f.from, f.to);
      return sql.rows<ReportRow>(GROUPED[groupBy], [f.model, f.conversion, s.dayFrom, s.dayTo, s.aFrom, s.aTo, s.bFrom, s.bTo,
        f.channel ?? null, f.sourceMedium ?? null]);
    },
  };
}
