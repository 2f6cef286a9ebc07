import type { MarkovPath } from "../types.js";

/**
 * Transition counts of the first-order chain, aggregated once so that the solves work on a
 * (channels + 1)² matrix whatever the number of paths.
 *
 * States: 0 = start, 1..n = `channels[0..n-1]`, n+1 = conversion, n+2 = null. Channels are
 * sorted by UTF-16 code units (locale-independent) and counts are integers (exact in a
 * double), so the result does not depend on the order of the paths.
 */
export interface TransitionCounts {
  channels: string[];
  /** counts[from][to], from a transient state (start or channel) to any state. */
  counts: number[][];
  /** Total outgoing count of each transient state. */
  rowTotals: number[];
}

export const START = 0;

export function conversionState(chain: TransitionCounts): number {
  return chain.channels.length + 1;
}

export function nullState(chain: TransitionCounts): number {
  return chain.channels.length + 2;
}

export function countTransitions(paths: readonly MarkovPath[]): TransitionCounts {
  const distinct = new Set<string>();
  for (const path of paths) for (const channel of path.channels) distinct.add(channel);
  const channels = [...distinct].sort();
  const stateOf = new Map(channels.map((channel, i) => [channel, i + 1]));
  const n = channels.length;
  const counts = Array.from({ length: n + 1 }, () => new Array<number>(n + 3).fill(0));
  const rowTotals = new Array<number>(n + 1).fill(0);
  const add = (from: number, to: number): void => {
    const row = counts[from];
    if (row === undefined) return;
    row[to] = (row[to] ?? 0) + 1;
    rowTotals[from] = (rowTotals[from] ?? 0) + 1;
  };
  for (const path of paths) {
    // An empty path would be start → end, which no DESIGN path produces; skip it rather
    // than let it move P(conversion) without touching any channel.
    if (path.channels.length === 0) continue;
    let from = START;
    // Consecutive repeats stay as self-loops: collapsing them is a different model.
    for (const channel of path.channels) {
      const to = stateOf.get(channel) ?? START;
      add(from, to);
      from = to;
    }
    add(from, path.converted ? n + 1 : n + 2);
  }
  return { channels, counts, rowTotals };
}
