import { setImmediate as turn } from "node:timers/promises";
import { DAY_MS, RULE_MODELS, creditConversion, hasCampaign, type CreditTouch, type CreditedModel, type Model, type ModelSettings, type RemovalEffects } from "../attribution/index.js";
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

/** Persons whose conversions and touches are read and credited per step; the event loop turns between steps. */
const PERSONS_PER_CHUNK = 1000;

/**
 * Report rows of each model in `models`, recomputed from the stored conversions in range and
 * their persons' touchpoints with `lookbackDays` as the window (every other setting as the
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
  const totals = models.filter((m): m is CreditedModel => m !== "markov_global").map((model) => ({ model, sums: new CreditTotals() }));
  const range: LookbackFilter = { from: filter.from, to: filter.to, conversion: filter.conversion };

  const credit = (touches: readonly CreditTouch[], fields: readonly LookbackTouch[], c: LookbackConversion) => {
    for (const { model, sums } of totals) {
      for (const row of creditConversion(model, touches, c.at, windowSettings, effects)) {
        sums.add(groupKey(groupBy, row.channel, row.touch === null ? null : (fields[row.touch] ?? null)), row.credit, c.revenue, c.currency);
      }
    }
  };

  // Won deals of no known person: no touch, Unattributed (as their stored credits).
  for (const c of await store.lookback.unownedConversions(range)) credit([], [], c);

  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const conversions = await store.lookback.conversionsOfNextPersons(range, after, personsPerChunk);
    if (conversions.length === 0) break;
    const ids: number[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of conversions) {
      if (ids[ids.length - 1] !== c.personId) ids.push(c.personId!);
      lo = Math.min(lo, c.at);
      hi = Math.max(hi, c.at);
    }
    const touches = await store.lookback.touchesOfPersons(ids, lo - lookbackMs, hi);
    // Both lists come by person in id order: walk them side by side.
    let t = 0;
    for (let j = 0; j < conversions.length; ) {
      const personId = conversions[j]!.personId;
      let k = j;
      while (k < conversions.length && conversions[k]!.personId === personId) k++;
      const first = t;
      while (t < touches.length && touches[t]!.personId === personId) t++;
      const fields = touches.slice(first, t);
      const modelTouches =
        settings.campaignPriority === true ? fields.map((f): CreditTouch => ({ at: f.at, channel: f.channel, hasCampaign: hasCampaign(f) })) : fields;
      for (let n = j; n < k; n++) credit(modelTouches, fields, conversions[n]!);
      j = k;
    }
    after = ids[ids.length - 1]!;
    if (ids.length < personsPerChunk) break;
    await turn();
  }
  return new Map(totals.map(({ model, sums }) => [model, sums.rows()]));
}
