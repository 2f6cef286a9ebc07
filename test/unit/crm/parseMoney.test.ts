import { describe, expect, test } from "vitest";
import { MAX_AMOUNT, parseAmount, parseMoney } from "../../../src/crm/parseAmount.js";

describe("parseMoney", () => {
  test.each([
    [1299, 1299, null],
    [-15.5, -15.5, null],
    ["1299", 1299, null],
    ["1,299.00", 1299, null],
    ["1,299", 1299, null],
    ["1,234,567.89", 1234567.89, null],
    ["$19.99", 19.99, null],
    ["-$19.99", -19.99, null],
    ["$-19.99", -19.99, null],
    ["(15.00)", -15, null],
    ["1.299,00 €", 1299, "EUR"],
    ["€1.299,00", 1299, "EUR"],
    ["19,99", 19.99, null],
    ["0,5", 0.5, null],
    ["1.234.567", 1234567, null],
    ["1 299,00", 1299, null],
    ["1\u00a0299,00\u00a0€", 1299, "EUR"],
    ["1\u202f299,00", 1299, null],
    ["CHF 1'299.50", 1299.5, "CHF"],
    ["100 EUR", 100, "EUR"],
    ["usd 42", 42, "USD"],
    ["US$ 5", 5, "USD"],
    ["R$ 1.000,00", 1000, "BRL"],
    ["£7", 7, "GBP"],
    ["¥1,000", 1000, null],
    [" 42.1 ", 42.1, null],
    [".5", 0.5, null],
    ["1.5", 1.5, null],
  ])("%j → %s (currency %s)", (input, amount, currency) => {
    expect(parseMoney(input)).toEqual({ kind: "ok", amount, currency });
  });

  test.each([
    ["abc"],
    [""],
    ["   "],
    ["."],
    [","],
    ["1e3"],
    ["1.200.50"],
    ["1,20,000"],
    ["12.34.56,7"],
    ["1,2,3"],
    ["1.299,00,00"],
    ["$"],
    ["19.99 dollars"],
    ["--5"],
    [true],
    [null],
    [{ value: 1 }],
    [[1]],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
  ])("%j is not an amount", (input) => {
    expect(parseMoney(input).kind).toBe("invalid");
  });

  test.each([[1e308], [-1e308], [MAX_AMOUNT * 10], ["1,000,000,000,000,000"]])("%j is out of range", (input) => {
    const r = parseMoney(input);
    expect(r).toEqual({ kind: "invalid", reason: expect.stringContaining("out of range") });
  });

  test("the bound itself is accepted", () => {
    expect(parseAmount(MAX_AMOUNT)).toBe(MAX_AMOUNT);
    expect(parseAmount(-MAX_AMOUNT)).toBe(-MAX_AMOUNT);
  });
});
