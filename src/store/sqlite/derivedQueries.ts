import type { StoredFit } from "../../attribution/modelFits.js";
import type { Db } from "./db.js";
import type { ConversionRow, CreditRow, MarkovModelRow, StoredTouchpoint, VisitState } from "../types.js";
import type { Touchpoint } from "../../touchpoints/types.js";
import { toConversion, toCredit, toTouch, type ConversionDbRow, type CreditDbRow, type TouchDbRow } from "../dbRows.js";
import { DELETE_PATHS_OF, PATH_MODELS_JSON, REFRESH_PATHS_OF, REFRESH_PATHS_OF_PERSON } from "./conversionPaths.js";

const creditKey = (r: CreditRow) => `${r.model}\u0000${r.touchIndex ?? -1}`;

/** Same rows, in any order, field for field. */
export function sameCredits(stored: CreditRow[], next: CreditRow[]): boolean {
  if (stored.length !== next.length) return false;
  const byKey = new Map(stored.map((r) => [creditKey(r), r]));
  for (const n of next) {
    const o = byKey.get(creditKey(n));
    if (
      !o ||
      o.touchpointId !== n.touchpointId ||
      o.channel !== n.channel ||
      o.source !== n.source ||
      o.medium !== n.medium ||
      o.campaign !== n.campaign ||
      o.credit !== n.credit ||
      o.conversionName !== n.conversionName ||
      o.conversionAt !== n.conversionAt ||
      o.revenue !== n.revenue ||
      (o.currency ?? null) !== (n.currency ?? null)
    ) {
      return false;
    }
  }
  return true;
}

/** A conversion's columns; reporting_revenue defaults to revenue (a row made without money settings). */
export const conversionParams = (c: ConversionRow) => ({
  ...c,
  reportingRevenue: c.reportingRevenue === undefined ? (c.currency === null ? c.revenue : null) : c.reportingRevenue,
  revenueError: c.revenueError ?? null,
});

/** Derived data: visit state, touchpoints, conversions, credits, traits, the Markov model. */
export function derivedQueries(db: Db) {
  const getDevice = db.prepare("SELECT * FROM devices WHERE device_id = ?");
  const putDevice = db.prepare(
    `INSERT INTO devices (device_id, last_at, last_message_id, source, medium, campaign) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (device_id) DO UPDATE SET last_at = excluded.last_at, last_message_id = excluded.last_message_id,
       source = excluded.source, medium = excluded.medium, campaign = excluded.campaign`,
  );
  const insertTouch = db.prepare(
    `INSERT INTO touchpoints (message_id, device_id, person_id, at, channel, source, medium, campaign, term, content,
       referrer, landing_page, click_id_type, rule)
     VALUES (@messageId, @deviceId, @personId, @at, @channel, @source, @medium, @campaign, @term, @content,
       @referrer, @landingPage, @clickIdType, @rule)`,
  );
  const touchesOfPerson = db.prepare("SELECT * FROM touchpoints WHERE person_id = ? ORDER BY at, message_id");
  const deleteTouchesOfDevice = db.prepare("DELETE FROM touchpoints WHERE device_id = ?");
  const touchesOfDevice = db.prepare("SELECT * FROM touchpoints WHERE device_id = ? ORDER BY at, message_id");
  const upsertConversion = db.prepare(
    `INSERT INTO conversions (id, person_id, name, at, revenue, currency, origin, reporting_revenue, revenue_error)
     VALUES (@id, @personId, @name, @at, @revenue, @currency, @origin, @reportingRevenue, @revenueError)
     ON CONFLICT (id) DO UPDATE SET person_id = excluded.person_id, name = excluded.name, at = excluded.at,
       revenue = excluded.revenue, currency = excluded.currency, origin = excluded.origin,
       reporting_revenue = excluded.reporting_revenue, revenue_error = excluded.revenue_error`,
  );
  const deleteConversion = db.prepare("DELETE FROM conversions WHERE id = ?");
  const conversion = db.prepare("SELECT * FROM conversions WHERE id = ?");
  const conversionsOfPerson = db.prepare("SELECT * FROM conversions WHERE person_id = ? ORDER BY at, id");
  const deleteCredits = db.prepare("DELETE FROM credits WHERE conversion_id = ?");
  // Report aggregates of the days a conversion's credits touch must be refreshed.
  const markOldDays = db.prepare(
    "INSERT OR IGNORE INTO report_dirty_days (day) SELECT DISTINCT conversion_at / 86400000 FROM credits WHERE conversion_id = ?",
  );
  const markDay = db.prepare("INSERT OR IGNORE INTO report_dirty_days (day) VALUES (?)");
  const insertCredit = db.prepare(
    `INSERT INTO credits (conversion_id, model, touch_index, touchpoint_id, channel, source, medium, campaign, credit,
       conversion_name, conversion_at, revenue, currency)
     VALUES (@conversionId, @model, @touchIndex, @touchpointId, @channel, @source, @medium, @campaign, @credit,
       @conversionName, @conversionAt, @revenue, @currency)`,
  );
  const refreshPaths = db.prepare(REFRESH_PATHS_OF);
  const deletePaths = db.prepare(DELETE_PATHS_OF);
  const refreshPathsOfPerson = db.prepare(REFRESH_PATHS_OF_PERSON);
  const creditsOfConversion = db.prepare("SELECT * FROM credits WHERE conversion_id = ? ORDER BY model, touch_index");
  const getTraits = db.prepare("SELECT traits FROM person_traits WHERE person_id = ?");
  // Unchanged traits (the common case on re-derivation) write nothing.
  const putTraits = db.prepare(
    `INSERT INTO person_traits (person_id, traits, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (person_id) DO UPDATE SET traits = excluded.traits, updated_at = excluded.updated_at
     WHERE person_traits.traits IS NOT excluded.traits`,
  );
  const getMarkov = db.prepare("SELECT * FROM markov_model WHERE id = 1");
  const putMarkov = db.prepare(
    `INSERT INTO markov_model (id, removal_effects, conversion_probability, paths, computed_at, fit) VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET removal_effects = excluded.removal_effects,
       conversion_probability = excluded.conversion_probability, paths = excluded.paths, computed_at = excluded.computed_at,
       fit = excluded.fit`,
  );
  const markDirty = db.prepare("INSERT OR IGNORE INTO dirty_persons (person_id) VALUES (?)");
  const dirty = db.prepare("SELECT person_id FROM dirty_persons ORDER BY person_id LIMIT ?");
  const clean = db.prepare("DELETE FROM dirty_persons WHERE person_id = ?");
  const allPersons = db.prepare("SELECT person_id FROM persons ORDER BY person_id");
  const allTouches = db.prepare("SELECT person_id, at, channel FROM touchpoints ORDER BY person_id, at, message_id");
  const allConversionTimes = db.prepare("SELECT person_id, at FROM conversions WHERE person_id IS NOT NULL");

  function readCredits(conversionId: string): CreditRow[] {
    return (creditsOfConversion.all(conversionId) as CreditDbRow[]).map(toCredit);
  }

  return {
    visitState(deviceId: string): VisitState | undefined {
      const r = getDevice.get(deviceId) as
        | { last_at: number; last_message_id: string; source: string | null; medium: string | null; campaign: string | null }
        | undefined;
      return r && { lastAt: r.last_at, lastMessageId: r.last_message_id, source: r.source, medium: r.medium, campaign: r.campaign };
    },
    putVisitState(deviceId: string, s: VisitState): void {
      putDevice.run(deviceId, s.lastAt, s.lastMessageId, s.source, s.medium, s.campaign);
    },
    insertTouchpoint(t: Touchpoint, personId: number): number {
      return Number(insertTouch.run({ ...t, personId }).lastInsertRowid);
    },
    touchpointsOf(personId: number): StoredTouchpoint[] {
      return (touchesOfPerson.all(personId) as TouchDbRow[]).map(toTouch);
    },
    touchpointsOfDevice(deviceId: string): StoredTouchpoint[] {
      return (touchesOfDevice.all(deviceId) as TouchDbRow[]).map(toTouch);
    },
    deleteTouchpointsOfDevice(deviceId: string): void {
      deleteTouchesOfDevice.run(deviceId);
    },
    /**
     * Re-reads the first touch time of the person's conversion paths from its touchpoints, once
     * they are rebuilt: its credits (re-derived later, in another transaction) still name them.
     */
    refreshPathsOfPerson(personId: number): void {
      refreshPathsOfPerson.run({ personId, models: PATH_MODELS_JSON });
    },
    upsertConversion(c: ConversionRow): void {
      upsertConversion.run(conversionParams(c));
      refreshPaths.run({ id: c.id, models: PATH_MODELS_JSON });
    },
    deleteConversion(id: string): void {
      markOldDays.run(id);
      deleteCredits.run(id);
      deletePaths.run(id);
      deleteConversion.run(id);
    },
    conversion(id: string): ConversionRow | undefined {
      const r = conversion.get(id) as ConversionDbRow | undefined;
      return r && toConversion(r);
    },
    conversionsOf(personId: number): ConversionRow[] {
      return (conversionsOfPerson.all(personId) as ConversionDbRow[]).map(toConversion);
    },
    /**
     * Replaces a conversion's credit rows and refreshes its paths; unchanged credits (the common
     * case) write nothing. Touchpoints whose time moved under unchanged credits (a device
     * re-derived) are refreshed where they are rebuilt: refreshPathsOfPerson.
     */
    replaceCredits(conversionId: string, rows: CreditRow[]): void {
      if (sameCredits(readCredits(conversionId), rows)) return;
      markOldDays.run(conversionId);
      deleteCredits.run(conversionId);
      for (const r of rows) insertCredit.run({ ...r, currency: r.currency ?? null });
      if (rows[0]) markDay.run(Math.floor(rows[0].conversionAt / 86_400_000));
      refreshPaths.run({ id: conversionId, models: PATH_MODELS_JSON });
    },
    creditsOf: readCredits,
    traitsOf(personId: number): Record<string, unknown> | undefined {
      const r = getTraits.get(personId) as { traits: string } | undefined;
      return r && (JSON.parse(r.traits) as Record<string, unknown>);
    },
    putTraits(personId: number, traits: Record<string, unknown>, now: number): void {
      putTraits.run(personId, JSON.stringify(traits), now);
    },
    markovModel(): MarkovModelRow | undefined {
      const r = getMarkov.get() as
        | { removal_effects: string; conversion_probability: number; paths: number; computed_at: number; fit: string | null }
        | undefined;
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
    putMarkovModel(m: MarkovModelRow): void {
      putMarkov.run(JSON.stringify(m.removalEffects), m.conversionProbability, m.paths, m.computedAt, m.fit === undefined ? null : JSON.stringify(m.fit));
    },
    markDirty(personId: number): void {
      markDirty.run(personId);
    },
    dirtyPersons(limit: number): number[] {
      return (dirty.all(limit) as Array<{ person_id: number }>).map((r) => r.person_id);
    },
    markClean(personId: number): void {
      clean.run(personId);
    },
    /** Every person's touches (channel, time; oldest first) and conversion times: the Markov model's input. */
    personHistories(): Map<number, { touches: Array<{ at: number; channel: string }>; conversionTimes: number[] }> {
      const out = new Map<number, { touches: Array<{ at: number; channel: string }>; conversionTimes: number[] }>();
      const entry = (id: number) => {
        let e = out.get(id);
        if (!e) out.set(id, (e = { touches: [], conversionTimes: [] }));
        return e;
      };
      for (const r of allTouches.iterate() as IterableIterator<{ person_id: number; at: number; channel: string }>) {
        entry(r.person_id).touches.push({ at: r.at, channel: r.channel });
      }
      for (const r of allConversionTimes.iterate() as IterableIterator<{ person_id: number; at: number }>) {
        entry(r.person_id).conversionTimes.push(r.at);
      }
      return out;
    },
    allPersonIds(): number[] {
      return (allPersons.all() as Array<{ person_id: number }>).map((r) => r.person_id);
    },
  };
}
