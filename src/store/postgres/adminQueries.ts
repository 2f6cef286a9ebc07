import type { Store } from "../index.js";
import type { Stats } from "../types.js";
import type { RawCounts } from "../sqlite/adminQueries.js";
import type { Sql } from "./sql.js";
import { PATH_MODELS, REFRESH_PATHS_OF } from "./conversionPaths.js";

const DAY_MS = 86_400_000;

/** Statements that remove the deals matching `where`, with their conversions and credits. */
function forDealsWhere(where: string): string[] {
  const conversions = `SELECT 'deal:' || deal_id FROM deals WHERE ${where}`;
  return [
    `INSERT INTO report_dirty_days (day) SELECT DISTINCT conversion_at / ${DAY_MS} FROM credits
     WHERE conversion_id IN (${conversions}) ORDER BY 1 ON CONFLICT (day) DO NOTHING`,
    `DELETE FROM credits WHERE conversion_id IN (${conversions})`,
    `DELETE FROM conversion_paths WHERE conversion_id IN (${conversions})`,
    `DELETE FROM conversions WHERE id IN (${conversions})`,
    `DELETE FROM deals WHERE ${where}`,
  ];
}

const DERIVED_TABLES = [
  "persons",
  "identities",
  "devices",
  "touchpoints",
  "deals",
  "conversions",
  "credits",
  "conversion_paths",
  "person_traits",
  "markov_model",
  "dirty_persons",
  "report_days",
  "report_dirty_days",
  "derive_failures",
  "pending_persons",
  "pending_touches",
  "refit_progress",
];

/** $1: the person id. */
const ERASE_PERSON_ROWS = [
  `INSERT INTO report_dirty_days (day) SELECT DISTINCT conversion_at / ${DAY_MS} FROM credits
   WHERE conversion_id IN (SELECT id FROM conversions WHERE person_id = $1) ORDER BY 1 ON CONFLICT (day) DO NOTHING`,
  "DELETE FROM credits WHERE conversion_id IN (SELECT id FROM conversions WHERE person_id = $1)",
  "DELETE FROM conversion_paths WHERE conversion_id IN (SELECT id FROM conversions WHERE person_id = $1)",
  "DELETE FROM conversions WHERE person_id = $1",
  "DELETE FROM touchpoints WHERE person_id = $1",
  "DELETE FROM crm_hits WHERE deal_id IN (SELECT deal_id FROM deals WHERE person_id = $1)",
  ...forDealsWhere("person_id = $1"),
  "DELETE FROM person_traits WHERE person_id = $1",
  "DELETE FROM pending_persons WHERE person_id = $1",
  "DELETE FROM pending_touches WHERE person_id = $1",
  "DELETE FROM dirty_persons WHERE person_id = $1",
  "DELETE FROM identities WHERE person_id = $1",
  "DELETE FROM persons WHERE person_id = $1",
];

/** Statements over the identity values: `values` ($1) as they are, or `quoted` ($1) as JSON strings (as in stored payloads). */
const namesAny = (column: string) => `EXISTS (SELECT 1 FROM unnest($1::text[]) q WHERE strpos(${column}, q) > 0)`;
const ERASE_VALUE_ROWS: ReadonlyArray<{ text: string; param: "values" | "quoted" }> = [
  { text: "DELETE FROM messages WHERE device_id = ANY($1::text[])", param: "values" },
  { text: `DELETE FROM rejected WHERE ${namesAny("payload")}`, param: "quoted" },
  { text: `DELETE FROM crm_hits WHERE ${namesAny("payload")}`, param: "quoted" },
  { text: `DELETE FROM outbox WHERE ${namesAny("message")}`, param: "quoted" },
  {
    text: "DELETE FROM feedback_state WHERE target IN (SELECT k || v FROM unnest($1::text[]) v, unnest(ARRAY['userId:', 'anonymousId:']) k)",
    param: "values",
  },
  { text: "DELETE FROM devices WHERE device_id = ANY($1::text[])", param: "values" },
  { text: "DELETE FROM touchpoints WHERE device_id = ANY($1::text[])", param: "values" },
  ...forDealsWhere("(user_id = ANY($1::text[]) OR email = ANY($1::text[]) OR anonymous_id = ANY($1::text[]))").map((text) => ({
    text,
    param: "values" as const,
  })),
];

/** Counts, resetting derived data for `recompute`, erasure, retention, scheduled-job slots. */
export function adminQueries(sql: Sql): Store["admin"] {
  /** Step one of derivation (which holds these rows while it applies raw rows) is not running when this returns. */
  const excludeStepOne = () => sql.rows("SELECT name FROM derive_cursor ORDER BY name FOR UPDATE");

  return {
    async stats() {
      return (await sql.one<Stats>(`SELECT
          (SELECT count(*) FROM messages) AS messages,
          (SELECT count(*) FROM rejected) AS rejected,
          (SELECT count(*) FROM persons) AS persons,
          (SELECT count(*) FROM touchpoints) AS touchpoints,
          (SELECT count(*) FROM conversions) AS conversions,
          (SELECT count(*) FROM deals) AS deals,
          (SELECT count(*) FROM outbox WHERE status = 'pending') AS outbox_pending,
          (SELECT count(*) FROM outbox WHERE status = 'sent') AS outbox_sent,
          (SELECT count(*) FROM outbox WHERE status = 'dead') AS outbox_dead`))!;
    },
    async ping() {
      return (await sql.one<{ ok: number }>("SELECT 1 AS ok"))?.ok === 1;
    },
    async probeWrite(now) {
      await sql.rows(
        "INSERT INTO readiness_probe (id, checked_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
        [now],
      );
    },
    async rawCounts() {
      return (await sql.one<RawCounts>(`SELECT
          (SELECT count(*) FROM messages) AS "messages",
          (SELECT count(*) FROM crm_hits) AS "crmHits",
          (SELECT count(*) FROM rejected) AS "rejected",
          (SELECT count(*) FROM feedback_state) AS "feedbackState",
          (SELECT count(*) FROM outbox WHERE status IN ('pending', 'dead')) AS "outboxUnsent"`))!;
    },
    /** Empties every derived table (raw messages and hits stay), with step one of derivation held off. */
    async resetDerived() {
      await sql.atomic(async () => {
        await excludeStepOne();
        for (const t of DERIVED_TABLES) await sql.run(`DELETE FROM ${t}`);
      });
    },
    /**
     * Erases one person: every raw and derived row that names any of its identity values.
     * Step one of derivation is held off (it could otherwise link a new identity or insert a
     * touchpoint for the person while it is erased) and the person row is locked (a derivation
     * in flight finishes first). Identities linked to the person since the caller looked them
     * up are erased too.
     */
    async erasePerson(personId, values) {
      await sql.atomic(async () => {
        await excludeStepOne();
        let all = values;
        if (personId >= 0) {
          await sql.rows("SELECT person_id FROM persons WHERE person_id = $1 FOR UPDATE", [personId]);
          const linked = await sql.rows<{ value: string }>("SELECT value FROM identities WHERE person_id = $1", [personId]);
          all = [...new Set([...values, ...linked.map((r) => r.value)])];
        }
        for (const statement of ERASE_PERSON_ROWS) await sql.run(statement, [personId]);
        if (all.length === 0) return;
        // Touchpoints erased by device may be another person's: its conversions' paths are refreshed after.
        const others = await sql.rows<{ id: string }>(
          "SELECT DISTINCT c.id FROM touchpoints t JOIN conversions c ON c.person_id = t.person_id WHERE t.device_id = ANY($1::text[]) ORDER BY c.id",
          [all],
        );
        const quoted = all.map((v) => JSON.stringify(v));
        for (const s of ERASE_VALUE_ROWS) await sql.run(s.text, [s.param === "values" ? all : quoted]);
        for (const { id } of others) await sql.run(REFRESH_PATHS_OF, [id, PATH_MODELS]);
      });
    },
    /** Only what the deriver has applied: an old message imported late is derived before it expires. */
    async purgeMessagesBefore(at) {
      return sql.run("DELETE FROM messages WHERE timestamp < $1 AND seq <= (SELECT seq FROM derive_cursor WHERE name = 'messages')", [at]);
    },
    /**
     * True on exactly one instance per (job, slot): the first to record the slot. Slots older
     * than 30 days are pruned on the way.
     */
    async claimJobSlot(name, slotAt) {
      const r = await sql.rows(
        `WITH pruned AS (DELETE FROM job_slots WHERE name = $1 AND slot_at < $2::bigint - ${30 * DAY_MS})
         INSERT INTO job_slots (name, slot_at, claimed_at) VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
         ON CONFLICT (name, slot_at) DO NOTHING RETURNING slot_at`,
        [name, slotAt],
      );
      return r.length === 1;
    },
  };
}
