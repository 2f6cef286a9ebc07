import { describe, expect, test } from "vitest";
import { validateMessage } from "../../../src/ingest/validateMessage.js";

const base = { messageId: "m1", anonymousId: "a1", timestamp: "2026-01-02T03:04:05.000Z" };

describe("validateMessage", () => {
  test.each([
    ["page", { ...base, type: "page" }],
    ["screen", { ...base, type: "screen", name: "Home" }],
    ["identify", { ...base, type: "identify", userId: "u1", traits: { email: "a@b.c" } }],
    ["track", { ...base, type: "track", event: "Signed Up" }],
    ["alias", { ...base, type: "alias", userId: "u1", previousId: "a1" }],
    ["group", { ...base, type: "group", groupId: "g1" }],
    ["delete", { ...base, type: "delete", userId: "u1" }],
    ["userId only", { messageId: "m1", userId: "u1", type: "page", timestamp: "2026-01-02T03:04:05Z" }],
    ["numeric userId", { messageId: "m1", userId: 42, type: "page", timestamp: "2026-01-02T03:04:05+02:00" }],
  ])("a valid %s message is accepted", (_name, msg) => {
    const v = validateMessage(msg);
    expect(v.kind).toBe("valid");
  });

  test.each([
    ["not an object", "hello", "message is not a JSON object"],
    ["an array", [1], "message is not a JSON object"],
    ["unknown type", { ...base, type: "pageview" }, 'unknown type "pageview"'],
    ["missing type", { ...base }, "unknown type null"],
    ["missing messageId", { ...base, messageId: undefined, type: "page" }, "messageId is missing"],
    ["empty messageId", { ...base, messageId: "", type: "page" }, "messageId is missing"],
    ["no ids", { messageId: "m", type: "page", timestamp: base.timestamp }, "userId or anonymousId is required"],
    ["track without event", { ...base, type: "track" }, "track message without event"],
    ["track with blank event", { ...base, type: "track", event: "  " }, "track message without event"],
    ["alias without previousId", { ...base, type: "alias", userId: "u" }, "alias message without previousId"],
    ["group without groupId", { ...base, type: "group" }, "group message without groupId"],
    ["missing timestamp", { ...base, timestamp: undefined, type: "page" }, "timestamp is missing or not ISO 8601"],
    ["bad timestamp", { ...base, timestamp: "yesterday", type: "page" }, "timestamp is missing or not ISO 8601"],
  ])("%s is rejected with its reason", (_name, msg, reason) => {
    const v = validateMessage(msg);
    expect(v.kind).toBe("rejected");
    if (v.kind === "rejected") expect(v.reason).toContain(reason);
  });

  test("a message of ours (context.segment_attribution) is ignored", () => {
    expect(validateMessage({ ...base, type: "track", event: "Visitor Source Identified", context: { segment_attribution: { name: "x" } } })).toEqual({
      kind: "ignored",
    });
  });

  test("context.ip is stored truncated, the rest untouched", () => {
    const v = validateMessage({ ...base, type: "page", context: { ip: "198.51.100.23", locale: "en" } });
    expect(v.kind === "valid" && v.message.raw.context).toEqual({ ip: "198.51.100.0", locale: "en" });
  });

  test("timestamp is parsed to epoch milliseconds", () => {
    const v = validateMessage({ ...base, type: "page", timestamp: "2026-01-02T03:04:05.250Z" });
    expect(v.kind === "valid" && v.message.timestamp).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 250));
  });
});
