import type { LookbackConversion, LookbackFilter, LookbackTouch } from "../sqlite/lookbackQueries.js";
import type { Sql } from "./sql.js";

/** Reads for report-time recomputation (see ../sqlite/lookbackQueries.ts). */
export function lookbackQueries(sql: Sql) {
  return {
    async conversionsInRange(f: LookbackFilter): Promise<LookbackConversion[]> {
      return sql.rows<LookbackConversion>(
        `SELECT person_id AS "personId", at, revenue FROM conversions
         WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR name = $3::text)
         ORDER BY person_id NULLS FIRST, at, id`,
        [f.from ?? Number.MIN_SAFE_INTEGER, f.to ?? Number.MAX_SAFE_INTEGER, f.conversion],
      );
    },
    async touchesOfPersons(personIds: readonly number[], atLeast: number, atMost: number): Promise<LookbackTouch[]> {
      if (personIds.length === 0) return [];
      return sql.rows<LookbackTouch>(
        `SELECT person_id AS "personId", at, channel, source, medium, campaign, click_id_type AS "clickIdType", rule
         FROM touchpoints
         WHERE person_id = ANY($1::bigint[]) AND at >= $2 AND at <= $3
         ORDER BY person_id, at, message_id`,
        [personIds, atLeast, atMost],
      );
    },
  };
}
