import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  INVERSE_J,
  J_SHAPED,
  U_SHAPED,
  creditByPosition,
  creditConversion,
  creditCustomPosition,
  creditInverseJ,
  creditJShaped,
  creditPositionBased,
  parsePositionWeights,
  type CreditTouch,
  type ModelSettings,
} from "../../../src/attribution/index.js";

const T = Date.UTC(2024, 5, 30);
const path = (k: number): CreditTouch[] => Array.from({ length: k }, (_, i) => ({ at: T - (k - i) * 1000, channel: `C${i}` }));
const SETTINGS: ModelSettings = { lookbackDays: 90, decayHalfLifeDays: 7 };

function expectCredits(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((credit, i) => expect(credit).toBeCloseTo(expected[i] ?? NaN, 15));
}

describe("position weights", () => {
  // Worked by hand: k=2 renormalises first/last (J: 0.2/(0.2+0.6) = 0.25), k≥3 splits the middle.
  test.each([
    { model: "j_shaped", rule: creditJShaped, k: 0, expected: [] },
    { model: "j_shaped", rule: creditJShaped, k: 1, expected: [1] },
    { model: "j_shaped", rule: creditJShaped, k: 2, expected: [0.25, 0.75] },
    { model: "j_shaped", rule: creditJShaped, k: 3, expected: [0.2, 0.2, 0.6] },
    { model: "j_shaped", rule: creditJShaped, k: 4, expected: [0.2, 0.1, 0.1, 0.6] },
    { model: "j_shaped", rule: creditJShaped, k: 6, expected: [0.2, 0.05, 0.05, 0.05, 0.05, 0.6] },
    { model: "inverse_j", rule: creditInverseJ, k: 1, expected: [1] },
    { model: "inverse_j", rule: creditInverseJ, k: 2, expected: [0.75, 0.25] },
    { model: "inverse_j", rule: creditInverseJ, k: 3, expected: [0.6, 0.2, 0.2] },
    { model: "inverse_j", rule: creditInverseJ, k: 5, expected: [0.6, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.2] },
    { model: "position_based", rule: creditPositionBased, k: 2, expected: [0.5, 0.5] },
    { model: "position_based", rule: creditPositionBased, k: 5, expected: [0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4] },
  ])("$model, k=$k", ({ rule, k, expected }) => {
    expectCredits(rule(path(k)), expected);
  });

  test.each([
    { weights: { first: 0.5, middle: 0.5, last: 0 }, k: 2, expected: [1, 0] },
    { weights: { first: 0.5, middle: 0.5, last: 0 }, k: 3, expected: [0.5, 0.5, 0] },
    { weights: { first: 0, middle: 1, last: 0 }, k: 2, expected: [0.5, 0.5] },
    { weights: { first: 0, middle: 1, last: 0 }, k: 4, expected: [0, 0.5, 0.5, 0] },
    { weights: { first: 0.1, middle: 0.3, last: 0.6 }, k: 2, expected: [1 / 7, 6 / 7] },
    { weights: { first: 0.1, middle: 0.3, last: 0.6 }, k: 4, expected: [0.1, 0.15, 0.15, 0.6] },
  ])("custom $weights.first/$weights.middle/$weights.last, k=$k", ({ weights, k, expected }) => {
    expectCredits(creditCustomPosition(path(k), T, { ...SETTINGS, positionWeights: weights }), expected);
  });

  test("custom without POSITION_WEIGHTS is the U shape, bit for bit", () => {
    for (const k of [1, 2, 3, 7]) expect(creditCustomPosition(path(k), T, SETTINGS)).toEqual(creditPositionBased(path(k)));
  });

  test("creditConversion lists every eligible touch for the position models", () => {
    const rows = creditConversion("j_shaped", path(3), T, SETTINGS);
    expect(rows.map((r) => [r.touch, r.channel])).toEqual([
      [0, "C0"],
      [1, "C1"],
      [2, "C2"],
    ]);
    expectCredits(
      rows.map((r) => r.credit),
      [0.2, 0.2, 0.6],
    );
  });

  const weightsArb = fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .filter(([a, b, c]) => a + b + c > 0)
    .map(([a, b, c]) => ({ first: a / (a + b + c), middle: b / (a + b + c), last: c / (a + b + c) }));

  test("any weights: non-negative, sum to 1, and the same input gives the same credits", () => {
    fc.assert(
      fc.property(weightsArb, fc.integer({ min: 1, max: 30 }), (weights, k) => {
        const credits = creditByPosition(path(k), weights);
        expect(credits).toHaveLength(k);
        for (const c of credits) expect(c).toBeGreaterThanOrEqual(0);
        expect(Math.abs(credits.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-9);
        expect(creditByPosition(path(k), { ...weights })).toEqual(credits);
      }),
    );
  });

  test("inverse J is J mirrored: reversing the path reverses the credits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), (k) => {
        expect(creditInverseJ([...path(k)].reverse())).toEqual([...creditJShaped(path(k))].reverse());
      }),
    );
  });

  test("the named shapes", () => {
    expect(U_SHAPED).toEqual({ first: 0.4, middle: 0.2, last: 0.4 });
    expect(J_SHAPED).toEqual({ first: 0.2, middle: 0.2, last: 0.6 });
    expect(INVERSE_J).toEqual({ first: 0.6, middle: 0.2, last: 0.2 });
  });
});

describe("parsePositionWeights", () => {
  test.each([
    ["40,20,40", { first: 0.4, middle: 0.2, last: 0.4 }],
    ["0.2, 0.2, 0.6", { first: 0.2, middle: 0.2, last: 0.6 }],
    ["60,20,20", { first: 0.6, middle: 0.2, last: 0.2 }],
    ["0,1,0", { first: 0, middle: 1, last: 0 }],
    ["0.3,0.3,0.4", { first: 0.3, middle: 0.3, last: 0.4 }],
    ["33.3,33.4,33.3", { first: 0.333, middle: 0.334, last: 0.333 }],
  ])("%s is accepted", (text, expected) => {
    const w = parsePositionWeights(text);
    expect(typeof w).toBe("object");
    if (typeof w === "string") return;
    expect(w.first).toBeCloseTo(expected.first, 15);
    expect(w.middle).toBeCloseTo(expected.middle, 15);
    expect(w.last).toBeCloseTo(expected.last, 15);
  });

  test.each([
    ["40,20", /three non-negative numbers/],
    ["40,20,40,0", /three non-negative numbers/],
    ["-10,60,50", /three non-negative numbers/],
    ["a,b,c", /three non-negative numbers/],
    ["40,,60", /three non-negative numbers/],
    ["0.5,0.5,0.5", /must sum to 1 \(or 100\)/],
    ["30,30,30", /must sum to 1 \(or 100\)/],
    ["Infinity,0,0", /three non-negative numbers/],
  ])("%s is refused", (text, message) => {
    expect(parsePositionWeights(text)).toMatch(message);
  });
});
