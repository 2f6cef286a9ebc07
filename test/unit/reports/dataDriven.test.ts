import { describe, expect, test } from "vitest";
import { foldReportRows } from "../../../src/reports/attributionReport.js";
import { globalRows } from "../../../src/reports/dataDriven.js";
import type { ReportRow } from "../../../src/store/index.js";

const row = (key: string, currency: string | null, conversions: number, revenue: number): ReportRow => ({ key, currency, conversions, revenue });

describe("globalRows (markov_global)", () => {
  test("shares conversions once and revenue per currency, never mixing currencies", () => {
    const markov = [
      row("Email", null, 1, 100),
      row("Email", "EUR", 1, 40),
      row("Paid Search", null, 2, 300),
      row("Paid Search", "JPY", 0, 0),
      row("Unattributed", null, 1, 10),
      row("Unattributed", "EUR", 1, 5),
    ];
    // Shares: Email 1/4, Paid Search 3/4. Attributed total: 4 conversions, 400 USD, 40 EUR, 0 JPY.
    const rows = globalRows(markov, { Email: 1, "Paid Search": 3 });
    expect(rows).toEqual([
      row("Email", null, 1, 100),
      row("Email", "EUR", 0, 10),
      row("Email", "JPY", 0, 0),
      row("Paid Search", null, 3, 300),
      row("Paid Search", "EUR", 0, 30),
      row("Paid Search", "JPY", 0, 0),
      row("Unattributed", null, 1, 10),
      row("Unattributed", "EUR", 1, 5),
    ]);
    const folded = foldReportRows(rows, "USD");
    expect(folded.rows).toEqual([
      { key: "Paid Search", conversions: 3, revenue: 300, unconverted: { EUR: 30, JPY: 0 } },
      { key: "Email", conversions: 1, revenue: 100, unconverted: { EUR: 10, JPY: 0 } },
      { key: "Unattributed", conversions: 2, revenue: 10, unconverted: { EUR: 5 } },
    ]);
    // Same totals as markov's own rows: only the split between channels changes.
    expect(folded.totals).toEqual(foldReportRows(markov, "USD").totals);
  });

  test("with no rate-less revenue every channel has one row in the reporting currency", () => {
    const rows = globalRows([row("Email", null, 2, 50), row("Direct", null, 2, 150)], { Direct: 1, Email: 1 });
    expect(rows).toEqual([row("Direct", null, 2, 100), row("Email", null, 2, 100)]);
  });

  test("before a fit (no positive effect) the rows are markov's own", () => {
    const markov = [row("Email", "EUR", 1, 40)];
    expect(globalRows(markov, {})).toEqual(markov);
  });
});
