import type { Db } from "./db.js";

/** Conversions in [from, to) (null: unbounded), optionally of one name. */
export interface JourneyFilter {
  from: number | null;
  to: number | null;
  conversion: string | null;
}

export interface PathRow {
  /** JSON array of channels in touch order; null when the conversion has no credited touch. */
  path: string | null;
  conversions: number;
  /** In REPORTING_CURRENCY. */
  revenue: number;
  /** [[currency, revenue], ...] of the conversions without a rate (one pair per conversion). */
  unconverted: Array<[string, number]>;
  /** Mean number of touches of the path's conversions (the path's length). */
  avg_touches: number;
  /** Mean ms from the first touch of the path to its conversion; null for a path of no touch. */
  avg_lag_ms: number | null;
  /** One person whose conversion took this path (the lowest person id), to show its journey. */
  example_person: number | null;
}

/** Conversions per path length (touches; 0: no credited touch) or per whole days from first touch. */
export interface PathBucket {
  bucket: number;
  conversions: number;
  /** In REPORTING_CURRENCY; `unconverted` as in PathRow. */
  revenue: number;
  unconverted: Array<[string, number]>;
}

export interface PathStats {
  paths: PathRow[];
  lengths: PathBucket[];
  /** Whole days from the first touch to the conversion; conversions with no touch are left out. */
  lags: PathBucket[];
  total: number;
}

export interface ConversionNameRow {
  name: string;
  /** track | crm */
  origin: string;
  conversions: number;
  /** In REPORTING_CURRENCY; `unconverted` as in PathRow. */
  revenue: number;
  unconverted: Array<[string, number]>;
}

const DAY_MS = 86_400_000;

interface StatRow {
  kind: "path" | "length" | "lag" | "total";
  path: string | null;
  bucket: number | null;
  conversions: number;
  revenue: number;
  /** JSON text (SQLite) or parsed JSON (PostgreSQL) of [[currency, revenue], ...]; null: none. */
  unconverted: string | Array<[string, number]> | null;
  avg_touches: number | null;
  avg_lag_ms: number | null;
  example_person: number | null;
}

/** [[currency, amount], ...] from JSON text (SQLite) or parsed JSON (PostgreSQL); null: none. */
export const unconvertedPairs = (v: string | Array<[string, number]> | null): Array<[string, number]> =>
  (v === null ? [] : typeof v === "string" ? (JSON.parse(v) as Array<[string, number]>) : v).map(([c, a]) => [c, Number(a)]);

/** Splits the rows of PATH_STATS (one statement, one pass over the conversions) by kind. */
export function pathStatsOf(rows: readonly StatRow[]): PathStats {
  const out: PathStats = { paths: [], lengths: [], lags: [], total: 0 };
  for (const r of rows) {
    const unconverted = unconvertedPairs(r.unconverted);
    const bucket = { bucket: Number(r.bucket), conversions: Number(r.conversions), revenue: Number(r.revenue), unconverted };
    if (r.kind === "path") {
      out.paths.push({
        path: r.path, conversions: Number(r.conversions), revenue: Number(r.revenue), unconverted,
        avg_touches: Number(r.avg_touches), avg_lag_ms: r.avg_lag_ms === null ? null : Number(r.avg_lag_ms),
        example_person: r.example_person === null ? null : Number(r.example_person),
      });
    } else if (r.kind === "length") out.lengths.push(bucket);
    else if (r.kind === "lag") out.lags.push(bucket);
    else out.total = Number(r.conversions);
  }
  // UNION ALL gives no order across its parts: each list is sorted here.
  const byCode = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
  out.paths.sort((a, b) => b.conversions - a.conversions || b.revenue - a.revenue || byCode(a.path, b.path));
  out.lengths.sort((a, b) => a.bucket - b.bucket);
  out.lags.sort((a, b) => a.bucket - b.bucket);
  return out;
}

export interface OverviewCounts {
  persons: number;
  devices: number;
  conversions: number;
  revenue: number;
  unconverted: Array<[string, number]>;
  touches: number;
}

// Conversions are filtered on the conversions table (not on credits) so that a conversion
// with no credit row at all still counts, as it does in the attribution totals.
// reporting_revenue: revenue in REPORTING_CURRENCY (NULL: no rate, kept in its currency).
const CONVERSIONS_IN_RANGE = `SELECT id, person_id, at, revenue, currency, reporting_revenue FROM conversions
  WHERE at >= @from AND at < @to AND (@conversion IS NULL OR name = @conversion)`;

/** Journey-level aggregates over stored conversions, credits and identities. */
export function journeyQueries(db: Db) {
  // One scan of the model's rows of conversion_paths (migration 9), which carries each
  // conversion's path and columns: no per-conversion lookup and no per-credit work (see
  // conversionPaths.ts for why the columns are copied). Its key order is conversion id, the
  // order conversions were read in before (a scan of conversions joined to their credits):
  // the same rows in the same order, so sums and the unconverted lists come out the same.
  const pathStats = db.prepare(
    `WITH per AS MATERIALIZED (
       SELECT revenue, currency, reporting_revenue, person_id, touches, path, conversion_at - first_touch_at AS lag
       FROM conversion_paths
       WHERE model = @model AND conversion_at >= @from AND conversion_at < @to AND (@conversion IS NULL OR conversion_name = @conversion))
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
     SELECT 'total', NULL, NULL, count(*), 0, NULL, NULL, NULL, NULL FROM per`,
  );
  const names = db.prepare(
    `SELECT name, origin, count(*) AS conversions, coalesce(sum(reporting_revenue), 0) AS revenue,
       json_group_array(json_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL) AS unconverted
     FROM conversions GROUP BY name, origin ORDER BY conversions DESC, name, origin`,
  );
  const conversionCount = db.prepare(`SELECT count(*) AS n FROM (${CONVERSIONS_IN_RANGE})`);

  // A person counts when it was active in range (a touchpoint or a conversion), or always when
  // the range is unbounded, so that persons known only from identify calls are counted too.
  const overview = db.prepare(
    `WITH conv AS (${CONVERSIONS_IN_RANGE}),
     active AS (
       SELECT person_id FROM persons p WHERE @bounded = 0
         OR EXISTS (SELECT 1 FROM touchpoints t WHERE t.person_id = p.person_id AND t.at >= @from AND t.at < @to)
         OR EXISTS (SELECT 1 FROM conv WHERE conv.person_id = p.person_id))
     SELECT
       (SELECT count(*) FROM active) AS persons,
       (SELECT count(*) FROM identities i JOIN active USING (person_id) WHERE i.kind = 'anonymousId' AND i.alias_only = 0) AS devices,
       (SELECT count(*) FROM conv) AS conversions,
       (SELECT coalesce(sum(reporting_revenue), 0) FROM conv) AS revenue,
       (SELECT json_group_array(json_array(currency, revenue)) FROM conv WHERE reporting_revenue IS NULL) AS unconverted,
       (SELECT count(*) FROM conv JOIN credits cr INDEXED BY credits_conversion_model
          ON cr.conversion_id = conv.id AND cr.model = 'linear' AND cr.touch_index IS NOT NULL) AS touches`,
  );
  // Per conversion with an eligible touch: conversion time minus its first eligible touch's time.
  // Both joins go from each conversion to its credits by the covering (conversion_id, model)
  // index: left to itself the planner scans every linear credit by credits_model_at, then looks
  // each row up in the table (2-8x slower at 20k conversions).
  const timesToConversion = db.prepare(
    `WITH conv AS (${CONVERSIONS_IN_RANGE})
     SELECT conv.at - min(t.at) AS ms FROM conv
     JOIN credits cr INDEXED BY credits_conversion_model ON cr.conversion_id = conv.id AND cr.model = 'linear' AND cr.touchpoint_id IS NOT NULL
     JOIN touchpoints t ON t.id = cr.touchpoint_id
     GROUP BY conv.id ORDER BY ms`,
  );

  const params = (f: JourneyFilter) => ({
    from: f.from ?? Number.MIN_SAFE_INTEGER,
    to: f.to ?? Number.MAX_SAFE_INTEGER,
    conversion: f.conversion,
  });

  return {
    /**
     * The `limit` most common paths to conversion under `model` (most conversions first), with
     * the distributions of path length and of days from first touch to conversion.
     */
    pathStats(f: JourneyFilter, model: string, limit: number): PathStats {
      return pathStatsOf(pathStats.all({ ...params(f), model, limit }) as StatRow[]);
    },
    /** Every conversion name with its origin (track event or won deal), most conversions first. */
    conversionNames(): ConversionNameRow[] {
      return (names.all() as Array<Omit<ConversionNameRow, "unconverted"> & { unconverted: string | null }>).map((r) => ({
        ...r,
        unconverted: unconvertedPairs(r.unconverted),
      }));
    },
    conversionCount(f: JourneyFilter): number {
      return (conversionCount.get(params(f)) as { n: number }).n;
    },
    overviewCounts(f: Omit<JourneyFilter, "conversion">): OverviewCounts {
      const bounded = f.from !== null || f.to !== null ? 1 : 0;
      const r = overview.get({ ...params({ ...f, conversion: null }), bounded }) as Omit<OverviewCounts, "unconverted"> & { unconverted: string | null };
      return { ...r, unconverted: JSON.parse(r.unconverted ?? "[]") as Array<[string, number]> };
    },
    /** Milliseconds from first eligible touch to conversion, ascending. */
    timesToConversion(f: Omit<JourneyFilter, "conversion">): number[] {
      return (timesToConversion.all(params({ ...f, conversion: null })) as Array<{ ms: number }>).map((r) => r.ms);
    },
  };
}
