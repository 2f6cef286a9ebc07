import { describe, expect, test } from "vitest";
import { parseCrmHit, type CrmParseResult } from "../../../src/crm/index.js";

const RECEIVED = Date.UTC(2024, 5, 1, 12, 0, 0);
const base = { dealId: "D-1", status: "won", email: "ann@example.com" };

function ok(result: CrmParseResult) {
  if (result.kind !== "ok") throw new Error(`expected ok, got ${result.message}`);
  return result.hit;
}

describe("parseCrmHit", () => {
  test("a full JSON hit is normalised", () => {
    const hit = ok(
      parseCrmHit(
        {
          dealId: " D-1 ",
          status: "  Closed_Won ",
          amount: 1200.5,
          currency: "eur",
          userId: "u1",
          email: "  Ann@Example.COM ",
          anonymousId: "a1",
          createdAt: "2024-05-01T10:00:00Z",
          updatedAt: "2024-05-02T10:00:00.250+02:00",
        },
        RECEIVED,
      ),
    );
    expect(hit).toEqual({
      dealId: "D-1",
      idField: "dealId",
      status: "Closed_Won",
      amount: 1200.5,
      currency: "EUR",
      userId: "u1",
      email: "ann@example.com",
      anonymousId: "a1",
      createdAt: Date.UTC(2024, 4, 1, 10),
      createdAtGiven: true,
      updatedAt: Date.UTC(2024, 4, 2, 8, 0, 0, 250),
      receivedAt: RECEIVED,
    });
  });

  test("a form-encoded hit (all strings) parses the same as JSON", () => {
    const form = { orderId: "1001", status: "paid", total: "1,200.50", currency: "usd", userId: "42" };
    const hit = ok(parseCrmHit(form, RECEIVED));
    expect(hit).toMatchObject({ dealId: "1001", idField: "orderId", amount: 1200.5, currency: "USD", userId: "42" });
  });

  test.each([
    [{ dealId: 7 }, "7", "dealId"],
    [{ orderId: 1001 }, "1001", "orderId"],
    [{ leadId: "L-9" }, "L-9", "leadId"],
    [{ dealId: "D", orderId: "O" }, "D", "dealId"],
    [{ dealId: "", orderId: "O" }, "O", "orderId"],
    [{ orderId: "O", leadId: "L" }, "O", "orderId"],
  ])("id %j → %s from %s", (ids, dealId, idField) => {
    const hit = ok(parseCrmHit({ status: "won", userId: "u", ...ids }, RECEIVED));
    expect(hit.dealId).toBe(dealId);
    expect(hit.idField).toBe(idField);
  });

  test.each([
    [1200, 1200],
    [0, 0],
    [99.99, 99.99],
    ["1200", 1200],
    ["1200.50", 1200.5],
    ["1,200.50", 1200.5],
    ["1,234,567", 1234567],
    [" 42.1 ", 42.1],
    ["-15.00", -15],
    ["0.5", 0.5],
    // Money strings as people write them (issue 15): decimal comma, symbols, codes, spaces.
    ["12,50", 12.5],
    ["1.200,50", 1200.5],
    ["1,20", 1.2],
    ["$100", 100],
    ["1 200", 1200],
  ])("amount %j → %s", (amount, expected) => {
    expect(ok(parseCrmHit({ ...base, amount }, RECEIVED)).amount).toBe(expected);
  });

  test.each([[undefined], [null], [""], ["   "]])("amount %j is absent → null", (amount) => {
    expect(ok(parseCrmHit({ ...base, amount }, RECEIVED)).amount).toBeNull();
  });

  test("total is used when amount is absent, and ignored when amount is present", () => {
    expect(ok(parseCrmHit({ ...base, total: "80" }, RECEIVED)).amount).toBe(80);
    expect(ok(parseCrmHit({ ...base, amount: 5, total: "garbage" }, RECEIVED)).amount).toBe(5);
  });

  test.each([
    ["abc"],
    ["1.200.50"],
    ["1,2,3"],
    ["1e3"],
    [1e308],
    ["1e308"],
    ["1,000,000,000,000,000"],
    ["."],
    [true],
    [{ value: 1 }],
    [[1]],
  ])("amount %j is invalid and named", (amount) => {
    expect(parseCrmHit({ ...base, amount }, RECEIVED)).toMatchObject({
      kind: "invalid",
      field: "amount",
      message: expect.stringContaining("amount"),
    });
  });

  test("an amount beyond the bound is refused naming the bound", () => {
    expect(parseCrmHit({ ...base, amount: 1e308 }, RECEIVED)).toMatchObject({ kind: "invalid", field: "amount", message: expect.stringContaining("at most 1e+12") });
  });

  test("a currency in the amount string is the deal's currency unless the currency field contradicts it", () => {
    expect(ok(parseCrmHit({ ...base, amount: "100 EUR" }, RECEIVED))).toMatchObject({ amount: 100, currency: "EUR" });
    expect(ok(parseCrmHit({ ...base, amount: "1.299,00 €", currency: "eur" }, RECEIVED))).toMatchObject({ amount: 1299, currency: "EUR" });
    expect(parseCrmHit({ ...base, amount: "100 EUR", currency: "USD" }, RECEIVED)).toMatchObject({ kind: "invalid", field: "amount", message: "amount is in EUR but currency is USD" });
  });

  test("a bad total is named as total", () => {
    expect(parseCrmHit({ ...base, total: "lots" }, RECEIVED)).toMatchObject({
      kind: "invalid",
      field: "total",
      message: expect.stringMatching(/^total /),
    });
  });

  test("updatedAt defaults to receivedAt and createdAt to updatedAt", () => {
    const noTimes = ok(parseCrmHit(base, RECEIVED));
    expect(noTimes.updatedAt).toBe(RECEIVED);
    expect(noTimes.createdAt).toBe(RECEIVED);
    const onlyUpdated = ok(parseCrmHit({ ...base, updatedAt: "2024-01-02T03:04:05Z" }, RECEIVED));
    expect(onlyUpdated.createdAt).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(onlyUpdated.updatedAt).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(onlyUpdated.createdAtGiven).toBe(false);
  });

  test.each([
    ["2024-03-05", Date.UTC(2024, 2, 5)],
    ["2024-03-05T06:07", Date.UTC(2024, 2, 5, 6, 7)],
    ["2024-03-05T06:07:08", Date.UTC(2024, 2, 5, 6, 7, 8)],
    ["2024-03-05 06:07:08Z", Date.UTC(2024, 2, 5, 6, 7, 8)],
    ["2024-03-05T06:07:08.123456Z", Date.UTC(2024, 2, 5, 6, 7, 8, 123)],
    ["2024-03-05T06:07:08-0530", Date.UTC(2024, 2, 5, 11, 37, 8)],
    ["2024-03-05T06:07:08+01", Date.UTC(2024, 2, 5, 5, 7, 8)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    [1717243200, 1717243200000],
    [1717243200123, 1717243200123],
    ["1717243200", 1717243200000],
    [253402300799999, 253402300799999],
    ["9999-12-31T23:59:59.999Z", 253402300799999],
  ])("createdAt %j → %s (no offset means UTC; epoch s or ms)", (createdAt, expected) => {
    expect(ok(parseCrmHit({ ...base, createdAt }, RECEIVED)).createdAt).toBe(expected);
  });

  test.each([
    ["createdAt", "yesterday"],
    ["createdAt", "2024-02-30T00:00:00Z"],
    ["createdAt", "2023-02-29"],
    ["createdAt", "2024-13-01"],
    ["createdAt", "2024-01-01T24:00:00Z"],
    ["createdAt", "0000-00-00 00:00:00"],
    ["createdAt", "03/05/2024"],
    ["updatedAt", "2024-01-01T10:00:00+25:00"],
    ["updatedAt", -5],
    ["updatedAt", false],
    // Past the Date range or year 9999 (issue 15): refused here, not a 500 later.
    ["createdAt", 9e15],
    ["updatedAt", 9e15],
    ["createdAt", 1e308],
    ["createdAt", "9000000000000000"],
    ["createdAt", 253402300800000],
    ["updatedAt", Number.MAX_SAFE_INTEGER],
  ])("%s %j is invalid and named", (field, value) => {
    expect(parseCrmHit({ ...base, [field]: value }, RECEIVED)).toMatchObject({
      kind: "invalid",
      field,
      message: expect.stringContaining(field),
    });
  });

  test.each([
    ["dealId", { status: "won", userId: "u" }, /dealId \(or orderId \/ leadId\) is required/],
    ["dealId", { dealId: "  ", status: "won", userId: "u" }, /is required/],
    ["dealId", { dealId: true, status: "won", userId: "u" }, /^dealId must be/],
    ["orderId", { orderId: 1.5, status: "won", userId: "u" }, /^orderId must be/],
    ["leadId", { leadId: -3, status: "won", userId: "u" }, /^leadId must be/],
    ["status", { dealId: "D", userId: "u" }, /^status is required/],
    ["status", { dealId: "D", status: " ", userId: "u" }, /^status is required/],
    ["status", { dealId: "D", status: 3, userId: "u" }, /^status must be a string/],
    ["currency", { ...base, currency: "dollars" }, /^currency must be a three-letter/],
    ["currency", { ...base, currency: 840 }, /^currency must be a string/],
    ["email", { dealId: "D", status: "won", email: "not-an-email" }, /^email must be an email/],
    ["userId", { dealId: "D", status: "won", userId: { id: 1 } }, /^userId must be/],
    ["anonymousId", { dealId: "D", status: "won", anonymousId: ["a"] }, /^anonymousId must be/],
    ["userId", { dealId: "D", status: "won" }, /userId, email or anonymousId is required/],
    ["userId", { dealId: "D", status: "won", userId: "", email: " ", anonymousId: null }, /is required/],
  ])("invalid %s: %j", (field, body, message) => {
    const result = parseCrmHit(body, RECEIVED);
    expect(result).toMatchObject({ kind: "invalid", field });
    if (result.kind === "invalid") expect(result.message).toMatch(message);
  });

  test.each([
    [{ userId: 42 }, { userId: "42", email: null, anonymousId: null }],
    [{ email: "X@Y.io" }, { userId: null, email: "x@y.io", anonymousId: null }],
    [{ anonymousId: " anon " }, { userId: null, email: null, anonymousId: "anon" }],
  ])("one identity is enough: %j", (identity, expected) => {
    expect(ok(parseCrmHit({ dealId: "D", status: "open", ...identity }, RECEIVED))).toMatchObject(expected);
  });

  test("unknown fields are ignored", () => {
    expect(ok(parseCrmHit({ ...base, pipeline: "default", owner: { id: 1 } }, RECEIVED)).dealId).toBe("D-1");
  });
});
