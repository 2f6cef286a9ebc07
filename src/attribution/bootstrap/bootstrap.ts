import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { countChain, prepareChain, removalEffectsOfChain, type PreparedChain } from "../markov/orderK.js";
import { coalitionKey, type Coalition } from "../shapley/coalitions.js";
import { CoalitionValues } from "../shapley/shapleyValues.js";
import type { MarkovPath, RemovalEffects } from "../types.js";
import { channelTotals, type ChannelTotals, type DistinctJourney } from "./creditTotals.js";
import { quantile } from "./percentile.js";

export const DEFAULT_RESAMPLES = 200;
export const DEFAULT_SEED = 20_091_118;
/** Two-sided 95 % percentile interval. */
const LOW = 0.025;
const HIGH = 0.975;

export type IntervalModel = keyof ChannelTotals;
/**
 * Per model and channel, the interval as factors of the point estimate: a report row of that
 * channel with `conversions` x has credit_low = x · low and credit_high = x · high.
 */
export type CreditIntervals = Record<IntervalModel, Record<string, { low: number; high: number }>>;

/**
 * A percentile bootstrap of the data-driven models' channel credit, run a few resamples at a
 * time (`step`) so the deriver can do other work between chunks. Each resample draws as many
 * journeys as there are, with replacement, from a seeded xoroshiro128+ (same paths and seed →
 * same intervals, whatever order the paths came in: they are put in canonical order first),
 * refits the Markov chain of the chosen order and the Shapley coalitions on it, and sums each
 * channel's credited conversions (markov_global: its share).
 */
export class CreditBootstrap {
  private readonly distinct: Array<{ path: MarkovPath; weight: number }>;
  private readonly journeys: DistinctJourney[];
  private readonly chain: PreparedChain;
  /** Per distinct journey, the index of its channel set in `coalitionSets`. */
  private readonly coalitionOf: Int32Array;
  private readonly coalitionSets: string[][];
  private readonly draws: Int32Array;
  private readonly rng;
  private readonly point: ChannelTotals;
  private readonly samples: Record<IntervalModel, Map<string, number[]>> = { markov: new Map(), shapley: new Map(), markov_global: new Map() };
  private done = 0;

  constructor(
    paths: readonly MarkovPath[],
    order: number,
    effects: RemovalEffects,
    values: CoalitionValues,
    readonly resamples = DEFAULT_RESAMPLES,
    seed = DEFAULT_SEED,
  ) {
    const counts = new Map<string, { path: MarkovPath; weight: number }>();
    for (const path of paths) {
      if (path.channels.length === 0) continue;
      const key = `${path.converted ? 1 : 0}\u001e${path.channels.join("\u001f")}`;
      const e = counts.get(key);
      if (e) e.weight++;
      else counts.set(key, { path, weight: 1 });
    }
    const keys = [...counts.keys()].sort();
    this.distinct = keys.map((k) => counts.get(k)!);
    this.journeys = this.distinct.map(({ path }) => {
      const key = coalitionKey(path.channels);
      return { key, channels: key.split("\u001f"), converted: path.converted };
    });
    this.chain = prepareChain(
      this.distinct.map((d) => d.path),
      order,
    );
    const setIndex = new Map<string, number>();
    this.coalitionSets = [];
    this.coalitionOf = Int32Array.from(this.journeys, (j) => {
      let i = setIndex.get(j.key);
      if (i === undefined) {
        setIndex.set(j.key, (i = this.coalitionSets.length));
        this.coalitionSets.push(j.channels);
      }
      return i;
    });
    let n = 0;
    for (const d of this.distinct) n += d.weight;
    this.draws = new Int32Array(n);
    let at = 0;
    this.distinct.forEach((d, i) => {
      this.draws.fill(i, at, at + d.weight);
      at += d.weight;
    });
    this.rng = xoroshiro128plus(seed);
    this.point = channelTotals(this.journeys, this.distinct.map((d) => d.weight), effects, values);
  }

  get finished(): boolean {
    return this.done >= this.resamples || this.draws.length === 0;
  }

  /** Runs up to `count` more resamples; returns whether the bootstrap is finished. */
  step(count: number): boolean {
    for (let r = 0; r < count && !this.finished; r++) {
      const weights = new Float64Array(this.distinct.length);
      const n = this.draws.length;
      for (let i = 0; i < n; i++) weights[this.draws[uniformInt(this.rng, 0, n - 1)]!]!++;
      const { effects } = removalEffectsOfChain(countChain(this.chain, weights));
      const totals = channelTotals(this.journeys, weights, effects, new CoalitionValues(this.coalitions(weights)));
      for (const model of ["markov", "shapley", "markov_global"] as const) {
        for (const channel of this.point[model].keys()) {
          let list = this.samples[model].get(channel);
          if (!list) this.samples[model].set(channel, (list = []));
          list.push(totals[model].get(channel) ?? 0);
        }
      }
      this.done++;
    }
    return this.finished;
  }

  /** The Shapley coalitions of a resample (as coalitionsOf would count the resampled journeys). */
  private coalitions(weights: ArrayLike<number>): Coalition[] {
    const out = this.coalitionSets.map((channels): Coalition => ({ channels, conversions: 0, journeys: 0 }));
    this.journeys.forEach((j, i) => {
      const w = weights[i] ?? 0;
      const c = out[this.coalitionOf[i]!]!;
      c.journeys += w;
      if (j.converted) c.conversions += w;
    });
    return out.filter((c) => c.journeys > 0);
  }

  /** The intervals (runs whatever resamples are left first). */
  intervals(): CreditIntervals {
    while (!this.step(this.resamples));
    const of = (model: IntervalModel) =>
      // fromEntries: a channel named "__proto__" stays data.
      Object.fromEntries(
        [...this.point[model].keys()].sort().map((channel) => {
          const point = this.point[model].get(channel) ?? 0;
          const sorted = [...(this.samples[model].get(channel) ?? [])].sort((a, b) => a - b);
          const bounds = point > 0 && sorted.length > 0 ? { low: quantile(sorted, LOW) / point, high: quantile(sorted, HIGH) / point } : { low: 1, high: 1 };
          return [channel, bounds];
        }),
      );
    return { markov: of("markov"), shapley: of("shapley"), markov_global: of("markov_global") };
  }
}
