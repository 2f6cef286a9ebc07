import { describe, expect, test } from "vitest";
import { creditConversion, creditLastNonDirect, creditLastTouch, hasCampaign, type CreditTouch, type ModelSettings } from "../../../src/attribution/index.js";

const T = Date.UTC(2024, 5, 30);
// "Channel*" marks a touch with campaign parameters.
const path = (...specs: string[]): CreditTouch[] =>
  specs.map((spec, i) => ({ at: T - (specs.length - i) * 1000, channel: spec.replace(/\*$/, ""), hasCampaign: spec.endsWith("*") }));
const ON = { campaignPriority: true };
const OFF = { campaignPriority: false };

describe("campaign priority", () => {
  test.each([
    { name: "campaign, then organic and direct", touches: path("Paid Search*", "Organic Search", "Direct"), lastTouch: [1, 0, 0], lastNonDirect: [1, 0, 0] },
    { name: "a later campaign displaces an earlier one", touches: path("Email*", "Referral", "Paid Social*", "Direct"), lastTouch: [0, 0, 1, 0], lastNonDirect: [0, 0, 1, 0] },
    { name: "no campaign touch: the plain rule", touches: path("Referral", "Organic Search", "Direct"), lastTouch: [0, 0, 1], lastNonDirect: [0, 1, 0] },
    { name: "the campaign touch is last anyway", touches: path("Direct", "Email*"), lastTouch: [0, 1], lastNonDirect: [0, 1] },
    { name: "Direct-channel campaign touches: last_non_direct prefers a non-Direct campaign", touches: path("Email*", "Direct*", "Referral"), lastTouch: [0, 1, 0], lastNonDirect: [1, 0, 0] },
    { name: "only a Direct campaign touch: it wins both", touches: path("Direct*", "Referral", "Organic Search"), lastTouch: [1, 0, 0], lastNonDirect: [1, 0, 0] },
    { name: "one touch", touches: path("Referral"), lastTouch: [1], lastNonDirect: [1] },
    { name: "no touch", touches: path(), lastTouch: [], lastNonDirect: [] },
  ])("$name", ({ touches, lastTouch, lastNonDirect }) => {
    expect(creditLastTouch(touches, T, ON)).toEqual(lastTouch);
    expect(creditLastNonDirect(touches, T, ON)).toEqual(lastNonDirect);
  });

  test("switched off, campaign flags change nothing", () => {
    const touches = path("Paid Search*", "Organic Search", "Direct");
    expect(creditLastTouch(touches, T, OFF)).toEqual([0, 0, 1]);
    expect(creditLastNonDirect(touches, T, OFF)).toEqual([0, 1, 0]);
    expect(creditLastTouch(touches)).toEqual([0, 0, 1]);
  });

  test("through creditConversion: the row points at the campaign touch", () => {
    const settings: ModelSettings = { lookbackDays: 90, decayHalfLifeDays: 7, campaignPriority: true };
    const touches = path("Organic Search", "Paid Search*", "Direct", "Referral");
    expect(creditConversion("last_touch", touches, T, settings)).toEqual([{ touch: 1, channel: "Paid Search", credit: 1 }]);
    expect(creditConversion("last_non_direct", touches, T, settings)).toEqual([{ touch: 1, channel: "Paid Search", credit: 1 }]);
    // first_touch is not a last-touch model: unchanged.
    expect(creditConversion("first_touch", touches, T, settings)).toEqual([{ touch: 0, channel: "Organic Search", credit: 1 }]);
  });

  test("a campaign touch outside the lookback does not hold the credit", () => {
    const DAY = 86_400_000;
    const touches: CreditTouch[] = [
      { at: T - 100 * DAY, channel: "Paid Search", hasCampaign: true },
      { at: T - DAY, channel: "Referral", hasCampaign: false },
    ];
    const settings: ModelSettings = { lookbackDays: 90, decayHalfLifeDays: 7, campaignPriority: true };
    expect(creditConversion("last_touch", touches, T, settings)).toEqual([{ touch: 1, channel: "Referral", credit: 1 }]);
  });
});

describe("hasCampaign", () => {
  test.each([
    { touch: { rule: "utm", campaign: null, clickIdType: null }, expected: true },
    { touch: { rule: "utm", campaign: "spring", clickIdType: null }, expected: true },
    { touch: { rule: "click_id:gclid", campaign: null, clickIdType: "gclid" }, expected: true },
    { touch: { rule: "click_id:msclkid", campaign: null, clickIdType: "msclkid" }, expected: true },
    { touch: { rule: "click_id:fbclid", campaign: null, clickIdType: "fbclid" }, expected: false },
    { touch: { rule: "click_id:igshid", campaign: null, clickIdType: "igshid" }, expected: false },
    { touch: { rule: "email_event", campaign: "newsletter-42", clickIdType: null }, expected: true },
    { touch: { rule: "email_event", campaign: null, clickIdType: null }, expected: false },
    { touch: { rule: "referrer:search", campaign: null, clickIdType: null }, expected: false },
    { touch: { rule: "direct", campaign: null, clickIdType: null }, expected: false },
    { touch: { rule: "session_timeout", campaign: null, clickIdType: null }, expected: false },
  ])("$touch.rule campaign=$touch.campaign click=$touch.clickIdType: $expected", ({ touch, expected }) => {
    expect(hasCampaign(touch)).toBe(expected);
  });
});
