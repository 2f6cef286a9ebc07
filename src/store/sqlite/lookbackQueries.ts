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
  revenue: number;
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
 * conversions of a range, then the touches of their persons a chunk at a time. Touches come
 * in the order `touchpointsOf` gives them (the models' tie order), so that a recomputation
 * with LOOKBACK_DAYS equals the stored credits.
 */
export function lookbackQueries(db: Db) {
  const conversions = db.prepare(
    `SELECT person_id AS personId, at, revenue FROM conversions
     WHERE at >= @from AND at < @to AND (@conversion IS NULL OR name = @conversion)
     ORDER BY person_id, at, id`,
  );
  const touches = db.prepare(
    `SELECT person_id AS personId, at, channel, source, medium, campaign, click_id_type AS clickIdType, rule
     FROM touchpoints
     WHERE person_id IN (SELECT value FROM json_each(@ids)) AND at >= @atLeast AND at <= @atMost
     ORDER BY person_id, at, message_id`,
  );
  return {
    /** Conversions in range, by person (persons unknown first), then time. */
    conversionsInRange(f: LookbackFilter): LookbackConversion[] {
      return conversions.all({
        from: f.from ?? Number.MIN_SAFE_INTEGER,
        to: f.to ?? Number.MAX_SAFE_INTEGER,
        conversion: f.conversion,
      }) as LookbackConversion[];
    },
    /** The touches of these persons at times in [atLeast, atMost], by person, then in touchpointsOf's order. */
    touchesOfPersons(personIds: readonly number[], atLeast: number, atMost: number): LookbackTouch[] {
      if (personIds.length === 0) return [];
      return touches.all({ ids: JSON.stringify(personIds), atLeast, atMost }) as LookbackTouch[];
    },
  };
}
