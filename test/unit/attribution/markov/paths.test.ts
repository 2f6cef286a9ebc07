import { describe, expect, test } from "vitest";
import { buildPaths, conversionPath, nullPath, type CreditTouch } from "../../../../src/attribution/index.js";

const DAY = 86_400_000;
const T = Date.UTC(2024, 5, 30, 12);
const at = (daysBefore: number, channel: string): CreditTouch => ({ at: T - daysBefore * DAY, channel });

describe("conversionPath", () => {
  test("is the eligible channels in order, repeats kept", () => {
    const touches = [at(100, "Referral"), at(90, "Email"), at(3, "Email"), at(0, "Direct"), at(-1, "SMS")];
    expect(conversionPath(touches, T, 90)).toEqual({ channels: ["Email", "Email", "Direct"], converted: true });
  });

  test("is null when no touch is eligible", () => {
    expect(conversionPath([at(-1, "Email")], T, 90)).toBeNull();
  });
});

describe("nullPath", () => {
  test("runs back LOOKBACK_DAYS from the last touch, boundary included", () => {
    const touches = [at(200, "SMS"), at(100 + 1 / DAY, "Referral"), at(100, "Email"), at(10, "Direct")];
    expect(nullPath(touches, 90)).toEqual({ channels: ["Email", "Direct"], converted: false });
  });

  test("is null without touches", () => {
    expect(nullPath([], 90)).toBeNull();
  });
});

describe("buildPaths", () => {
  test("one converting path per conversion with eligible touches, one null path per non-converter", () => {
    const paths = buildPaths(
      [
        // Two conversions: the first sees Email, the second Email and Referral; the one before any touch gives nothing.
        { touches: [at(10, "Email"), at(5, "Referral")], conversionTimes: [T - 20 * DAY, T - 8 * DAY, T] },
        // A converter's later touches never form a null path.
        { touches: [at(10, "Direct"), at(1, "SMS")], conversionTimes: [T - 9 * DAY] },
        { touches: [at(3, "Organic Search"), at(2, "Organic Search")], conversionTimes: [] },
        { touches: [], conversionTimes: [] },
        { touches: [], conversionTimes: [T] },
      ],
      90,
    );
    expect(paths).toEqual([
      { channels: ["Email"], converted: true },
      { channels: ["Email", "Referral"], converted: true },
      { channels: ["Direct"], converted: true },
      { channels: ["Organic Search", "Organic Search"], converted: false },
    ]);
  });
});
