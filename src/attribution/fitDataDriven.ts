import { chooseMarkovOrder } from "./markov/chooseOrder.js";
import { removalEffectsOfOrder, unweighted } from "./markov/orderK.js";
import { removalEffects } from "./markov/removalEffects.js";
import { coalitionsOf, type Coalition } from "./shapley/coalitions.js";
import type { MarkovPath, RemovalEffects } from "./types.js";
import type { CreditIntervals } from "./bootstrap/index.js";

/** `MARKOV_ORDER`: 1..4, or `auto` (chosen by held-out likelihood). */
export type MarkovOrderSetting = number | "auto";

/** What the data-driven models (markov, shapley, markov_global) learnt from every journey. */
export interface DataDrivenFit {
  /** The Markov order in force (the chosen one under `auto`). */
  order: number;
  removalEffects: RemovalEffects;
  conversionProbability: number;
  /** Shapley's coalitions: journeys and conversions per exact channel set. */
  coalitions: Coalition[];
  /** Bootstrap intervals of channel credit; null until the bootstrap has run. */
  intervals: CreditIntervals | null;
}

/**
 * Fits Markov (of the configured order; order 1 through the dense first-order solve, so its
 * numbers are the ones checked against ChannelAttribution) and Shapley on the same paths.
 * The bootstrap runs after, in chunks (bootstrap/bootstrap.ts).
 */
export function fitDataDriven(paths: readonly MarkovPath[], orderSetting: MarkovOrderSetting): DataDrivenFit {
  const order = orderSetting === "auto" ? chooseMarkovOrder(paths).order : orderSetting;
  const markov = order === 1 ? removalEffects(paths) : removalEffectsOfOrder(unweighted(paths), order);
  return {
    order,
    removalEffects: markov.effects,
    conversionProbability: markov.conversionProbability,
    coalitions: coalitionsOf(paths),
    intervals: null,
  };
}
