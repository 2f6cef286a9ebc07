import type { Store } from "../index.js";
import { pathStatsOf, unconvertedPairs, type ConversionNameRow, type JourneyFilter, type OverviewCounts } from "../sqlite/journeyQueries.js";
import type { Sql } from "./sql.js";

// $1 from, $2 to, $3 conversion name (or null). Filtered on conversions, not credits: see ../sqlite/journeyQueries.ts.
const DAY_MS = 86_400_000;
const CONVERSIONS_IN_RANGE = `SELECT id, person_id, at, revenue, currency, reporting_revenue FROM conversions
  WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR name = $3::text)`;

// One scan of the model's rows of conversion_paths (migration 9; see ../sqlite/journeyQueries.ts):
// $1 from, $2 to, $3 conversion name (or null), $4 model, $5 limit.
const PATH_STATS = `
  WITH per AS MATERIALIZED (
    SELECT revenue, currency, reporting_revenue, person_id, touches, path, conversion_at - first_touch_at AS lag
    FROM conversion_paths
    WHERE model = $4 AND conversion_at >= $1 AND conversion_at < $2 AND ($3::text IS NULL OR conversion_name = $3::text))
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

const NAMES = `
  SELECT name, origin, count(*)::int AS conversions, coalesce(sum(reporting_revenue), 0) AS revenue,
    json_agg(json_build_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL) AS unconverted
  FROM conversions GROUP BY name, origin ORDER BY conversions DESC, name COLLATE "C", origin COLLATE "C"`;

// $4: 0 when the range is unbounded (every person counts, see ../sqlite/journeyQueries.ts).
const OVERVIEW = `
  WITH conv AS (${CONVERSIONS_IN_RANGE}),
  active AS (
    SELECT person_id FROM persons p WHERE $4::int = 0
      OR EXISTS (SELECT 1 FROM touchpoints t WHERE t.person_id = p.person_id AND t.at >= $1 AND t.at < $2)
      OR EXISTS (SELECT 1 FROM conv WHERE conv.person_id = p.person_id))
  SELECT
    (SELECT count(*) FROM active) AS persons,
    (SELECT count(*) FROM identities i JOIN active USING (person_id) WHERE i.kind = 'anonymousId' AND i.alias_only = 0) AS devices,
    (SELECT count(*) FROM conv) AS conversions,
    (SELECT coalesce(sum(reporting_revenue), 0) FROM conv) AS revenue,
    (SELECT json_agg(json_build_array(currency, revenue)) FROM conv WHERE reporting_revenue IS NULL) AS unconverted,
    (SELECT count(*) FROM credits cr JOIN conv ON cr.conversion_id = conv.id
     WHERE cr.model = 'linear' AND cr.touch_index IS NOT NULL) AS touches`;

const TIMES_TO_CONVERSION = `
  WITH conv AS (${CONVERSIONS_IN_RANGE})
  SELECT conv.at - min(t.at) AS ms FROM conv
  JOIN credits cr ON cr.conversion_id = conv.id AND cr.model = 'linear' AND cr.touchpoint_id IS NOT NULL
  JOIN touchpoints t ON t.id = cr.touchpoint_id
  GROUP BY conv.id, conv.at ORDER BY ms`;

const params = (f: JourneyFilter) => [f.from ?? Number.MIN_SAFE_INTEGER, f.to ?? Number.MAX_SAFE_INTEGER, f.conversion] as const;

/** Journey-level aggregates over stored conversions, credits and identities. */
export function journeyQueries(sql: Sql): Store["journeys"] {
  return {
    async pathStats(f, model, limit) {
      return pathStatsOf(await sql.rows<Parameters<typeof pathStatsOf>[0][number]>(PATH_STATS, [...params(f), model, limit]));
    },
    async conversionNames() {
      const rows = await sql.rows<Omit<ConversionNameRow, "unconverted"> & { unconverted: Array<[string, number]> | null }>(NAMES);
      return rows.map((r) => ({ ...r, unconverted: unconvertedPairs(r.unconverted) }));
    },
    async conversionCount(f) {
      return (await sql.one<{ n: number }>(`SELECT count(*) AS n FROM (${CONVERSIONS_IN_RANGE}) AS conv`, params(f)))!.n;
    },
    async overviewCounts(f) {
      const bounded = f.from !== null || f.to !== null ? 1 : 0;
      const r = (await sql.one<OverviewCounts>(OVERVIEW, [...params({ ...f, conversion: null }), bounded]))!;
      return { ...r, unconverted: r.unconverted ?? [] };
    },
    async timesToConversion(f) {
      return (await sql.rows<{ ms: number }>(TIMES_TO_CONVERSION, params({ ...f, conversion: null }))).map((r) => r.ms);
    },
  };
}
