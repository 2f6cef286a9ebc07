import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MAX_ATTEMPTS, MAX_DELAY_MS, nextAttemptDelay } from "../../../src/feedback/backoff.js";

const s = 1000;
const min = 60 * s;

describe("nextAttemptDelay", () => {
  test.each([
    [1, 30 * s],
    [2, 1 * min],
    [3, 2 * min],
    [4, 4 * min],
    [5, 8 * min],
    [6, 16 * min],
    [7, 32 * min],
    [8, 60 * min],
    [11, 60 * min],
  ])("after %i failures the next try waits %i ms", (attempts, delay) => {
    expect(nextAttemptDelay(attempts)).toBe(delay);
  });

  test("the twelfth failure makes the row dead, and so does anything beyond", () => {
    expect(MAX_ATTEMPTS).toBe(12);
    expect(nextAttemptDelay(12)).toBeNull();
    expect(nextAttemptDelay(1000)).toBeNull();
  });

  test("a row reaches dead after a bit more than 5 hours of failures", () => {
    let total = 0;
    for (let n = 1; n < MAX_ATTEMPTS; n++) total += nextAttemptDelay(n) ?? 0;
    expect(total).toBe(3810 * s + 4 * 60 * min);
  });

  test.each([0, -1, 1.5, Number.NaN])("attempts %s is a caller bug", (attempts) => {
    expect(() => nextAttemptDelay(attempts)).toThrow(RangeError);
  });

  test("law: delays never shrink and never pass the cap", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_ATTEMPTS - 2 }), (n) => {
        const a = nextAttemptDelay(n);
        const b = nextAttemptDelay(n + 1);
        return a !== null && b !== null && a <= b && b <= MAX_DELAY_MS;
      }),
    );
  });
});
