import { DAY_MS } from "../eligibility.js";
import type { CreditTouch, ModelSettings } from "../types.js";

/**
 * Weight 2^(−(T − t)/H), H the half-life in ms, normalised to sum to 1 (summed in time order).
 * The plain formula is used so the numbers match an implementation written straight from
 * DESIGN.md; only when every weight underflows to 0 (touches > ~1074 half-lives old, possible
 * with a long lookback and a short half-life) are the weights taken relative to the latest
 * touch instead, which is the same ratio mathematically.
 */
export function creditTimeDecay(touches: readonly CreditTouch[], conversionAt: number, settings: ModelSettings): number[] {
  const halfLifeMs = settings.decayHalfLifeDays * DAY_MS;
  // Config only allows a positive half-life; anything else here is a bug, not bad input.
  if (!(halfLifeMs > 0) || !Number.isFinite(halfLifeMs)) {
    throw new RangeError(`decayHalfLifeDays must be a positive finite number, got ${settings.decayHalfLifeDays}`);
  }
  if (touches.length === 0) return [];
  let weights = touches.map((touch) => Math.pow(2, -(conversionAt - touch.at) / halfLifeMs));
  let total = sum(weights);
  if (total === 0) {
    let latest = -Infinity;
    for (const touch of touches) latest = Math.max(latest, touch.at);
    weights = touches.map((touch) => Math.pow(2, -(latest - touch.at) / halfLifeMs));
    total = sum(weights);
  }
  return weights.map((weight) => weight / total);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
