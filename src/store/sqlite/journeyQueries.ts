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
  // The touch rows of a model's credits are the touches it considered, in touch order
  // (linear: every eligible touch). json_group_array keeps any character a channel may hold.
  const paths = db.prepare(
    `WITH conv AS (${CONVERSIONS_IN_RANGE}),
     per_conversion AS (
       SELECT conv.revenue, conv.currency, conv.reporting_revenue,
         (SELECT nullif(json_group_array(cr.channel ORDER BY cr.touch_index), '[]') FROM credits cr
          WHERE cr.conversion_id = conv.id AND cr.model = @model AND cr.touch_index IS NOT NULL) AS path
       FROM conv)
     SELECT path, count(*) AS conversions, coalesce(sum(reporting_revenue), 0) AS revenue,
       json_group_array(json_array(currency, revenue)) FILTER (WHERE reporting_revenue IS NULL) AS unconverted
     FROM per_conversion GROUP BY path ORDER BY conversions DESC, revenue DESC, path LIMIT @limit`,
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
       (SELECT count(*) FROM credits cr JOIN conv ON cr.conversion_id = conv.id
        WHERE cr.model = 'linear' AND cr.touch_index IS NOT NULL) AS touches`,
  );
  // Per conversion with an eligible touch: conversion time minus its first eligible touch's time.
  const timesToConversion = db.prepare(
    `WITH conv AS (${CONVERSIONS_IN_RANGE})
     SELECT conv.at - min(t.at) AS ms FROM conv
     JOIN credits cr ON cr.conversion_id = conv.id AND cr.model = 'linear' AND cr.touchpoint_id IS NOT NULL
     JOIN touchpoints t ON t.id = cr.touchpoint_id
     GROUP BY conv.id ORDER BY ms`,
  );

  const params = (f: JourneyFilter) => ({
    from: f.from ?? Number.MIN_SAFE_INTEGER,
    to: f.to ?? Number.MAX_SAFE_INTEGER,
    conversion: f.conversion,
  });

  return {
    /** The most common paths to conversion under `model`, most conversions first. */
    topPaths(f: JourneyFilter, model: string, limit: number): PathRow[] {
      return (paths.all({ ...params(f), model, limit }) as Array<Omit<PathRow, "unconverted"> & { unconverted: string | null }>).map((r) => ({
        ...r,
        unconverted: JSON.parse(r.unconverted ?? "[]") as Array<[string, number]>,
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
