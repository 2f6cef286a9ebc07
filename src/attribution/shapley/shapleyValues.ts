import { coalitionKey, type Coalition } from "./coalitions.js";

/**
 * Exact enumeration costs 2^n coalitions per channel set; past this many distinct channels a
 * conversion is credited linearly over its distinct channels instead (documented in the README).
 * Journeys with more than 10 distinct channels are rare (the issue: "a journey rarely has more
 * than 10"); 2^10 = 1024 lookups is cheap.
 */
export const MAX_SHAPLEY_CHANNELS = 10;

/**
 * v(S): the conversion rate of the journeys whose channel set is exactly S (Shao & Li 2009,
 * with the exact-set coalition value of Zhao et al. 2018's "simplified" Shapley); 0 for a set
 * no journey had, and for the empty set.
 */
export class CoalitionValues {
  private readonly rate = new Map<string, number>();
  private readonly shares = new Map<string, Map<string, number> | null>();

  constructor(readonly coalitions: readonly Coalition[]) {
    for (const c of coalitions) if (c.journeys > 0) this.rate.set(coalitionKey(c.channels), c.conversions / c.journeys);
  }

  value(channels: Iterable<string>): number {
    return this.rate.get(coalitionKey(channels)) ?? 0;
  }

  /**
   * Shares (summing to 1) of the distinct channels `channels`: their Shapley values over the
   * subsets of that set, divided by their sum v(N) (efficiency). null when the caller must
   * fall back to linear: more than MAX_SHAPLEY_CHANNELS channels, or a total that is not > 0
   * (a set the fit never saw convert). Single values may be negative (a channel whose presence
   * lowers the conversion rate); they are kept, so shares still sum to 1. Cached per set.
   */
  sharesOf(channels: Iterable<string>): Map<string, number> | null {
    return this.sharesOfKey(coalitionKey(channels));
  }

  /** sharesOf for a set given by its coalitionKey. */
  sharesOfKey(key: string): Map<string, number> | null {
    if (this.shares.has(key)) return this.shares.get(key)!;
    const players = key === "" ? [] : key.split("\u001f");
    let result: Map<string, number> | null = null;
    if (players.length > 0 && players.length <= MAX_SHAPLEY_CHANNELS) {
      // players are sorted and distinct, and a subset keeps their order: its join is its key.
      const phi = shapleyValues(players, (subset) => this.rate.get(subset.join("\u001f")) ?? 0);
      let total = 0;
      for (const v of phi) total += v;
      // Σφ = v(N) in exact arithmetic; v(N) decides (Σφ of a set never seen is 0 plus rounding,
      // e.g. 1e-17, which must not become a denominator), Σφ normalises (sums to 1 to rounding).
      if ((this.rate.get(key) ?? 0) > 0 && total > 0) result = new Map(players.map((p, i) => [p, phi[i]! / total]));
    }
    this.shares.set(key, result);
    return result;
  }
}

/**
 * Exact Shapley values of `players` (sorted, distinct) in the game `value`:
 * φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)). Every coalition's value
 * is computed once (2^n calls); sums run in a fixed order.
 */
export function shapleyValues(players: readonly string[], value: (subset: string[]) => number): number[] {
  const n = players.length;
  const size = 1 << n;
  const v = new Float64Array(size);
  const popcount = new Uint8Array(size);
  for (let mask = 1; mask < size; mask++) {
    popcount[mask] = popcount[mask >> 1]! + (mask & 1);
    const subset: string[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) subset.push(players[i]!);
    v[mask] = value(subset);
  }
  const factorial = [1];
  for (let i = 1; i <= n; i++) factorial.push(factorial[i - 1]! * i);
  const weight = (s: number) => (factorial[s]! * factorial[n - s - 1]!) / factorial[n]!;
  return players.map((_, i) => {
    const bit = 1 << i;
    let phi = 0;
    for (let mask = 0; mask < size; mask++) {
      if (mask & bit) continue;
      phi += weight(popcount[mask]!) * (v[mask | bit]! - v[mask]!);
    }
    return phi;
  });
}
