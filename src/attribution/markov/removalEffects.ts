import type { MarkovPath, RemovalEffects } from "../types.js";
import { solveLinearSystem } from "./solve.js";
import { START, conversionState, countTransitions, type TransitionCounts } from "./transitions.js";

export interface MarkovResult {
  /** Per channel (sorted), 1 − P(conversion | channel removed) / P(conversion), in [0, 1]. */
  effects: RemovalEffects;
  /** P(conversion) from start, the chain's absorption probability. */
  conversionProbability: number;
}

/**
 * Removal effects of a first-order Markov chain over the paths (DESIGN "Model definitions",
 * `markov`). Absorption probabilities are solved exactly, never simulated; one solve for the
 * full chain and one per channel, each on a matrix of at most (channels + 1)².
 */
export function removalEffects(paths: readonly MarkovPath[]): MarkovResult {
  return removalEffectsOfCounts(countTransitions(paths));
}

/** removalEffects of a first-order chain already counted (a bootstrap counts each resample with weights). */
export function removalEffectsOfCounts(chain: TransitionCounts): MarkovResult {
  const probability = conversionProbability(chain, null);
  const canConvert = statesReachingConversion(chain, null);
  const entries = chain.channels.map((channel, i): [string, number] => {
    const state = i + 1;
    // A channel from which conversion is unreachable has absorption probability 0: removing
    // it changes nothing, and we say so exactly rather than via a second, rounded solve.
    if (probability === 0 || !canConvert.has(state)) return [channel, 0];
    const effect = 1 - conversionProbability(chain, state) / probability;
    // Removal can only lower P, so anything outside [0, 1] is rounding error.
    return [channel, Math.min(1, Math.max(0, effect))];
  });
  // fromEntries defines own properties, so even a channel named "__proto__" is kept as data.
  return { effects: Object.fromEntries(entries), conversionProbability: probability };
}

/**
 * P(absorption in conversion | start), with `removed` (a channel state, or null) turned into
 * null: transitions into it count as going to null. Only states that can still reach
 * conversion enter the system; every other state has probability exactly 0, and leaving them
 * out keeps I − Q non-singular (each remaining state leaks to absorption).
 */
export function conversionProbability(chain: TransitionCounts, removed: number | null): number {
  const live = [...statesReachingConversion(chain, removed)].sort((x, y) => x - y);
  if (live[0] !== START) return 0;
  const conversion = conversionState(chain);
  const matrix = live.map((from) =>
    live.map((to) => (from === to ? 1 : 0) - transitionProbability(chain, from, to)),
  );
  const rhs = live.map((from) => transitionProbability(chain, from, conversion));
  return solveLinearSystem(matrix, rhs)[0] ?? 0;
}

function transitionProbability(chain: TransitionCounts, from: number, to: number): number {
  const total = chain.rowTotals[from] ?? 0;
  return total === 0 ? 0 : (chain.counts[from]?.[to] ?? 0) / total;
}

/** Transient states (start, channels) with a path of observed transitions to conversion avoiding `removed`. */
function statesReachingConversion(chain: TransitionCounts, removed: number | null): Set<number> {
  const conversion = conversionState(chain);
  const reaching = new Set<number>();
  // Fixed point over a tiny graph: at most (channels + 1) rounds of (channels + 1)² checks.
  let grew = true;
  while (grew) {
    grew = false;
    chain.counts.forEach((row, from) => {
      if (from === removed || reaching.has(from)) return;
      const leadsOn = row.some((count, to) => count > 0 && (to === conversion || (to !== removed && reaching.has(to))));
      if (leadsOn) {
        reaching.add(from);
        grew = true;
      }
    });
  }
  return reaching;
}
