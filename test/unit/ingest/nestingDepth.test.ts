import { describe, expect, test } from "vitest";
import { checkNesting } from "../../../src/ingest/nestingDepth.js";

describe("checkNesting", () => {
  test.each([
    ["an empty object", {}, 1, "within"],
    ["strings and numbers do not count", { a: "[[[[", b: 1, c: null }, 1, "within"],
    ["an object in an array in an object", { a: [{}] }, 3, "within"],
    ["the same, one level short", { a: [{}] }, 2, "too deep"],
    ["the deepest of several branches", { a: {}, b: [[[]]], c: [1] }, 3, "too deep"],
    ["the deepest of several branches, at the limit", { a: {}, b: [[[]]], c: [1] }, 4, "within"],
  ])("%s", (_name, value, max, expected) => {
    expect(checkNesting(value, max)).toBe(expected);
  });

  test("a container that is its own ancestor is told apart as cyclic", () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = [a];
    expect(checkNesting(a, 64)).toBe("cyclic");
  });

  test("the same object reached twice, but not through itself, is not a cycle", () => {
    const shared = { deep: {} };
    expect(checkNesting({ a: shared, b: [shared] }, 4)).toBe("within");
  });
});
