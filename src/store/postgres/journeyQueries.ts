import type { Store } from "../index.js";
import type { JourneyFilter, OverviewCounts, PathRow } from "../sqlite/journeyQueries.js";
import type { Sql } from "./sql.js";

// $1 from, $2 to, $3 conversion name (or null). Filtered on conversions, not credits: see ../sqlite/journeyQueries.ts.
const CONVERSIONS_IN_RANGE = `SELECT id, person_id, at, revenue, currency, reporting_revenue FROM conversions
  WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR name = $3::text)`;

// A path is the JSON array SQLite's json_group_array writes (no spaces): json_agg would add them.
const PATHS = `
  WITH conv AS (${CONVERSIONS_IN_RANGE}),
  per_conversion AS (
    SELECT conv.revenue, conv.currency, conv.reporting_revenue,
      (SELECT '[' || string_agg(to_json(cr.channel)::text, ',' ORDER BY cr.touch_index) || ']' FROM credits cr
       WHERE cr.conversion_id = conv.id AND cr.model = $4 AND cr.touch_index IS NOT NULL) AS path
    FROM conv)
  SELECT path, count(*) AS conversions, coalesce(sum(reporting_revenue), 0) AS revenue,
    json_agg(json_build_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL) AS unconverted
  FROM per_conversion GROUP BY path ORDER BY conversions DESC, revenue DESC, path COLLATE "C" LIMIT $5`;

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
    async topPaths(f, model, limit) {
      return (await sql.rows<PathRow>(PATHS, [...params(f), model, limit])).map((r) => ({ ...r, unconverted: r.unconverted ?? [] }));
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
