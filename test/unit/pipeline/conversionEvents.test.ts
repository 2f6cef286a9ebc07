import { describe, expect, test } from "vitest";
import { ConversionEvents } from "../../../src/pipeline/conversionEvents.js";

describe("ConversionEvents", () => {
  const events = new ConversionEvents(["Order Completed", "Signed Up", "signed up"]);
  test.each([
    ["Signed Up", "Signed Up"],
    ["Signed up", "Signed Up"],
    ["signed up", "Signed Up"],
    ["  SIGNED   UP ", "Signed Up"],
    ["SignedUp", "Signed Up"],
    ["Signed\tUp", "Signed Up"],
    ["order completed", "Order Completed"],
    ["Signed-Up", null],
    ["signed_up", null],
    ["Sign Up", null],
    ["", null],
  ])("%j → %s", (event, name) => {
    expect(events.nameOf(event)).toBe(name);
    expect(events.has(event)).toBe(name !== null);
  });
  test("the configured names, first spelling of each", () => {
    expect([...events]).toEqual(["Order Completed", "Signed Up"]);
    expect(events.size).toBe(2);
  });
});
