import type { Db } from "./db.js";
import type { Stats } from "../types.js";
import { PATH_MODELS_JSON, REFRESH_PATHS_OF } from "./conversionPaths.js";

/** Statements that remove the deals matching `where`, with their conversions and credits. */
function forDealsWhere(where: string): string[] {
  const conversions = `SELECT 'deal:' || deal_id FROM deals WHERE ${where}`;
  return [
    `INSERT OR IGNORE INTO report_dirty_days (day) SELECT DISTINCT conversion_at / 86400000 FROM credits WHERE conversion_id IN (${conversions})`,
    `DELETE FROM credits WHERE conversion_id IN (${conversions})`,
    `DELETE FROM conversion_paths WHERE conversion_id IN (${conversions})`,
    `DELETE FROM conversions WHERE id IN (${conversions})`,
    `DELETE FROM deals WHERE ${where}`,
  ];
}

/** Counts, resetting derived data for `recompute`, erasure, retention. */
export function adminQueries(db: Db) {
  const counts = db.prepare(`SELECT
      (SELECT count(*) FROM messages) AS messages,
      (SELECT count(*) FROM rejected) AS rejected,
      (SELECT count(*) FROM persons) AS persons,
      (SELECT count(*) FROM touchpoints) AS touchpoints,
      (SELECT count(*) FROM conversions) AS conversions,
      (SELECT count(*) FROM deals) AS deals,
      (SELECT count(*) FROM outbox WHERE status = 'pending') AS outbox_pending,
      (SELECT count(*) FROM outbox WHERE status = 'sent') AS outbox_sent,
      (SELECT count(*) FROM outbox WHERE status = 'dead') AS outbox_dead`);
  const ping = db.prepare("SELECT 1 AS ok");
  const probe = db.prepare(
    "INSERT INTO readiness_probe (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
  );
  const rawCounts = db.prepare(`SELECT
      (SELECT count(*) FROM messages) AS messages,
      (SELECT count(*) FROM crm_hits) AS crmHits,
      (SELECT count(*) FROM rejected) AS rejected,
      (SELECT count(*) FROM feedback_state) AS feedbackState,
      (SELECT count(*) FROM outbox WHERE status IN ('pending', 'dead')) AS outboxUnsent`);
  const derivedTables = [
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
  const eraseStatements = [
    "DELETE FROM messages WHERE device_id = @value",
    "DELETE FROM rejected WHERE instr(payload, @quoted) > 0",
    "DELETE FROM crm_hits WHERE instr(payload, @quoted) > 0",
    "DELETE FROM outbox WHERE instr(message, @quoted) > 0",
    "DELETE FROM feedback_state WHERE target = 'userId:' || @value OR target = 'anonymousId:' || @value",
    "DELETE FROM devices WHERE device_id = @value",
    "DELETE FROM touchpoints WHERE device_id = @value",
    ...forDealsWhere("user_id = @value OR email = @value OR anonymous_id = @value"),
  ].map((sql) => db.prepare(sql));
  const erasePersonRows = [
    `INSERT OR IGNORE INTO report_dirty_days (day) SELECT DISTINCT conversion_at / 86400000 FROM credits
     WHERE conversion_id IN (SELECT id FROM conversions WHERE person_id = @personId)`,
    "DELETE FROM credits WHERE conversion_id IN (SELECT id FROM conversions WHERE person_id = @personId)",
    "DELETE FROM conversion_paths WHERE conversion_id IN (SELECT id FROM conversions WHERE person_id = @personId)",
    "DELETE FROM conversions WHERE person_id = @personId",
    "DELETE FROM touchpoints WHERE person_id = @personId",
    "DELETE FROM crm_hits WHERE deal_id IN (SELECT deal_id FROM deals WHERE person_id = @personId)",
    ...forDealsWhere("person_id = @personId"),
    "DELETE FROM person_traits WHERE person_id = @personId",
    "DELETE FROM pending_persons WHERE person_id = @personId",
    "DELETE FROM pending_touches WHERE person_id = @personId",
    "DELETE FROM dirty_persons WHERE person_id = @personId",
    "DELETE FROM identities WHERE person_id = @personId",
    "DELETE FROM persons WHERE person_id = @personId",
  ].map((sql) => db.prepare(sql));
  // Touchpoints erased by device may belong to another person (a device it shares): the paths of
  // that person's conversions read their first touch time from them, so they are refreshed after.
  const conversionsTouchedOnDevice = db.prepare(
    "SELECT DISTINCT c.id FROM touchpoints t JOIN conversions c ON c.person_id = t.person_id WHERE t.device_id = ?",
  ).pluck();
  const refreshPaths = db.prepare(REFRESH_PATHS_OF);
  // Only what the deriver has applied: an old message imported late is derived before it expires.
  const purge = db.prepare("DELETE FROM messages WHERE timestamp < ? AND seq <= (SELECT seq FROM derive_cursor WHERE name = 'messages')");

  return {
    stats(): Stats {
      return counts.get() as Stats;
    },
    ping(): boolean {
      return (ping.get() as { ok: number }).ok === 1;
    },
    /** A one-row write for GET /ready: run it in a transaction, whose commit is the proof. */
    probeWrite(now: number): void {
      probe.run(now);
    },
    /** Rows of the tables nothing derives (what `migrate-store` copies; sent outbox rows are not counted). */
    rawCounts(): RawCounts {
      return rawCounts.get() as RawCounts;
    },
    /** Empties every derived table; raw messages and hits stay. */
    resetDerived(): void {
      for (const t of derivedTables) db.exec(`DELETE FROM ${t}`);
    },
    /** Erases one person: every raw and derived row that names any of its identity values. */
    erasePerson(personId: number, values: string[]): void {
      for (const s of erasePersonRows) s.run({ personId });
      const others = new Set(values.flatMap((value) => conversionsTouchedOnDevice.all(value) as string[]));
      for (const value of values) {
        const quoted = JSON.stringify(value);
        for (const s of eraseStatements) s.run({ value, quoted });
      }
      for (const id of others) refreshPaths.run({ id, models: PATH_MODELS_JSON });
    },
    purgeMessagesBefore(at: number): number {
      return purge.run(at).changes;
    },
    /**
     * Whether this instance runs scheduled job `name` for the slot at `slotAt` (the scheduled
     * time, epoch ms). One SQLite file has one service instance: always true. The PostgreSQL
     * store answers true on exactly one instance per (name, slot).
     */
    claimJobSlot(_name: string, _slotAt: number): boolean {
      return true;
    },
  };
}

export interface RawCounts {
  messages: number;
  crmHits: number;
  rejected: number;
  feedbackState: number;
  outboxUnsent: number;
}
