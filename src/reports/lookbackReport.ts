import { setImmediate as turn } from "node:timers/promises";
import { DAY_MS, RULE_MODELS, creditConversion, hasCampaign, type CreditTouch, type Model, type ModelSettings, type RemovalEffects } from "../attribution/index.js";
import type { GroupBy, LookbackConversion, LookbackFilter, LookbackTouch, ReportRow, Store } from "../store/index.js";
import { CreditTotals, groupKey } from "./groupCredits.js";

/**
 * Models a report can recompute at query time for another window: the rule models, and
 * `markov` with the removal effects in force (fitted over LOOKBACK_DAYS paths; only the split
 * of each conversion over its path follows the new window). Other data-driven models would
 * need a refit per request: `lookbackDays` with them is refused.
 */
export const LOOKBACK_MODELS: readonly Model[] = [...RULE_MODELS, "markov"];

export const LOOKBACK_DAYS_MIN = 1;
export const LOOKBACK_DAYS_MAX = 3650;

/** Persons whose touches are read and credited per step; the event loop turns between steps. */
const PERSONS_PER_CHUNK = 1000;

/**
 * Report rows of each model in `models`, recomputed from the stored conversions in range and
 * their persons' touchpoints with `lookbackDays` as the window (every other setting as
 * stored credits use it). Not a snapshot: the deriver may commit between chunks.
 */
export async function lookbackRows(
  store: Store,
  settings: ModelSettings,
  effects: RemovalEffects,
  models: readonly Model[],
  filter: LookbackFilter & { lookbackDays: number },
  groupBy: GroupBy,
  personsPerChunk = PERSONS_PER_CHUNK,
): Promise<Map<Model, ReportRow[]>> {
  const windowSettings: ModelSettings = { ...settings, lookbackDays: filter.lookbackDays };
  const lookbackMs = filter.lookbackDays * DAY_MS;
  const totals = new Map(models.map((m) => [m, new CreditTotals()] as const));
  const conversions = await store.lookback.conversionsInRange(filter);

  const credit = (touches: readonly CreditTouch[], fields: readonly LookbackTouch[], c: LookbackConversion) => {
    for (const model of models) {
      const sums = totals.get(model)!;
      for (const row of creditConversion(model, touches, c.at, windowSettings, effects)) {
        sums.add(groupKey(groupBy, row.channel, row.touch === null ? null : (fields[row.touch] ?? null)), row.credit, c.revenue);
      }
    }
  };

  let i = 0;
  while (i < conversions.length) {
    // The next chunk: whole persons (a person's conversions are adjacent), unknown persons alone.
    const ids: number[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    let end = i;
    while (end < conversions.length && ids.length < personsPerChunk) {
      const c = conversions[end]!;
      if (c.personId !== null && ids[ids.length - 1] !== c.personId) ids.push(c.personId);
      if (c.personId !== null) {
        lo = Math.min(lo, c.at);
        hi = Math.max(hi, c.at);
      }
      end++;
    }
    while (end < conversions.length && conversions[end]!.personId !== null && conversions[end]!.personId === ids[ids.length - 1]) {
      hi = Math.max(hi, conversions[end]!.at);
      end++;
    }
    const touches = ids.length > 0 ? await store.lookback.touchesOfPersons(ids, lo - lookbackMs, hi) : [];

    let t = 0;
    for (let j = i; j < end; ) {
      const personId = conversions[j]!.personId;
      let k = j;
      while (k < end && conversions[k]!.personId === personId) k++;
      let fields: LookbackTouch[] = [];
      if (personId !== null) {
        // Touches come by person in the chunk's order: this person's are next.
        const first = t;
        while (t < touches.length && touches[t]!.personId === personId) t++;
        fields = touches.slice(first, t);
      }
      const modelTouches = fields.map((f): CreditTouch => (settings.campaignPriority === true ? { at: f.at, channel: f.channel, hasCampaign: hasCampaign(f) } : f));
      for (let n = j; n < k; n++) credit(modelTouches, fields, conversions[n]!);
      j = k;
    }
    i = end;
    if (i < conversions.length) await turn();
  }
  return new Map([...totals].map(([m, sums]) => [m, sums.rows()]));
}
