import type { MarkovPath, RemovalEffects } from "../types.js";
import { absorptionByFixedPoint, type SparseRow } from "./fixedPoint.js";
import { removalEffectsOfCounts, type MarkovResult } from "./removalEffects.js";
import type { TransitionCounts } from "./transitions.js";

export const MAX_MARKOV_ORDER = 4;

/** A path with how many journeys it stands for (a bootstrap resample repeats some, drops others). */
export interface WeightedPath {
  path: MarkovPath;
  weight: number;
}

/**
 * An order-k chain: a state is the tuple of the last k channels seen (fewer at the start of a
 * path: the first state of "A > B > C" at k = 2 is (A), then (A, B), then (B, C)), so k = 1 is
 * DESIGN's first-order chain. States are numbered in sorted key order (0 = start) and counts
 * are sums of weights, so the chain does not depend on the order of the paths.
 */
export interface OrderChain {
  channels: string[];
  /** The channel indices of each state's tuple; states[0] = [] (start). */
  states: number[][];
  /** counts[from]: to-state → weight; conv/nul: weight into conversion / null. */
  counts: Array<Map<number, number>>;
  conv: number[];
  nul: number[];
  totals: number[];
}

const SEP = "\u001f";

/** The states of an order-k chain and the state sequence of each path, to be counted under any weights. */
export interface PreparedChain {
  channels: string[];
  states: number[][];
  /** Per path: its state ids in order (empty for an empty path). */
  steps: Int32Array[];
  converted: boolean[];
}

/** Numbers the states of the paths' order-k chain (a bootstrap prepares once and counts per resample). */
export function prepareChain(paths: readonly MarkovPath[], order: number): PreparedChain {
  checkOrder(order);
  const distinct = new Set<string>();
  for (const path of paths) for (const channel of path.channels) distinct.add(channel);
  const channels = [...distinct].sort();
  const index = new Map(channels.map((c, i) => [c, i]));
  const tupleKeys = new Set<string>();
  const stepsOf = (channels: readonly string[]): string[] => {
    const out: string[] = [];
    for (let t = 0; t < channels.length; t++) {
      const from = Math.max(0, t - order + 1);
      out.push(channels.slice(from, t + 1).map((c) => index.get(c)).join(SEP));
    }
    return out;
  };
  const stepped = paths.map((path) => (path.channels.length === 0 ? [] : stepsOf(path.channels)));
  for (const steps of stepped) for (const key of steps) tupleKeys.add(key);
  const keys = [...tupleKeys].sort();
  const stateOf = new Map(keys.map((key, i) => [key, i + 1]));
  const states = [[], ...keys.map((key) => key.split(SEP).map(Number))];
  const steps = stepped.map((keys) => Int32Array.from(keys, (key) => stateOf.get(key)!));
  return { channels, states, steps, converted: paths.map((p) => p.converted) };
}

/** The chain's transition counts with path i counted `weights[i]` times. */
export function countChain(prepared: PreparedChain, weights: ArrayLike<number>): OrderChain {
  const { channels, states } = prepared;
  const n = states.length;
  const counts = Array.from({ length: n }, () => new Map<number, number>());
  const conv = new Array<number>(n).fill(0);
  const nul = new Array<number>(n).fill(0);
  const totals = new Array<number>(n).fill(0);
  prepared.steps.forEach((steps, p) => {
    const weight = weights[p] ?? 0;
    // As in the first-order chain: an empty path would be start → end and touch no channel.
    if (steps.length === 0 || weight === 0) return;
    let from = 0;
    for (const to of steps) {
      const row = counts[from]!;
      row.set(to, (row.get(to) ?? 0) + weight);
      totals[from]! += weight;
      from = to;
    }
    if (prepared.converted[p]) conv[from]! += weight;
    else nul[from]! += weight;
    totals[from]! += weight;
  });
  return { channels, states, counts, conv, nul, totals };
}

function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 1 || order > MAX_MARKOV_ORDER) {
    throw new RangeError(`Markov order must be an integer in 1..${MAX_MARKOV_ORDER}, got ${order}`);
  }
}

/** P(conversion | start) with every state whose tuple holds channel `removed` (an index, or -1) turned into null. */
function conversionProbability(chain: OrderChain, removed: number): number {
  const gone = (s: number) => removed >= 0 && chain.states[s]!.includes(removed);
  const rows: Array<SparseRow | undefined> = chain.states.map((_, s) => {
    const total = chain.totals[s]!;
    if (gone(s) || total === 0) return undefined;
    const to = new Map<number, number>();
    let self = 0;
    for (const [t, count] of chain.counts[s]!) {
      if (gone(t)) continue;
      if (t === s) self = count / total;
      else to.set(t, count / total);
    }
    return { to, self, conversion: chain.conv[s]! / total };
  });
  // A state without a live row (removed, or never left) is absorbing in null: drop edges into it.
  for (const row of rows) if (row) for (const t of [...row.to.keys()]) if (rows[t] === undefined) row.to.delete(t);
  return absorptionByFixedPoint(rows, 0, sweepOrder(chain));
}

/** Longer tuples first (a state's successors are at least as long), then by state number. */
function sweepOrder(chain: OrderChain): number[] {
  const order = chain.states.map((_, i) => i);
  return order.sort((a, b) => chain.states[b]!.length - chain.states[a]!.length || a - b);
}

/** Channels (indices) on some state that reaches conversion through observed transitions. */
function channelsReachingConversion(chain: OrderChain): Set<number> {
  const n = chain.states.length;
  const preds = Array.from({ length: n }, () => [] as number[]);
  chain.counts.forEach((row, from) => {
    for (const to of row.keys()) preds[to]!.push(from);
  });
  const reach = new Set<number>();
  const queue: number[] = [];
  chain.conv.forEach((w, s) => {
    if (w > 0) {
      reach.add(s);
      queue.push(s);
    }
  });
  while (queue.length > 0) {
    const s = queue.pop()!;
    for (const p of preds[s]!) if (!reach.has(p)) reach.add(p), queue.push(p);
  }
  const out = new Set<number>();
  for (const s of reach) for (const c of chain.states[s]!) out.add(c);
  return out;
}

/**
 * Removal effects of the order-k chain (k = 1..MAX_MARKOV_ORDER): removing a channel removes
 * every state whose tuple holds it. Solved as a linear system (fixedPoint.ts: to a bitwise
 * floating-point fixed point, no sampling), one solve for the full chain and one per channel.
 * For k = 1 this is the chain of removalEffects.ts solved another way (equal to rounding; the
 * fit uses removalEffects.ts's dense solve for k = 1).
 */
export function removalEffectsOfOrder(paths: readonly WeightedPath[], order: number): MarkovResult {
  const prepared = prepareChain(
    paths.map((p) => p.path),
    order,
  );
  return removalEffectsOfChain(countChain(prepared, paths.map((p) => p.weight)));
}

/**
 * Removal effects of a counted chain (see removalEffectsOfOrder). A first-order chain (every
 * state one channel) goes to the dense solve of removalEffects.ts: exact, and faster at
 * (channels + 1)² than sweeps.
 */
export function removalEffectsOfChain(chain: OrderChain): MarkovResult {
  if (chain.states.every((tuple) => tuple.length <= 1)) return removalEffectsOfCounts(firstOrderCounts(chain));
  const probability = conversionProbability(chain, -1);
  const canConvert = channelsReachingConversion(chain);
  const entries = chain.channels.map((channel, c): [string, number] => {
    if (probability === 0 || !canConvert.has(c)) return [channel, 0];
    const effect = 1 - conversionProbability(chain, c) / probability;
    return [channel, Math.min(1, Math.max(0, effect))];
  });
  const effects: RemovalEffects = Object.fromEntries(entries);
  return { effects, conversionProbability: probability };
}

/** An order-1 chain in transitions.ts's layout: 0 = start, 1..n = channels, n+1 = conversion, n+2 = null. */
function firstOrderCounts(chain: OrderChain): TransitionCounts {
  const n = chain.channels.length;
  const stateOf = (s: number) => (s === 0 ? 0 : chain.states[s]![0]! + 1);
  const counts = Array.from({ length: n + 1 }, () => new Array<number>(n + 3).fill(0));
  const rowTotals = new Array<number>(n + 1).fill(0);
  chain.states.forEach((_, s) => {
    const from = stateOf(s);
    const row = counts[from]!;
    for (const [t, w] of chain.counts[s]!) row[stateOf(t)]! += w;
    row[n + 1]! += chain.conv[s]!;
    row[n + 2]! += chain.nul[s]!;
    rowTotals[from]! += chain.totals[s]!;
  });
  return { channels: chain.channels, counts, rowTotals };
}

/** Each path once with weight 1. */
export function unweighted(paths: readonly MarkovPath[]): WeightedPath[] {
  return paths.map((path) => ({ path, weight: 1 }));
}
