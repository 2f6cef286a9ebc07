import { describe, expect, test } from "vitest";
import { creditLinear, creditPositionBased, type CreditTouch } from "../../../src/attribution/index.js";

const T = Date.UTC(2024, 5, 30);
const path = (k: number): CreditTouch[] => Array.from({ length: k }, (_, i) => ({ at: T - (k - i) * 1000, channel: `C${i}` }));

describe("linear", () => {
  test.each([
    { k: 0, expected: [] },
    { k: 1, expected: [1] },
    { k: 2, expected: [0.5, 0.5] },
    { k: 4, expected: [0.25, 0.25, 0.25, 0.25] },
    { k: 8, expected: [0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125] },
  ])("k=$k gives 1/k each", ({ k, expected }) => {
    expect(creditLinear(path(k))).toEqual(expected);
  });

  test("k=3 gives a third each", () => {
    const credits = creditLinear(path(3));
    expect(credits).toHaveLength(3);
    for (const credit of credits) expect(credit).toBeCloseTo(0.333333333333333, 14);
  });

  test("touches at the same time still get equal shares", () => {
    expect(creditLinear([{ at: T, channel: "A" }, { at: T, channel: "B" }])).toEqual([0.5, 0.5]);
  });
});

describe("position_based", () => {
  test.each([
    { k: 0, expected: [] },
    { k: 1, expected: [1] },
    { k: 2, expected: [0.5, 0.5] },
    { k: 3, expected: [0.4, 0.2, 0.4] },
    { k: 4, expected: [0.4, 0.1, 0.1, 0.4] },
    { k: 6, expected: [0.4, 0.05, 0.05, 0.05, 0.05, 0.4] },
  ])("k=$k", ({ k, expected }) => {
    const credits = creditPositionBased(path(k));
    expect(credits).toHaveLength(expected.length);
    credits.forEach((credit, i) => expect(credit).toBeCloseTo(expected[i] ?? NaN, 15));
  });

  test("touches at the same time: first and last follow the given order", () => {
    const touches = [
      { at: T, channel: "A" },
      { at: T, channel: "B" },
      { at: T, channel: "C" },
    ];
    expect(creditPositionBased(touches)).toEqual([0.4, 0.2, 0.4]);
  });
});
