import type { CreditIntervals } from "./bootstrap/index.js";
import type { Coalition } from "./shapley/coalitions.js";
import { CoalitionValues } from "./shapley/shapleyValues.js";
import type { RemovalEffects } from "./types.js";

/** What the data-driven fit stores beside the removal effects (markov_model.fit). */
export interface StoredFit {
  order: number;
  coalitions: Coalition[];
  intervals: CreditIntervals | null;
}

/** What the per-conversion data-driven models read when they credit a conversion. */
export interface ModelFits {
  removalEffects: RemovalEffects;
  /** Shapley's coalition values; missing: shapley credits linearly. */
  coalitions?: CoalitionValues;
}

export const NO_FITS: ModelFits = { removalEffects: {} };

// The last fit turned into lookups: the deriver asks for it on every unit of work, and a fit
// changes only on a refit (keyed by the stored fit's time and size).
let memo: { key: string; fits: ModelFits } | null = null;

/** The fits of a stored model row (removal effects, Shapley coalitions), memoised for the last row seen. */
export function modelFitsOf(row: { removalEffects: RemovalEffects; computedAt: number; paths: number; fit?: StoredFit } | undefined): ModelFits {
  if (row === undefined) return NO_FITS;
  const key = `${row.computedAt}:${row.paths}:${row.fit?.coalitions.length ?? -1}:${JSON.stringify(row.removalEffects)}`;
  if (memo?.key === key) return memo.fits;
  const fits: ModelFits = {
    removalEffects: row.removalEffects,
    ...(row.fit ? { coalitions: new CoalitionValues(row.fit.coalitions) } : {}),
  };
  memo = { key, fits };
  return fits;
}
