import { describe, expect, test } from "vitest";
import { DEFAULT_LOST_STATUSES, DEFAULT_WON_STATUSES, statusOutcome } from "../../../src/crm/index.js";

describe("statusOutcome", () => {
  test("the defaults are DESIGN's lists", () => {
    expect([...DEFAULT_WON_STATUSES]).toEqual([
      "won", "closed_won", "closedwon", "paid", "completed", "received", "shipped", "delivered",
    ]);
    expect([...DEFAULT_LOST_STATUSES]).toEqual([
      "lost", "closed_lost", "closedlost", "refunded", "cancelled", "canceled", "returned",
    ]);
  });

  test.each(DEFAULT_WON_STATUSES.map((status) => [status]))("default won: %s", (status) => {
    expect(statusOutcome(status, DEFAULT_WON_STATUSES, DEFAULT_LOST_STATUSES)).toBe("won");
  });

  test.each(DEFAULT_LOST_STATUSES.map((status) => [status]))("default lost: %s", (status) => {
    expect(statusOutcome(status, DEFAULT_WON_STATUSES, DEFAULT_LOST_STATUSES)).toBe("lost");
  });

  test.each([
    ["Closed_Won", "won"],
    ["PAID", "won"],
    [" Delivered ", "won"],
    ["ReFunded", "lost"],
    ["CANCELED", "lost"],
    ["open", "open"],
    ["negotiation", "open"],
    ["closed pending", "open"],
    ["", "open"],
  ])("case-insensitive with defaults: %j → %s", (status, outcome) => {
    expect(statusOutcome(status)).toBe(outcome);
  });

  test.each([
    ["Signed", "won"],
    ["won", "open"],
    ["churned", "lost"],
    ["lost", "open"],
    ["trial", "open"],
  ])("custom lists replace the defaults: %s → %s", (status, outcome) => {
    expect(statusOutcome(status, ["signed", " Invoiced "], ["CHURNED"])).toBe(outcome);
  });

  test("custom list entries are trimmed and compared case-insensitively", () => {
    expect(statusOutcome("invoiced", ["signed", " Invoiced "], [])).toBe("won");
  });

  test("a status configured as both won and lost counts as lost", () => {
    expect(statusOutcome("paid", ["paid"], ["Paid"])).toBe("lost");
  });

  test("empty lists make every status open", () => {
    expect(statusOutcome("won", [], [])).toBe("open");
  });
});

describe("statusOutcome spelling", () => {
  test.each([
    ["Closed Won", "won"],
    ["closed-lost", "lost"],
    ["Closed  Lost", "lost"],
    ["closed won ", "won"],
  ])("%j is %s with the default lists", (status, outcome) => {
    expect(statusOutcome(status)).toBe(outcome);
  });
});
