import { describe, expect, test } from "vitest";
import { CREDITED_MODELS, creditConversion, type CreditTouch, type ModelSettings } from "../../../src/attribution/index.js";

const DAY = 86_400_000;
const T = Date.UTC(2024, 5, 30, 12);
const SETTINGS: ModelSettings = { lookbackDays: 90, decayHalfLifeDays: 7 };

// Index 0 is outside the lookback, index 4 after the conversion: neither may be credited.
const TOUCHES: CreditTouch[] = [
  { at: T - 120 * DAY, channel: "Paid Social" },
  { at: T - 14 * DAY, channel: "Organic Search" },
  { at: T - 7 * DAY, channel: "Email" },
  { at: T, channel: "Direct" },
  { at: T + 1, channel: "Referral" },
];

describe("creditConversion", () => {
  test.each(CREDITED_MODELS)("%s: a conversion with no eligible touch goes to Unattributed", (model) => {
    const late = [{ at: T + 1, channel: "Email" }];
    expect(creditConversion(model, late, T, SETTINGS)).toEqual([{ touch: null, channel: "Unattributed", credit: 1 }]);
    expect(creditConversion(model, [], T, SETTINGS)).toEqual([{ touch: null, channel: "Unattributed", credit: 1 }]);
  });

  test.each([
    { model: "first_touch", expected: [{ touch: 1, channel: "Organic Search", credit: 1 }] },
    { model: "last_touch", expected: [{ touch: 3, channel: "Direct", credit: 1 }] },
    { model: "last_non_direct", expected: [{ touch: 2, channel: "Email", credit: 1 }] },
  ] as const)("$model keeps only the credited row, indexed into the full array", ({ model, expected }) => {
    expect(creditConversion(model, TOUCHES, T, SETTINGS)).toEqual(expected);
  });

  test("linear lists every eligible touch", () => {
    const rows = creditConversion("linear", TOUCHES, T, SETTINGS);
    expect(rows.map((row) => [row.touch, row.channel])).toEqual([
      [1, "Organic Search"],
      [2, "Email"],
      [3, "Direct"],
    ]);
    for (const row of rows) expect(row.credit).toBeCloseTo(0.333333333333333333, 15);
  });

  test("time_decay over 14, 7 and 0 days gives 1/7, 2/7, 4/7", () => {
    const rows = creditConversion("time_decay", TOUCHES, T, SETTINGS);
    expect(rows.map((row) => row.touch)).toEqual([1, 2, 3]);
    expect(rows[0]?.credit).toBeCloseTo(0.142857142857142857, 15);
    expect(rows[1]?.credit).toBeCloseTo(0.285714285714285714, 15);
    expect(rows[2]?.credit).toBeCloseTo(0.571428571428571429, 15);
  });

  test("position_based gives 0.4 / 0.2 / 0.4", () => {
    const rows = creditConversion("position_based", TOUCHES, T, SETTINGS);
    expect(rows.map((row) => [row.touch, row.credit])).toEqual([
      [1, 0.4],
      [2, 0.2],
      [3, 0.4],
    ]);
  });

  test("markov shares by removal effect, then evenly over a channel's touches", () => {
    const touches: CreditTouch[] = [
      { at: T - 3 * DAY, channel: "Email" },
      { at: T - 2 * DAY, channel: "Paid Search" },
      { at: T - DAY, channel: "Email" },
    ];
    // Email 0.6 / (0.6 + 0.2) = 0.75, split over two touches; Paid Search 0.25.
    const rows = creditConversion("markov", touches, T, SETTINGS, { Email: 0.6, "Paid Search": 0.2, Direct: 0.9 });
    expect(rows.map((row) => row.touch)).toEqual([0, 1, 2]);
    expect(rows[0]?.credit).toBeCloseTo(0.375, 15);
    expect(rows[1]?.credit).toBeCloseTo(0.25, 15);
    expect(rows[2]?.credit).toBeCloseTo(0.375, 15);
  });

  test("markov without removal effects is linear over distinct channels", () => {
    const touches: CreditTouch[] = [
      { at: T - 3 * DAY, channel: "Email" },
      { at: T - 2 * DAY, channel: "Paid Search" },
      { at: T - DAY, channel: "Email" },
    ];
    expect(creditConversion("markov", touches, T, SETTINGS).map((row) => row.credit)).toEqual([0.25, 0.5, 0.25]);
  });

  test("the lookback boundary: exactly LOOKBACK_DAYS is credited, 1 ms more is not", () => {
    const touches: CreditTouch[] = [
      { at: T - 90 * DAY - 1, channel: "Referral" },
      { at: T - 90 * DAY, channel: "Email" },
    ];
    expect(creditConversion("first_touch", touches, T, SETTINGS)).toEqual([{ touch: 1, channel: "Email", credit: 1 }]);
  });

  test("a touch at the conversion's millisecond is credited; one a millisecond after is not", () => {
    const touches: CreditTouch[] = [
      { at: T, channel: "Email" },
      { at: T + 1, channel: "Referral" },
    ];
    expect(creditConversion("last_touch", touches, T, SETTINGS)).toEqual([{ touch: 0, channel: "Email", credit: 1 }]);
  });

  test("the lookback comes from the settings", () => {
    const rows = creditConversion("first_touch", TOUCHES, T, { lookbackDays: 7, decayHalfLifeDays: 7 });
    expect(rows).toEqual([{ touch: 2, channel: "Email", credit: 1 }]);
  });
});
