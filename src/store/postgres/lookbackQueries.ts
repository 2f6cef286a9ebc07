import type { LookbackConversion, LookbackFilter, LookbackTouch } from "../sqlite/lookbackQueries.js";
import type { Sql } from "./sql.js";

/** Reads for report-time recomputation (see ../sqlite/lookbackQueries.ts). */
export function lookbackQueries(sql: Sql) {
  const range = (a: number) => `at >= $${a} AND at < $${a + 1} AND ($${a + 2}::text IS NULL OR name = $${a + 2}::text)`;
  const params = (f: LookbackFilter) => [f.from ?? Number.MIN_SAFE_INTEGER, f.to ?? Number.MAX_SAFE_INTEGER, f.conversion] as const;
  return {
    async unownedConversions(f: LookbackFilter): Promise<LookbackConversion[]> {
      return sql.rows<LookbackConversion>(
        `SELECT person_id AS "personId", at, COALESCE(reporting_revenue, revenue) AS revenue, CASE WHEN reporting_revenue IS NULL THEN currency END AS currency FROM conversions WHERE person_id IS NULL AND ${range(1)} ORDER BY at, id`,
        [...params(f)],
      );
    },
    async conversionsOfNextPersons(f: LookbackFilter, after: number, limit: number): Promise<LookbackConversion[]> {
      return sql.rows<LookbackConversion>(
        `WITH ps AS (SELECT DISTINCT person_id FROM conversions WHERE person_id > $4 AND ${range(1)} ORDER BY person_id LIMIT $5)
         SELECT c.person_id AS "personId", c.at, COALESCE(c.reporting_revenue, c.revenue) AS revenue, CASE WHEN c.reporting_revenue IS NULL THEN c.currency END AS currency FROM ps JOIN conversions c ON c.person_id = ps.person_id
         WHERE c.at >= $1 AND c.at < $2 AND ($3::text IS NULL OR c.name = $3::text)
         ORDER BY c.person_id, c.at, c.id`,
        [...params(f), after, limit],
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
