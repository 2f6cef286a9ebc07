import { creditConversion } from "./creditConversion.js";
import type { CoalitionValues } from "./shapley/shapleyValues.js";
import { UNATTRIBUTED, type CreditRow, type CreditedModel, type ModelSettings, type PersonHistory, type RemovalEffects } from "./types.js";

// Credit sums closer than this (relative) are a tie: float rounding of equal shares
// (e.g. 0.1 + 0.2 against 0.3) must not decide a person's trait.
const TIE_TOLERANCE = 1e-9;

/**
 * The `{linear,time_decay,position_based,markov}_channel` trait (DESIGN "Feedback to
 * Segment"): the channel with the most credit summed over the person's conversions; with no
 * conversion, over their touches as if they converted at their last touch (the lookback then
 * runs from that touch). `Unattributed` wins only when nothing else has credit (every
 * conversion had no eligible touch). Ties go to the tied channel touched most recently (the
 * latest in the person's `touches`), the same instinct as last touch. Null for a person with
 * no touches and no conversions.
 */
export function modelChannel(
  model: CreditedModel,
  person: PersonHistory,
  settings: ModelSettings,
  removalEffects?: RemovalEffects,
  coalitions?: CoalitionValues,
): string | null {
  return channelWithMostCredit(creditedRows(model, person, settings, removalEffects, coalitions), person.touches);
}

/**
 * The channel with the most credit in `rows` (the credit rows of one model over a person's
 * conversions), with modelChannel's rules for Unattributed and ties. For callers that have
 * the rows already (the deriver computes them for every conversion anyway).
 */
export function channelWithMostCredit(rows: readonly CreditRow[], touches: PersonHistory["touches"]): string | null {
  if (rows.length === 0) return null;

  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.channel, (totals.get(row.channel) ?? 0) + row.credit);
  const attributed = [...totals].filter(([channel]) => channel !== UNATTRIBUTED);
  if (attributed.length === 0) return UNATTRIBUTED;

  let best = 0;
  for (const [, total] of attributed) best = Math.max(best, total);
  const tied = new Set(attributed.filter(([, total]) => best - total <= TIE_TOLERANCE * best).map(([channel]) => channel));
  for (let i = touches.length - 1; i >= 0; i--) {
    const channel = touches[i]?.channel;
    if (channel !== undefined && tied.has(channel)) return channel;
  }
  // Unreachable: every credited channel comes from one of the person's touches.
  return [...tied].sort()[0] ?? null;
}

function creditedRows(
  model: CreditedModel,
  person: PersonHistory,
  settings: ModelSettings,
  removalEffects: RemovalEffects | undefined,
  coalitions?: CoalitionValues,
): CreditRow[] {
  if (person.conversionTimes.length > 0) {
    return person.conversionTimes.flatMap((at) => creditConversion(model, person.touches, at, settings, removalEffects, coalitions));
  }
  const last = person.touches[person.touches.length - 1];
  if (last === undefined) return [];
  return creditConversion(model, person.touches, last.at, settings, removalEffects, coalitions);
}
