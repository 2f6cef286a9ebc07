import type { MarkovPath } from "../types.js";
import type { WeightedPath } from "../markov/orderK.js";

/**
 * One coalition of the Shapley game: a set of channels (sorted) with the journeys whose
 * channel set is exactly that set and how many of them converted. The journeys are the Markov
 * model's paths (paths.ts): one per conversion with eligible touches, one per person with
 * touches and no conversion, within the lookback.
 */
export interface Coalition {
  channels: string[];
  conversions: number;
  journeys: number;
}

const SEP = "\u001f";

/** The key of a channel set: its distinct channels sorted (UTF-16 order) and joined. */
export function coalitionKey(channels: Iterable<string>): string {
  return [...new Set(channels)].sort().join(SEP);
}

/** The coalitions of the journeys, sorted by key, so that the order of the paths does not matter. */
export function coalitionsOf(paths: readonly MarkovPath[] | readonly WeightedPath[]): Coalition[] {
  const byKey = new Map<string, Coalition>();
  for (const entry of paths) {
    const { path, weight } = "path" in entry ? entry : { path: entry, weight: 1 };
    if (path.channels.length === 0 || weight === 0) continue;
    const key = coalitionKey(path.channels);
    let c = byKey.get(key);
    if (c === undefined) byKey.set(key, (c = { channels: key.split(SEP), conversions: 0, journeys: 0 }));
    c.journeys += weight;
    if (path.converted) c.conversions += weight;
  }
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
}
