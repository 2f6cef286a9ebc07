import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { changedTraits } from "../../../src/feedback/messages.js";

describe("changedTraits", () => {
  test.each([
    { name: "same scalars", previous: { a: 1, b: "x", c: null }, next: { a: 1, b: "x", c: null } },
    { name: "same array in a new instance", previous: { ch: ["Direct", "Email"] }, next: { ch: ["Direct", "Email"] } },
    { name: "key order differs", previous: { a: 1, b: 2 }, next: { b: 2, a: 1 } },
    { name: "nested object equal", previous: { o: { x: [1, { y: 2 }] } }, next: { o: { x: [1, { y: 2 }] } } },
    { name: "undefined counts as absent", previous: { a: 1 }, next: { a: 1, b: undefined } },
    { name: "a key already cleared stays cleared", previous: { a: 1, gone: null }, next: { a: 1 } },
    { name: "nothing before, nothing now", previous: null, next: {} },
  ])("unchanged → null: $name", ({ previous, next }) => {
    expect(changedTraits(previous, next)).toBeNull();
  });

  test.each([
    { name: "an array element changed", previous: { ch: ["Direct", "Email"] }, next: { ch: ["Direct", "Paid Search"] } },
    { name: "an array grew", previous: { ch: ["Direct"] }, next: { ch: ["Direct", "Direct"] } },
    { name: "a scalar changed", previous: { n: 1, s: "a" }, next: { n: 2, s: "a" } },
    { name: "null became a value", previous: { c: null }, next: { c: "x" } },
    { name: "a key was added", previous: { a: 1 }, next: { a: 1, b: 2 } },
    { name: "1 vs '1'", previous: { a: 1 }, next: { a: "1" } },
  ])("changed → the full next set: $name", ({ previous, next }) => {
    expect(changedTraits(previous, next)).toEqual(next);
  });

  test("the first identify of a person sends every trait", () => {
    expect(changedTraits(null, { touch_count: 1 })).toEqual({ touch_count: 1 });
  });

  test("a removed key is sent as null, since identify merges and would keep the stale value", () => {
    expect(changedTraits({ a: 1, last_deal_status: "won" }, { a: 1 })).toEqual({ a: 1, last_deal_status: null });
  });

  const traits = fc.dictionary(
    fc.constantFrom("touch_count", "touch_channels", "first_touch_channel", "deals_won"),
    fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 })),
  );

  test("law: a set compared with a deep copy of itself never changed", () => {
    fc.assert(fc.property(traits, (t) => changedTraits(structuredClone(t), t) === null));
  });

  test("law: after sending the result, the same next set is unchanged", () => {
    fc.assert(
      fc.property(fc.option(traits, { nil: null }), traits, (previous, next) => {
        const sent = changedTraits(previous, next);
        if (sent === null) return true;
        return changedTraits(sent, next) === null;
      }),
    );
  });
});
