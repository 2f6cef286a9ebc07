import { describe, expect, test } from "vitest";
import { creditTimeDecay, type CreditTouch, type ModelSettings } from "../../../src/attribution/index.js";

const DAY = 86_400_000;
const T = Date.UTC(2024, 5, 30, 12);
const SETTINGS: ModelSettings = { lookbackDays: 90, decayHalfLifeDays: 7 };
const daysBefore = (...days: number[]): CreditTouch[] => days.map((d, i) => ({ at: T - d * DAY, channel: `C${i}` }));

function expectCredits(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((credit, i) => expect(credit).toBeCloseTo(expected[i] ?? NaN, 15));
}

describe("time_decay", () => {
  test("k=0 gives no credit", () => {
    expect(creditTimeDecay([], T, SETTINGS)).toEqual([]);
  });

  test("k=1 gives everything to the one touch, however old", () => {
    expect(creditTimeDecay(daysBefore(60), T, SETTINGS)).toEqual([1]);
  });

  test("k=2 one half-life apart: weights 0.5 and 1 give 1/3 and 2/3", () => {
    expectCredits(creditTimeDecay(daysBefore(7, 0), T, SETTINGS), [0.333333333333333333, 0.666666666666666667]);
  });

  test("k=3 at 14, 7 and 0 days: weights 0.25, 0.5, 1 give 1/7, 2/7, 4/7", () => {
    expectCredits(creditTimeDecay(daysBefore(14, 7, 0), T, SETTINGS), [
      0.142857142857142857, 0.285714285714285714, 0.571428571428571429,
    ]);
  });

  test("many touches: 28, 21, 14, 7 and 7 days give 1/16, 1/8, 1/4, 1/2, 1/2 over 23/16", () => {
    // weights 0.0625, 0.125, 0.25, 0.5, 0.5 sum to 1.4375
    expectCredits(creditTimeDecay(daysBefore(28, 21, 14, 7, 7), T, SETTINGS), [
      0.0434782608695652174, 0.0869565217391304348, 0.173913043478260870, 0.347826086956521739, 0.347826086956521739,
    ]);
  });

  test("half a half-life: weight 2^-0.5 against 1 gives √2 − 1 and 2 − √2", () => {
    expectCredits(creditTimeDecay(daysBefore(3.5, 0), T, SETTINGS), [0.414213562373095049, 0.585786437626904951]);
  });

  test("with a 1-day half-life, touches 3 and 1 days back weigh 0.125 and 0.5, so 0.2 and 0.8", () => {
    expectCredits(creditTimeDecay(daysBefore(3, 1), T, { lookbackDays: 90, decayHalfLifeDays: 1 }), [0.2, 0.8]);
  });

  test("equal times get equal credit whatever their order", () => {
    expectCredits(creditTimeDecay(daysBefore(7, 7), T, SETTINGS), [0.5, 0.5]);
  });

  test("touches too old for a double still share credit (all weights underflow)", () => {
    // 2000 and 2001 half-lives before T: relative weights 1/2 and 1 give 1/3 and 2/3.
    const touches = daysBefore(2001, 2000);
    expectCredits(creditTimeDecay(touches, T, { lookbackDays: 5000, decayHalfLifeDays: 1 }), [
      0.333333333333333333, 0.666666666666666667,
    ]);
  });

  test("a non-positive half-life is a bug and throws", () => {
    expect(() => creditTimeDecay(daysBefore(1), T, { lookbackDays: 90, decayHalfLifeDays: 0 })).toThrow(RangeError);
  });
});
