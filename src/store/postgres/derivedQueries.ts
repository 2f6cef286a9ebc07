import type { StoredFit } from "../../attribution/modelFits.js";
import type { Store } from "../index.js";
import type { CreditRow } from "../types.js";
import { conversionParams, sameCredits } from "../sqlite/derivedQueries.js";
import { toConversion, toCredit, toTouch, type ConversionDbRow, type CreditDbRow, type TouchDbRow } from "../dbRows.js";
import type { Sql } from "./sql.js";
import { PATH_MODELS, REFRESH_PATHS_OF, REFRESH_PATHS_OF_PERSON } from "./conversionPaths.js";

const DAY_MS = 86_400_000;

/**
 * A conversion's credits are replaced in one statement: the old rows go (their days become
 * dirty), the new ones come in (their day becomes dirty). Dirty days are inserted in day
 * order, so that two transactions marking the same new days wait for each other in one order.
 */
const REPLACE_CREDITS = `
  WITH old AS (DELETE FROM credits WHERE conversion_id = $1 RETURNING conversion_at),
  added AS (
    INSERT INTO credits (conversion_id, model, touch_index, touchpoint_id, channel, source, medium, campaign, credit,
      conversion_name, conversion_at, revenue, currency)
    SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::float8[], $11::text[], $12::bigint[], $13::float8[], $15::text[]))
  INSERT INTO report_dirty_days (day)
  SELECT day FROM (SELECT conversion_at / ${DAY_MS} AS day FROM old UNION SELECT $14::bigint WHERE $14::bigint IS NOT NULL) d
  ORDER BY day
  ON CONFLICT (day) DO NOTHING`;

const DELETE_CONVERSION = `
  WITH old AS (DELETE FROM credits WHERE conversion_id = $1 RETURNING conversion_at),
  paths_gone AS (DELETE FROM conversion_paths WHERE conversion_id = $1),
  gone AS (DELETE FROM conversions WHERE id = $1)
  INSERT INTO report_dirty_days (day) SELECT DISTINCT conversion_at / ${DAY_MS} FROM old ORDER BY 1
  ON CONFLICT (day) DO NOTHING`;

/** Derived data: visit state, touchpoints, conversions, credits, traits, the Markov model. */
export function derivedQueries(sql: Sql): Store["derived"] {
  const readCredits = async (conversionId: string): Promise<CreditRow[]> =>
    (await sql.rows<CreditDbRow>("SELECT * FROM credits WHERE conversion_id = $1 ORDER BY model, touch_index", [conversionId])).map(toCredit);

  return {
    async visitState(deviceId) {
      const r = await sql.one<{ last_at: number; last_message_id: string; source: string | null; medium: string | null; campaign: string | null }>(
        "SELECT * FROM devices WHERE device_id = $1",
        [deviceId],
      );
      return r && { lastAt: r.last_at, lastMessageId: r.last_message_id, source: r.source, medium: r.medium, campaign: r.campaign };
    },
    async putVisitState(deviceId, s) {
      await sql.run(
        `INSERT INTO devices (device_id, last_at, last_message_id, source, medium, campaign) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (device_id) DO UPDATE SET last_at = excluded.last_at, last_message_id = excluded.last_message_id,
           source = excluded.source, medium = excluded.medium, campaign = excluded.campaign`,
        [deviceId, s.lastAt, s.lastMessageId, s.source, s.medium, s.campaign],
      );
    },
    async insertTouchpoint(t, personId) {
      const r = await sql.one<{ id: number }>(
        `INSERT INTO touchpoints (message_id, device_id, person_id, at, channel, source, medium, campaign, term, content,
           referrer, landing_page, click_id_type, rule)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
        [t.messageId, t.deviceId, personId, t.at, t.channel, t.source, t.medium, t.campaign, t.term, t.content, t.referrer, t.landingPage, t.clickIdType, t.rule],
      );
      return r!.id;
    },
    async touchpointsOf(personId) {
      return (await sql.rows<TouchDbRow>("SELECT * FROM touchpoints WHERE person_id = $1 ORDER BY at, message_id", [personId])).map(toTouch);
    },
    async touchpointsOfDevice(deviceId) {
      return (await sql.rows<TouchDbRow>("SELECT * FROM touchpoints WHERE device_id = $1 ORDER BY at, message_id", [deviceId])).map(toTouch);
    },
    async deleteTouchpointsOfDevice(deviceId) {
      await sql.run("DELETE FROM touchpoints WHERE device_id = $1", [deviceId]);
    },
    async refreshPathsOfPerson(personId) {
      await sql.run(REFRESH_PATHS_OF_PERSON, [personId, PATH_MODELS]);
    },
    async upsertConversion(c) {
      await sql.run(
        `INSERT INTO conversions (id, person_id, name, at, revenue, currency, origin, reporting_revenue, revenue_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET person_id = excluded.person_id, name = excluded.name, at = excluded.at,
           revenue = excluded.revenue, currency = excluded.currency, origin = excluded.origin,
           reporting_revenue = excluded.reporting_revenue, revenue_error = excluded.revenue_error`,
        ((v) => [v.id, v.personId, v.name, v.at, v.revenue, v.currency, v.origin, v.reportingRevenue, v.revenueError])(conversionParams(c)),
      );
      await sql.run(REFRESH_PATHS_OF, [c.id, PATH_MODELS]);
    },
    /**
     * The conversion's person row is locked first: a derivation of that person in flight (which
     * rewrites these credits) finishes before this deletes them, instead of waiting on this
     * transaction while it waits on the derivation's pending row (a deadlock).
     */
    async deleteConversion(id) {
      await sql.atomic(async () => {
        await sql.rows(
          "SELECT p.person_id FROM persons p JOIN conversions c ON c.person_id = p.person_id WHERE c.id = $1 FOR UPDATE OF p",
          [id],
        );
        await sql.run(DELETE_CONVERSION, [id]);
      });
    },
    async conversion(id) {
      const r = await sql.one<ConversionDbRow>("SELECT * FROM conversions WHERE id = $1", [id]);
      return r && toConversion(r);
    },
    async conversionsOf(personId) {
      return (await sql.rows<ConversionDbRow>("SELECT * FROM conversions WHERE person_id = $1 ORDER BY at, id", [personId])).map(toConversion);
    },
    /** Unchanged credits write nothing; changed ones refresh the paths (see ../sqlite/derivedQueries.ts). */
    async replaceCredits(conversionId, rows) {
      if (sameCredits(await readCredits(conversionId), rows)) return;
      await sql.run(REPLACE_CREDITS, [
        conversionId,
        rows.map((r) => r.conversionId),
        rows.map((r) => r.model),
        rows.map((r) => r.touchIndex),
        rows.map((r) => r.touchpointId),
        rows.map((r) => r.channel),
        rows.map((r) => r.source),
        rows.map((r) => r.medium),
        rows.map((r) => r.campaign),
        rows.map((r) => r.credit),
        rows.map((r) => r.conversionName),
        rows.map((r) => r.conversionAt),
        rows.map((r) => r.revenue),
        rows[0] ? Math.floor(rows[0].conversionAt / DAY_MS) : null,
        rows.map((r) => r.currency ?? null),
      ]);
      await sql.run(REFRESH_PATHS_OF, [conversionId, PATH_MODELS]);
    },
    creditsOf: readCredits,
    async traitsOf(personId) {
      const r = await sql.one<{ traits: string }>("SELECT traits FROM person_traits WHERE person_id = $1", [personId]);
      return r && (JSON.parse(r.traits) as Record<string, unknown>);
    },
    /** Unchanged traits (the common case on re-derivation) write nothing. */
    async putTraits(personId, traits, now) {
      await sql.run(
        `INSERT INTO person_traits (person_id, traits, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (person_id) DO UPDATE SET traits = excluded.traits, updated_at = excluded.updated_at
         WHERE person_traits.traits IS DISTINCT FROM excluded.traits`,
        [personId, JSON.stringify(traits), now],
      );
    },
    async markovModel() {
      const r = await sql.one<{ removal_effects: string; conversion_probability: number; paths: number; computed_at: number; fit: string | null }>(
        "SELECT * FROM markov_model WHERE id = 1",
      );
      return (
        r && {
          removalEffects: JSON.parse(r.removal_effects) as Record<string, number>,
          conversionProbability: r.conversion_probability,
          paths: r.paths,
          computedAt: r.computed_at,
          ...(r.fit === null ? {} : { fit: JSON.parse(r.fit) as StoredFit }),
        }
      );
    },
    async putMarkovModel(m) {
      await sql.run(
        `INSERT INTO markov_model (id, removal_effects, conversion_probability, paths, computed_at, fit) VALUES (1, $1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET removal_effects = excluded.removal_effects,
           conversion_probability = excluded.conversion_probability, paths = excluded.paths, computed_at = excluded.computed_at,
           fit = excluded.fit`,
        [JSON.stringify(m.removalEffects), m.conversionProbability, m.paths, m.computedAt, m.fit === undefined ? null : JSON.stringify(m.fit)],
      );
    },
    async markDirty(personId) {
      await sql.run("INSERT INTO dirty_persons (person_id) VALUES ($1) ON CONFLICT DO NOTHING", [personId]);
    },
    async dirtyPersons(limit) {
      return (await sql.rows<{ person_id: number }>("SELECT person_id FROM dirty_persons ORDER BY person_id LIMIT $1", [limit])).map((r) => r.person_id);
    },
    /**
     * Inside a transaction the person row is locked first (waiting for a derivation in flight):
     * a repair that re-derives the person after this does not overlap another derivation of it.
     */
    async markClean(personId) {
      if (sql.inTransaction()) await sql.rows("SELECT person_id FROM persons WHERE person_id = $1 FOR UPDATE", [personId]);
      await sql.run("DELETE FROM dirty_persons WHERE person_id = $1", [personId]);
    },
    async personHistories() {
      const out = new Map<number, { touches: Array<{ at: number; channel: string }>; conversionTimes: number[] }>();
      const entry = (id: number) => {
        let e = out.get(id);
        if (!e) out.set(id, (e = { touches: [], conversionTimes: [] }));
        return e;
      };
      const touches = await sql.rows<{ person_id: number; at: number; channel: string }>(
        "SELECT person_id, at, channel FROM touchpoints ORDER BY person_id, at, message_id",
      );
      for (const r of touches) entry(r.person_id).touches.push({ at: r.at, channel: r.channel });
      const conversions = await sql.rows<{ person_id: number; at: number }>("SELECT person_id, at FROM conversions WHERE person_id IS NOT NULL");
      for (const r of conversions) entry(r.person_id).conversionTimes.push(r.at);
      return out;
    },
    async allPersonIds() {
      return (await sql.rows<{ person_id: number }>("SELECT person_id FROM persons ORDER BY person_id")).map((r) => r.person_id);
    },
  };
}
