import { describe, expect, test } from "vitest";
import { ExchangeRates, parseRatesCsv, RatesFileError } from "../../../src/money/exchangeRates.js";
import { reportingMoney, unconvertedOf } from "../../../src/money/reportingMoney.js";
import { minorUnitDigits, roundCredit, roundMoney } from "../../../src/money/rounding.js";

describe("parseRatesCsv", () => {
  test("reads date,currency,rate in any column order and case, with a BOM and blank lines", () => {
    expect(parseRatesCsv("\uFEFFCurrency,Date,Rate\r\neur,2026-01-01,1.1\r\n\r\nJPY,2026-02-01,0.0067\n")).toEqual([
      { date: "2026-01-01", from: Date.UTC(2026, 0, 1), currency: "EUR", rate: 1.1 },
      { date: "2026-02-01", from: Date.UTC(2026, 1, 1), currency: "JPY", rate: 0.0067 },
    ]);
  });

  test.each([
    ["date,currency\n2026-01-01,EUR", "header must name"],
    ["date,currency,rate\n2026-02-30,EUR,1.1", "line 2: date must be YYYY-MM-DD"],
    ["date,currency,rate\n01/02/2026,EUR,1.1", "line 2: date"],
    ["date,currency,rate\n2026-01-01,EURO,1.1", "line 2: currency must be a three-letter"],
    ["date,currency,rate\n2026-01-01,EUR,1.1\n2026-01-02,USD,0", "line 3: rate must be a number greater than 0"],
    ["date,currency,rate\n2026-01-01,EUR,1,1", "not a CSV file"],
    ["date,currency,rate\n2026-01-01,EUR,-2", "rate must be"],
    ["date,currency,rate\n2026-01-01,EUR,abc", "rate must be"],
  ])("%j is refused: %s", (text, message) => {
    expect(() => parseRatesCsv(text)).toThrow(RatesFileError);
    expect(() => parseRatesCsv(text)).toThrow(message);
  });
});

describe("ExchangeRates: the latest rate on or before the time", () => {
  const rates = new ExchangeRates(parseRatesCsv("date,currency,rate\n2026-03-01,EUR,1.2\n2026-01-01,EUR,1.1\n2026-03-01,EUR,1.25\n2026-01-01,GBP,1.3"));
  test.each([
    ["EUR", Date.UTC(2025, 11, 31, 23, 59), null],
    ["EUR", Date.UTC(2026, 0, 1), 1.1],
    ["EUR", Date.UTC(2026, 1, 28, 23, 59), 1.1],
    ["EUR", Date.UTC(2026, 2, 1), 1.25], // the later line of a date given twice
    ["EUR", Date.UTC(2030, 0, 1), 1.25],
    ["GBP", Date.UTC(2026, 5, 1), 1.3],
    ["CHF", Date.UTC(2026, 5, 1), null],
  ])("%s at %d → %s", (currency, at, rate) => {
    expect(rates.rateAt(currency, at)).toBe(rate);
  });
});

describe("reportingMoney", () => {
  const money = reportingMoney("USD", parseRatesCsv("date,currency,rate\n2026-01-01,EUR,1.1"));
  test.each([
    [100, null, { amount: 100, currency: null }],
    [100, "USD", { amount: 100, currency: null }],
    [100, "EUR", { amount: 110.00000000000001, currency: null }],
    [100, "JPY", { amount: 100, currency: "JPY" }],
  ])("%d %s → %j", (amount, currency, out) => {
    expect(money.convert(amount, currency, Date.UTC(2026, 5, 1))).toEqual(out);
  });
  test("before the first rate, EUR stays EUR", () => {
    expect(money.convert(4800, "EUR", Date.UTC(2025, 5, 1))).toEqual({ amount: 4800, currency: "EUR" });
  });
  test("unconvertedOf sums per currency", () => {
    expect(unconvertedOf([["EUR", 1], ["JPY", 2], ["EUR", 3.5]])).toEqual({ EUR: 4.5, JPY: 2 });
    expect(unconvertedOf([])).toEqual({});
  });
});

describe("rounding at the edge", () => {
  test.each([
    ["USD", 2],
    ["EUR", 2],
    ["JPY", 0],
    ["KWD", 3],
    ["XYZ", 2],
  ])("%s has %d minor-unit digits", (currency, digits) => {
    expect(minorUnitDigits(currency)).toBe(digits);
  });

  test.each([
    [5262.999999999999, "USD", 5263],
    [1.005, "USD", 1.01],
    [0.1 + 0.2, "USD", 0.3],
    [2.5, "JPY", 3],
    [1.23456, "KWD", 1.235],
    [-0.001, "USD", 0],
    [1e-7, "USD", 0],
    [123456789.125, "USD", 123456789.13],
  ])("money %d %s → %d", (v, currency, out) => {
    expect(roundMoney(v, currency)).toBe(out);
  });

  test.each([
    [2.9999999999999996, 3],
    [1 / 3, 0.333333333],
    [2 / 3, 0.666666667],
    [1e-12, 0],
    [0.5, 0.5],
  ])("credit %d → %d", (v, out) => {
    expect(roundCredit(v)).toBe(out);
  });
});
