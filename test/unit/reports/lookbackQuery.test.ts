import { describe, expect, test } from "vitest";
import { MODELS, RULE_MODELS } from "../../../src/attribution/index.js";
import { parseReportQuery } from "../../../src/reports/attributionReport.js";
import { CreditTotals, groupKey } from "../../../src/reports/groupCredits.js";
import { LOOKBACK_MODELS } from "../../../src/reports/lookbackReport.js";

describe("lookbackDays in the report query", () => {
  test.each([
    [undefined, null],
    ["", null],
    ["1", 1],
    ["30", 30],
    [" 90 ", 90],
    ["3650", 3650],
  ])("lookbackDays=%j parses to %j", (value, expected) => {
    const parsed = parseReportQuery({ model: "linear", lookbackDays: value });
    expect(parsed).toMatchObject({ kind: "ok", query: { lookbackDays: expected } });
  });

  test.each([["0"], ["3651"], ["-1"], ["7.5"], ["1e3"], ["0x10"], ["ten"], [["5", "6"]]])("lookbackDays=%j is refused", (value) => {
    const parsed = parseReportQuery({ model: "linear", lookbackDays: value });
    expect(parsed.kind).toBe("invalid");
    if (parsed.kind === "invalid") expect(parsed.message).toMatch(/^lookbackDays must be a whole number of days from 1 to 3650/);
  });

  test("every rule model and markov can be recomputed; any other model is refused by name", () => {
    expect([...LOOKBACK_MODELS]).toEqual([...RULE_MODELS, "markov"]);
    for (const model of [...LOOKBACK_MODELS, "all"]) expect(parseReportQuery({ model, lookbackDays: "7" }).kind).toBe("ok");
    for (const model of MODELS.filter((m) => !LOOKBACK_MODELS.includes(m))) {
      const parsed = parseReportQuery({ model, lookbackDays: "7" });
      expect(parsed).toMatchObject({ kind: "invalid" });
      if (parsed.kind === "invalid") expect(parsed.message).toContain(`lookbackDays recomputes only these models at query time: ${LOOKBACK_MODELS.join(", ")}, all`);
    }
  });
});

describe("grouping recomputed credits", () => {
  const touch = { source: "google", medium: "cpc", campaign: null };
  test.each([
    ["channel", "Paid Search", touch, "Paid Search"],
    ["source", "Paid Search", touch, "google"],
    ["source_medium", "Paid Search", touch, "google / cpc"],
    ["campaign", "Paid Search", touch, "(not set)"],
    ["campaign", "Paid Search", { ...touch, campaign: "spring" }, "spring"],
    ["source", "Unattributed", null, "Unattributed"],
    ["campaign", "Unattributed", null, "Unattributed"],
  ] as const)("groupBy=%s, %s: %s", (groupBy, channel, t, expected) => {
    expect(groupKey(groupBy, channel, t)).toBe(expected);
  });

  test("rows sum credit and credit × revenue, ordered by revenue, conversions, then key bytes", () => {
    const totals = new CreditTotals();
    totals.add("b", 0.5, 100);
    totals.add("a", 0.5, 100);
    totals.add("b", 0.25, 40);
    totals.add("\u{1F600}", 1, 0);
    totals.add("\uFF21", 1, 0); // sorts before the surrogate pair in UTF-8, after it in UTF-16
    totals.add("z", 0, 0);
    expect(totals.rows()).toEqual([
      { key: "b", currency: null, conversions: 0.75, revenue: 60 },
      { key: "a", currency: null, conversions: 0.5, revenue: 50 },
      { key: "\uFF21", currency: null, conversions: 1, revenue: 0 },
      { key: "\u{1F600}", currency: null, conversions: 1, revenue: 0 },
      { key: "z", currency: null, conversions: 0, revenue: 0 },
    ]);
  });

  test("revenue without a rate stays apart per currency: one row per (key, currency)", () => {
    const totals = new CreditTotals();
    totals.add("a", 0.5, 100);
    totals.add("a", 0.5, 80, "EUR");
    totals.add("a", 1, 10, "JPY");
    totals.add("b", 1, 20, "EUR");
    expect(totals.rows()).toEqual([
      { key: "a", currency: null, conversions: 0.5, revenue: 50 },
      { key: "a", currency: "EUR", conversions: 0.5, revenue: 40 },
      { key: "b", currency: "EUR", conversions: 1, revenue: 20 },
      { key: "a", currency: "JPY", conversions: 1, revenue: 10 },
    ]);
  });
});
