import type { Db } from "./db.js";

/** Conversions in [from, to) (null: unbounded), optionally of one name. */
export interface LookbackFilter {
  from: number | null;
  to: number | null;
  conversion: string | null;
}

/** A conversion as a report-time recomputation needs it. */
export interface LookbackConversion {
  /** Null for a won deal whose person is not known yet (credited Unattributed). */
  personId: number | null;
  at: number;
  /** In the reporting currency (currency null), or in `currency` when it has no rate. */
  revenue: number;
  currency: string | null;
}

/** A touchpoint as a report-time recomputation needs it (the models' inputs and the grouping fields). */
export interface LookbackTouch {
  personId: number;
  at: number;
  channel: string;
  source: string;
  medium: string;
  campaign: string | null;
  clickIdType: string | null;
  rule: string;
}

/**
 * Reads for reports that recompute rule models at query time (`lookbackDays`): the
 * conversions of a range and the touches of their persons, a chunk of persons at a time (so
 * that no statement holds the serving thread long). Touches come
 * in the order `touchpointsOf` gives them (the models' tie order), so that a recomputation
 * with LOOKBACK_DAYS equals the stored credits.
 */
export function lookbackQueries(db: Db) {
  const range = "at >= @from AND at < @to AND (@conversion IS NULL OR name = @conversion)";
  const unowned = db.prepare(`SELECT person_id AS personId, at, COALESCE(reporting_revenue, revenue) AS revenue, CASE WHEN reporting_revenue IS NULL THEN currency END AS currency FROM conversions WHERE person_id IS NULL AND ${range} ORDER BY at, id`);
  // The next `limit` persons (by id) with a conversion in range, and those conversions.
  const page = db.prepare(
    `WITH ps AS (SELECT DISTINCT person_id FROM conversions WHERE person_id > @after AND ${range} ORDER BY person_id LIMIT @limit)
     SELECT c.person_id AS personId, c.at, COALESCE(c.reporting_revenue, c.revenue) AS revenue, CASE WHEN c.reporting_revenue IS NULL THEN c.currency END AS currency FROM ps JOIN conversions c ON c.person_id = ps.person_id
     WHERE c.at >= @from AND c.at < @to AND (@conversion IS NULL OR c.name = @conversion)
     ORDER BY c.person_id, c.at, c.id`,
  );
  const touches = db.prepare(
    `SELECT person_id AS personId, at, channel, source, medium, campaign, click_id_type AS clickIdType, rule
     FROM touchpoints
     WHERE person_id IN (SELECT value FROM json_each(@ids)) AND at >= @atLeast AND at <= @atMost
     ORDER BY person_id, at, message_id`,
  );
  const params = (f: LookbackFilter) => ({ from: f.from ?? Number.MIN_SAFE_INTEGER, to: f.to ?? Number.MAX_SAFE_INTEGER, conversion: f.conversion });
  return {
    /** Conversions in range of no known person (won deals waiting for an identity), by time. */
    unownedConversions(f: LookbackFilter): LookbackConversion[] {
      return unowned.all(params(f)) as LookbackConversion[];
    },
    /**
     * The conversions in range of the next `limit` persons with one, after person `after` in
     * id order: by person, then time. Empty when there is none left.
     */
    conversionsOfNextPersons(f: LookbackFilter, after: number, limit: number): LookbackConversion[] {
      return page.all({ ...params(f), after, limit }) as LookbackConversion[];
    },
    /** The touches of these persons at times in [atLeast, atMost], by person, then in touchpointsOf's order. */
    touchesOfPersons(personIds: readonly number[], atLeast: number, atMost: number): LookbackTouch[] {
      if (personIds.length === 0) return [];
      return touches.all({ ids: JSON.stringify(personIds), atLeast, atMost }) as LookbackTouch[];
    },
  };
}
