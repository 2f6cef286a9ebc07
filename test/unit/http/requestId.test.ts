import { describe, expect, test } from "vitest";
import { requestId } from "../../../src/http/requestId.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("requestId", () => {
  test.each(["abc-123", "req_1.2", "A".repeat(64), "0f6c2c1e-6a7b-4b1e-9b1a-2f1e0c9d8a7b"])("the client's id %j is kept", (id) => {
    expect(requestId(id)).toBe(id);
  });

  test.each([["x".repeat(65)], ["x".repeat(8000)], ["a b"], ["a\nb"], ["<script>"], [""], [undefined]])("%j is replaced by a fresh UUID", (id) => {
    expect(requestId(id)).toMatch(UUID);
  });

  test("of a repeated header the first is used", () => {
    expect(requestId(["first", "second"])).toBe("first");
  });
});
