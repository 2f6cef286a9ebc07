import { describe, expect, test } from "vitest";
import { creditConversion, creditParticipation, type CreditTouch, type ModelSettings } from "../../../src/attribution/index.js";

const T = Date.UTC(2024, 5, 30);
const DAY = 86_400_000;
const path = (...channels: string[]): CreditTouch[] => channels.map((channel, i) => ({ at: T - (channels.length - i) * 1000, channel }));
const SETTINGS: ModelSettings = { lookbackDays: 90, decayHalfLifeDays: 7 };

describe("participation", () => {
  test.each([
    { name: "no touch", touches: path(), expected: [] },
    { name: "one touch", touches: path("Email"), expected: [1] },
    { name: "two channels", touches: path("Email", "Direct"), expected: [1, 1] },
    { name: "a repeated channel counts once, at its first touch", touches: path("Email", "Direct", "Email"), expected: [1, 1, 0] },
    { name: "one channel throughout", touches: path("Direct", "Direct", "Direct"), expected: [1, 0, 0] },
    { name: "four channels over six touches", touches: path("A", "B", "A", "C", "B", "D"), expected: [1, 1, 0, 1, 0, 1] },
  ])("$name", ({ touches, expected }) => {
    expect(creditParticipation(touches)).toEqual(expected);
  });

  test("rows: one per distinct eligible channel, credit 1 each, in touch order", () => {
    const touches: CreditTouch[] = [
      { at: T - 100 * DAY, channel: "Referral" }, // outside the 90-day lookback
      { at: T - 5 * DAY, channel: "Email" },
      { at: T - 4 * DAY, channel: "Referral" },
      { at: T - 3 * DAY, channel: "Email" },
      { at: T - 1 * DAY, channel: "Paid Search" },
    ];
    expect(creditConversion("participation", touches, T, SETTINGS)).toEqual([
      { touch: 1, channel: "Email", credit: 1 },
      { touch: 2, channel: "Referral", credit: 1 },
      { touch: 4, channel: "Paid Search", credit: 1 },
    ]);
  });

  test("no eligible touch: Unattributed with 1, like every model", () => {
    expect(creditConversion("participation", [{ at: T + DAY, channel: "Email" }], T, SETTINGS)).toEqual([
      { touch: null, channel: "Unattributed", credit: 1 },
    ]);
  });
});
