import { describe, expect, test } from "vitest";
import { modelChannel, type CreditTouch, type ModelSettings } from "../../../src/attribution/index.js";

const DAY = 86_400_000;
const T = Date.UTC(2024, 5, 30, 12);
const SETTINGS: ModelSettings = { lookbackDays: 90, decayHalfLifeDays: 7 };
const at = (daysBefore: number, channel: string): CreditTouch => ({ at: T - daysBefore * DAY, channel });

describe("modelChannel", () => {
  test("no touches and no conversions gives null", () => {
    expect(modelChannel("linear", { touches: [], conversionTimes: [] }, SETTINGS)).toBeNull();
  });

  test("sums credit over every conversion", () => {
    // Conversion 1 at T-10: Email alone (1). Conversion 2 at T: Email, Referral, Referral, Referral
    // linear gives Email 0.25, Referral 0.75. Totals: Email 1.25, Referral 0.75.
    const touches = [at(20, "Email"), at(5, "Referral"), at(4, "Referral"), at(3, "Referral")];
    const person = { touches, conversionTimes: [T - 10 * DAY, T] };
    expect(modelChannel("linear", person, SETTINGS)).toBe("Email");
  });

  test("a person with no conversion is credited as if converting at their last touch", () => {
    // Lookback 10 days from the last touch (T): the Email 20 days earlier drops out.
    const touches = [at(20, "Email"), at(20, "Email"), at(5, "Referral")];
    const person = { touches, conversionTimes: [] };
    expect(modelChannel("linear", person, { lookbackDays: 10, decayHalfLifeDays: 7 })).toBe("Referral");
    expect(modelChannel("linear", person, SETTINGS)).toBe("Email");
  });

  test("time_decay favours the recent channel that linear would not", () => {
    // Email at 28 and 21 days (weights 1/16, 1/8), Referral at 0 (weight 1).
    const person = { touches: [at(28, "Email"), at(21, "Email"), at(0, "Referral")], conversionTimes: [T] };
    expect(modelChannel("linear", person, SETTINGS)).toBe("Email");
    expect(modelChannel("time_decay", person, SETTINGS)).toBe("Referral");
  });

  test("position_based: the ends beat a crowded middle", () => {
    // First 0.4, last 0.4, the three middle Email touches 0.2 in all.
    const touches = [at(5, "Paid Search"), at(4, "Email"), at(3, "Email"), at(2, "Email"), at(1, "Direct"), at(0.5, "Paid Search")];
    expect(modelChannel("position_based", { touches, conversionTimes: [T] }, SETTINGS)).toBe("Paid Search");
  });

  test("markov follows the removal effects", () => {
    const person = { touches: [at(2, "Email"), at(1, "Referral")], conversionTimes: [T] };
    expect(modelChannel("markov", person, SETTINGS, { Email: 0.2, Referral: 0.7 })).toBe("Referral");
    expect(modelChannel("markov", person, SETTINGS, { Email: 0.7, Referral: 0.2 })).toBe("Email");
  });

  test("a tie goes to the tied channel touched most recently", () => {
    const person = { touches: [at(2, "Organic Search"), at(1, "Paid Search")], conversionTimes: [T] };
    expect(modelChannel("linear", person, SETTINGS)).toBe("Paid Search");
    const reversed = { touches: [at(2, "Paid Search"), at(1, "Organic Search")], conversionTimes: [T] };
    expect(modelChannel("linear", reversed, SETTINGS)).toBe("Organic Search");
  });

  test("a tie's recency counts touches after the conversions too", () => {
    const person = { touches: [at(3, "Email"), at(2, "Referral"), at(1, "Email")], conversionTimes: [T - 1.5 * DAY] };
    expect(modelChannel("linear", person, SETTINGS)).toBe("Email");
  });

  test("sums equal up to rounding are a tie (0.1 + 0.2 against 0.3)", () => {
    // Markov effects X 1, Y 3, W1..W6 1, V1..V4 1; lookback 3 days keeps the paths apart.
    // Conversion at T-30 (path X, Y, W1..W6; total 10): X 0.1, Y 0.3, each W 0.1.
    // Conversion at T (path X, V1..V4; total 5): X 0.2, each V 0.2.
    // X sums to 0.30000000000000004 and Y to 0.3: a tie, won by Y, touched last (after T).
    const effects = { X: 1, Y: 3, W1: 1, W2: 1, W3: 1, W4: 1, W5: 1, W6: 1, V1: 1, V2: 1, V3: 1, V4: 1 };
    const touches = [
      at(32.5, "X"),
      at(32, "Y"),
      ...["W1", "W2", "W3", "W4", "W5", "W6"].map((channel, i) => at(31.9 - i / 10, channel)),
      at(2, "X"),
      ...["V1", "V2", "V3", "V4"].map((channel, i) => at(1.9 - i / 10, channel)),
      at(-1, "Y"),
    ];
    const person = { touches, conversionTimes: [T - 30 * DAY, T] };
    expect(modelChannel("markov", person, { lookbackDays: 3, decayHalfLifeDays: 7 }, effects)).toBe("Y");
  });

  test("Unattributed only when no conversion had an eligible touch", () => {
    const person = { touches: [at(-1, "Email")], conversionTimes: [T] };
    expect(modelChannel("linear", person, SETTINGS)).toBe("Unattributed");
    // Two unattributed conversions outweigh Email's one, but Unattributed is a last resort.
    const mixed = { touches: [at(1, "Email")], conversionTimes: [T - 5 * DAY, T - 4 * DAY, T] };
    expect(modelChannel("linear", mixed, SETTINGS)).toBe("Email");
  });
});
