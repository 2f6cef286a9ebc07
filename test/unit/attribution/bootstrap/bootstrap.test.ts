import { describe, expect, test } from "vitest";
import {
  CoalitionValues,
  CreditBootstrap,
  coalitionsOf,
  fitDataDriven,
  quantile,
  type MarkovPath,
} from "../../../../src/attribution/index.js";

const conv = (...channels: string[]): MarkovPath => ({ channels, converted: true });
const lost = (...channels: string[]): MarkovPath => ({ channels, converted: false });
const times = (n: number, path: MarkovPath): MarkovPath[] => Array.from({ length: n }, () => path);

function bootstrapOf(paths: readonly MarkovPath[], resamples: number, seed?: number) {
  const fit = fitDataDriven(paths, 1);
  return new CreditBootstrap(paths, fit.order, fit.removalEffects, new CoalitionValues(fit.coalitions), resamples, seed);
}

const DATA = [
  ...times(30, conv("Email", "Paid Search")),
  ...times(25, lost("Email")),
  ...times(12, conv("Paid Search")),
  ...times(40, lost("Direct")),
  ...times(9, conv("Direct", "Email")),
  ...times(6, conv("Organic Search", "Direct", "Paid Search")),
  ...times(20, lost("Organic Search")),
];

describe("quantile (type 7)", () => {
  test.each([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 1, 4],
    [[10, 20], 0.025, 10.25],
    [[7], 0.975, 7],
  ])("%j at %d is %d", (values, p, expected) => {
    expect(quantile(values, p)).toBeCloseTo(expected, 12);
  });
  test("no values: NaN", () => expect(quantile([], 0.5)).toBeNaN());
});

describe("CreditBootstrap", () => {
  test("same journeys and seed, in any order and in any chunking: the same intervals", () => {
    const a = bootstrapOf(DATA, 50).intervals();
    const shuffled = [...DATA].sort((x, y) => (x.channels.join() < y.channels.join() ? 1 : -1));
    const chunked = bootstrapOf(shuffled, 50);
    let steps = 0;
    while (!chunked.step(7)) steps++;
    expect(steps).toBe(7);
    expect(chunked.intervals()).toEqual(a);
  });

  test("another seed gives other resamples", () => {
    expect(bootstrapOf(DATA, 50, 1).intervals()).not.toEqual(bootstrapOf(DATA, 50, 2).intervals());
  });

  test("intervals bracket the point estimate (factor 1) for every credited channel", () => {
    const intervals = bootstrapOf(DATA, 200).intervals();
    for (const model of ["markov", "shapley", "markov_global"] as const) {
      expect(Object.keys(intervals[model]).sort()).toEqual(["Direct", "Email", "Organic Search", "Paid Search"]);
      for (const { low, high } of Object.values(intervals[model])) {
        expect(low).toBeLessThanOrEqual(1);
        expect(high).toBeGreaterThanOrEqual(1);
        expect(low).toBeGreaterThanOrEqual(0);
      }
    }
    // A channel in most conversions has a tighter relative interval than a rare one.
    const width = (c: string) => intervals.markov[c]!.high - intervals.markov[c]!.low;
    expect(width("Paid Search")).toBeLessThan(width("Organic Search"));
  });

  test("journeys that are all alike have no spread: low = high = 1", () => {
    const intervals = bootstrapOf(times(20, conv("Email", "Direct")), 30).intervals();
    expect(intervals.markov).toEqual({ Direct: { low: 1, high: 1 }, Email: { low: 1, high: 1 } });
    expect(intervals.shapley).toEqual({ Direct: { low: 1, high: 1 }, Email: { low: 1, high: 1 } });
  });

  test("no journeys: finished at once, no intervals", () => {
    const b = new CreditBootstrap([], 1, {}, new CoalitionValues(coalitionsOf([])), 200);
    expect(b.finished).toBe(true);
    expect(b.intervals()).toEqual({ markov: {}, shapley: {}, markov_global: {} });
  });
});
