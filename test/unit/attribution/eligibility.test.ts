import { describe, expect, test } from "vitest";
import { eligibleTouches, type CreditTouch } from "../../../src/attribution/index.js";

const DAY = 86_400_000;
const T = Date.UTC(2024, 5, 30, 12);
const LOOKBACK_DAYS = 90;
const touch = (at: number, channel = "Referral"): CreditTouch => ({ at, channel });

describe("eligibleTouches", () => {
  test("no touches gives no eligible touch", () => {
    expect(eligibleTouches([], T, LOOKBACK_DAYS)).toEqual([]);
  });

  test("a touch exactly LOOKBACK_DAYS before the conversion is included", () => {
    expect(eligibleTouches([touch(T - LOOKBACK_DAYS * DAY)], T, LOOKBACK_DAYS)).toEqual([0]);
  });

  test("a touch one millisecond past the lookback is excluded", () => {
    expect(eligibleTouches([touch(T - LOOKBACK_DAYS * DAY - 1)], T, LOOKBACK_DAYS)).toEqual([]);
  });

  test("a touch at the conversion's millisecond is included, one a millisecond later is not", () => {
    expect(eligibleTouches([touch(T), touch(T + 1)], T, LOOKBACK_DAYS)).toEqual([0]);
  });

  test("indices point into the full array, skipping old and later touches", () => {
    const touches = [
      touch(T - 200 * DAY),
      touch(T - 91 * DAY),
      touch(T - 30 * DAY),
      touch(T - 1),
      touch(T + DAY),
    ];
    expect(eligibleTouches(touches, T, LOOKBACK_DAYS)).toEqual([2, 3]);
  });

  test("a fractional lookback is measured in milliseconds", () => {
    const touches = [touch(T - 12 * 3_600_000 - 1), touch(T - 12 * 3_600_000)];
    expect(eligibleTouches(touches, T, 0.5)).toEqual([1]);
  });

  test("a zero lookback keeps only touches at the conversion's millisecond", () => {
    expect(eligibleTouches([touch(T - 1), touch(T), touch(T)], T, 0)).toEqual([1, 2]);
  });
});
