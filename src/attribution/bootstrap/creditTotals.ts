import { globalShares } from "../markov/globalShares.js";
import type { RemovalEffects } from "../types.js";
import type { CoalitionValues } from "../shapley/shapleyValues.js";

/** A distinct journey with its distinct channels (sorted) and outcome. */
export interface DistinctJourney {
  /** coalitionKey of its channels. */
  key: string;
  channels: string[];
  converted: boolean;
}

/** Credited conversions per channel under markov and shapley, and markov_global's shares. */
export interface ChannelTotals {
  markov: Map<string, number>;
  shapley: Map<string, number>;
  markov_global: Map<string, number>;
}

/**
 * Every model's credit of a channel depends only on the distinct channels of the conversion's
 * path, so totals are sums over distinct journeys × their weight: markov shares by removal
 * effect (linear when all 0), shapley by Shapley share (linear on fallback), as the per-
 * conversion models credit them (markov/credit.ts, shapley/credit.ts).
 */
export function channelTotals(
  journeys: readonly DistinctJourney[],
  weights: ArrayLike<number>,
  effects: RemovalEffects,
  values: CoalitionValues,
): ChannelTotals {
  const markov = new Map<string, number>();
  const shapley = new Map<string, number>();
  const add = (m: Map<string, number>, c: string, x: number) => m.set(c, (m.get(c) ?? 0) + x);
  journeys.forEach((j, i) => {
    const w = weights[i] ?? 0;
    if (!j.converted || w === 0 || j.channels.length === 0) return;
    let total = 0;
    for (const c of j.channels) total += effectOf(effects, c);
    for (const c of j.channels) add(markov, c, w * (total > 0 ? effectOf(effects, c) / total : 1 / j.channels.length));
    const shares = values.sharesOfKey(j.key);
    for (const c of j.channels) add(shapley, c, w * (shares?.get(c) ?? 1 / j.channels.length));
  });
  return { markov, shapley, markov_global: new Map(Object.entries(globalShares(effects))) };
}

function effectOf(effects: RemovalEffects, channel: string): number {
  const e = Object.hasOwn(effects, channel) ? effects[channel] : 0;
  return typeof e === "number" && Number.isFinite(e) && e > 0 ? e : 0;
}
