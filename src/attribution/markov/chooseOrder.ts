import type { MarkovPath } from "../types.js";
import { MAX_MARKOV_ORDER } from "./orderK.js";

/** Every HOLDOUT_EVERY-th path in canonical order is held out (a 20 % test set). */
const HOLDOUT_EVERY = 5;
/** Add-one (Laplace) smoothing: a transition the training paths never showed is unlikely, not impossible. */
const ALPHA = 1;

const SEP = "\u001f";
const END_CONVERSION = "\u0000conversion";
const END_NULL = "\u0000null";

/**
 * The deterministic split of `MARKOV_ORDER=auto`: paths sorted by (outcome, channels), every
 * fifth held out. Independent of the order the store returns paths in, and identical paths
 * are spread over both sides in proportion.
 */
export function splitHeldOut(paths: readonly MarkovPath[]): { train: MarkovPath[]; heldOut: MarkovPath[] } {
  const keyed = paths.map((path) => ({ path, key: `${path.converted ? 1 : 0}${SEP}${path.channels.join(SEP)}` }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const train: MarkovPath[] = [];
  const heldOut: MarkovPath[] = [];
  keyed.forEach(({ path }, i) => ((i + 1) % HOLDOUT_EVERY === 0 ? heldOut : train).push(path));
  return { train, heldOut };
}

/** The symbols a path emits after each state: its channels, then how it ended. */
function emissions(path: MarkovPath): string[] {
  return [...path.channels, path.converted ? END_CONVERSION : END_NULL];
}

/** The order-k context before emission t: the last k channels (fewer at the start). */
function context(channels: readonly string[], t: number, order: number): string {
  return channels.slice(Math.max(0, t - order), t).join(SEP);
}

/**
 * Log-likelihood of `heldOut` under the order-k chain fitted on `train`, with add-one smoothing
 * over every symbol seen in either set (channels, conversion, null); an unseen context gives
 * each symbol the same probability.
 */
export function heldOutLogLikelihood(train: readonly MarkovPath[], heldOut: readonly MarkovPath[], order: number): number {
  const symbols = new Set<string>([END_CONVERSION, END_NULL]);
  for (const path of [...train, ...heldOut]) for (const c of path.channels) symbols.add(c);
  const counts = new Map<string, { total: number; next: Map<string, number> }>();
  for (const path of train) {
    if (path.channels.length === 0) continue;
    emissions(path).forEach((symbol, t) => {
      const key = context(path.channels, t, order);
      let row = counts.get(key);
      if (row === undefined) counts.set(key, (row = { total: 0, next: new Map() }));
      row.total++;
      row.next.set(symbol, (row.next.get(symbol) ?? 0) + 1);
    });
  }
  const v = symbols.size;
  let logLikelihood = 0;
  for (const path of heldOut) {
    if (path.channels.length === 0) continue;
    emissions(path).forEach((symbol, t) => {
      const row = counts.get(context(path.channels, t, order));
      const count = row?.next.get(symbol) ?? 0;
      logLikelihood += Math.log((count + ALPHA) / ((row?.total ?? 0) + ALPHA * v));
    });
  }
  return logLikelihood;
}

/**
 * `MARKOV_ORDER=auto`: the order 1..MAX_MARKOV_ORDER with the highest held-out log-likelihood
 * (ties: the lower order). With no held-out path, order 1.
 */
export function chooseMarkovOrder(paths: readonly MarkovPath[]): { order: number; logLikelihoods: number[] } {
  const { train, heldOut } = splitHeldOut(paths);
  const logLikelihoods: number[] = [];
  let order = 1;
  for (let k = 1; k <= MAX_MARKOV_ORDER; k++) {
    const ll = heldOutLogLikelihood(train, heldOut, k);
    logLikelihoods.push(ll);
    if (ll > logLikelihoods[order - 1]!) order = k;
  }
  return { order, logLikelihoods };
}
