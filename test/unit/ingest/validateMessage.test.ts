import { describe, expect, test } from "vitest";
import {
  MAX_EVENT_LENGTH,
  MAX_ID_LENGTH,
  MAX_MESSAGE_BYTES,
  MAX_MESSAGE_DEPTH,
  CONTENT_ID_PREFIX,
  contentMessageId,
  validateMessage,
  type Validation,
} from "../../../src/ingest/validateMessage.js";
import { parseSegmentTime } from "../../../src/ingest/parseTime.js";

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
    ["no ids", { messageId: "m", type: "page", timestamp: base.timestamp }, "userId or anonymousId is required"],
    ["track without event", { ...base, type: "track" }, "track message without event"],
    ["track with blank event", { ...base, type: "track", event: "  " }, "track message without event"],
    ["alias without previousId", { ...base, type: "alias", userId: "u" }, "alias message without previousId"],
    ["group without groupId", { ...base, type: "group" }, "group message without groupId"],
    ["bad timestamp", { ...base, timestamp: "yesterday", type: "page" }, "timestamp is missing or not ISO 8601"],
    ["bad originalTimestamp", { ...base, timestamp: undefined, originalTimestamp: "soon", type: "page" }, "originalTimestamp is not an ISO 8601 time"],
    ["bad sentAt", { ...base, timestamp: undefined, sentAt: 12, type: "page" }, "sentAt is not an ISO 8601 time"],
    ["absurd revenue", { ...base, type: "track", event: "Order Completed", properties: { revenue: 1e308 } }, "properties.revenue is out of range"],
    ["absurd total string", { ...base, type: "track", event: "Order Completed", properties: { total: "$1,000,000,000,000,000" } }, "properties.total is out of range"],
    ["delete without ids", { type: "delete", context: {} }, "userId or anonymousId is required"],
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

  test("payload is the JSON of the stored raw, with the IP already truncated", () => {
    const v = validateMessage({ ...base, type: "page", context: { ip: "198.51.100.23", locale: "en" }, properties: { n: 1 } });
    if (v.kind !== "valid") throw new Error(`expected valid, got ${v.kind}`);
    expect(v.message.payload).toBe(JSON.stringify(v.message.raw));
    expect(JSON.parse(v.message.payload)).toEqual({ ...base, type: "page", context: { ip: "198.51.100.0", locale: "en" }, properties: { n: 1 } });
  });
});

/** A value `levels` objects or arrays deep: nested(1) is `{}` or `[]`. */
function nested(levels: number, kind: "object" | "array"): unknown {
  let value: unknown = kind === "object" ? {} : [];
  for (let i = 1; i < levels; i++) value = kind === "object" ? { child: value } : [value];
  return value;
}

/** A page message nesting `depth` levels in all, the message itself being the first. */
const pageNested = (depth: number, kind: "object" | "array") => ({ ...base, type: "page", properties: nested(depth - 1, kind) });

const reasonOf = (v: Validation) => (v.kind === "rejected" ? v.reason : `not rejected but ${v.kind}`);

describe("validateMessage rejects what cannot be stored as it is", () => {
  test("a message nested 5000 levels deep (8 KB of brackets) is rejected without throwing", () => {
    const text = `{"messageId":"m1","anonymousId":"a1","type":"page","timestamp":"2026-01-02T03:04:05Z","properties":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const v = validateMessage(JSON.parse(text));
    expect(v).toEqual({ kind: "rejected", reason: `message is nested more than ${MAX_MESSAGE_DEPTH} levels deep`, messageId: "m1" });
  });

  test("a message nested 100,000 levels deep is rejected without overflowing the stack", () => {
    const v = validateMessage({ ...base, type: "page", properties: JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) as unknown });
    expect(reasonOf(v)).toBe("message is nested more than 64 levels deep");
  });

  test.each([
    ["objects", "object"],
    ["arrays", "array"],
  ] as const)("%s nested exactly to the limit are accepted, one level more is rejected", (_name, kind) => {
    expect(validateMessage(pageNested(MAX_MESSAGE_DEPTH, kind)).kind).toBe("valid");
    expect(reasonOf(validateMessage(pageNested(MAX_MESSAGE_DEPTH + 1, kind)))).toContain("nested more than 64 levels");
  });

  test("depth counts the deepest branch, not the first one", () => {
    const msg = { ...base, type: "page", context: { shallow: [1, "two"] }, properties: { a: [{ b: nested(MAX_MESSAGE_DEPTH - 3, "object") }] } };
    expect(reasonOf(validateMessage(msg))).toContain("nested more than");
  });

  test("a message exactly at the size limit is accepted, one byte more is rejected", () => {
    const padding = (extra: number) => {
      const empty = { ...base, type: "page", properties: { pad: "" } };
      return { ...empty, properties: { pad: "x".repeat(MAX_MESSAGE_BYTES - JSON.stringify(empty).length + extra) } };
    };
    const atLimit = validateMessage(padding(0));
    expect(atLimit.kind === "valid" && Buffer.byteLength(atLimit.message.payload)).toBe(MAX_MESSAGE_BYTES);
    expect(reasonOf(validateMessage(padding(1)))).toBe("message is larger than 512 KB as JSON");
  });

  test("size is counted in UTF-8 bytes, not characters", () => {
    const chars = Math.ceil(MAX_MESSAGE_BYTES / 2); // under the limit in characters, over it in bytes
    expect(reasonOf(validateMessage({ ...base, type: "page", properties: { text: "é".repeat(chars) } }))).toContain("larger than 512 KB");
  });

  const cyclic: Record<string, unknown> = { ...base, type: "page" };
  cyclic.properties = { parent: cyclic };
  test.each([
    ["a BigInt value", { ...base, type: "page", properties: { revenue: 10n } }],
    ["a cycle", cyclic],
    ["a throwing toJSON", { ...base, type: "page", properties: { toJSON: () => { throw new Error("no"); } } }],
    ["a toJSON that drops the message", { ...base, type: "page", toJSON: () => undefined }],
  ])("a message with %s is rejected as not serialisable", (_name, msg) => {
    expect(validateMessage(msg)).toEqual({ kind: "rejected", reason: "message cannot be serialised as JSON", messageId: "m1" });
  });

  test.each([
    ["the largest Date", "+275760-09-13T00:00:00.000Z", "year 275760"],
    ["year 10000", "+010000-01-01T00:00:00.000Z", "year 10000"],
    ["a negative year", "-000001-01-01T00:00:00.000Z", "year -1"],
    ["before 1970", "1969-12-31T23:59:59.999Z", "year 1969"],
  ])("a timestamp in %s is rejected as out of range", (_name, timestamp, year) => {
    const reason = reasonOf(validateMessage({ ...base, type: "page", timestamp }));
    expect(reason).toContain("timestamp is out of range");
    expect(reason).toContain(year);
  });

  test.each(["1970-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"])("a timestamp at the edge of the range (%s) is accepted", (timestamp) => {
    expect(validateMessage({ ...base, type: "page", timestamp }).kind).toBe("valid");
  });

  const long = "x".repeat(MAX_ID_LENGTH + 1);
  test.each([
    ["messageId", { ...base, type: "page", messageId: long }, null],
    ["userId", { ...base, type: "identify", userId: long }, "m1"],
    ["anonymousId", { ...base, type: "page", anonymousId: long }, "m1"],
    ["previousId", { ...base, type: "alias", userId: "u1", previousId: long }, "m1"],
    ["groupId", { ...base, type: "group", groupId: long }, "m1"],
  ])("a %s longer than 1024 characters is rejected naming the field", (field, msg, messageId) => {
    expect(validateMessage(msg)).toEqual({ kind: "rejected", reason: `${field} is longer than 1024 characters`, messageId });
  });

  test("ids and event names of exactly 1024 characters are accepted", () => {
    const id = "x".repeat(MAX_ID_LENGTH);
    const msg = { type: "track", messageId: id, userId: id, anonymousId: id, groupId: id, event: "e".repeat(MAX_EVENT_LENGTH), timestamp: base.timestamp };
    expect(validateMessage(msg).kind).toBe("valid");
  });

  test("an event name longer than 1024 characters is rejected", () => {
    const v = validateMessage({ ...base, type: "track", event: "e".repeat(MAX_EVENT_LENGTH + 1) });
    expect(v).toEqual({ kind: "rejected", reason: "event is longer than 1024 characters", messageId: "m1" });
  });
});

const RECEIVED = Date.UTC(2026, 5, 1, 12, 0, 0);
const valid = (msg: unknown) => {
  const v = validateMessage(msg, RECEIVED);
  if (v.kind !== "valid") throw new Error(`expected valid, got ${JSON.stringify(v)}`);
  return v.message;
};

describe("validateMessage: messages without messageId (issue 15)", () => {
  const noId = { anonymousId: "a1", type: "page", timestamp: "2026-01-02T03:04:05Z", properties: { b: 1, a: [1, { y: 2, x: 3 }] } };

  test("get a stable id from the SHA-256 of their canonical JSON", () => {
    const id = valid(noId).messageId;
    expect(id).toMatch(new RegExp(`^${CONTENT_ID_PREFIX}[0-9a-f]{64}$`));
    // Keys in another order, at every level: the same message, the same id.
    const reordered = { properties: { a: [1, { x: 3, y: 2 }], b: 1 }, timestamp: noId.timestamp, type: "page", anonymousId: "a1" };
    expect(valid(reordered).messageId).toBe(id);
    expect(contentMessageId(noId)).toBe(id);
  });

  test.each([
    ["another value", { ...noId, properties: { b: 2, a: [1, { y: 2, x: 3 }] } }],
    ["another array order", { ...noId, properties: { b: 1, a: [{ y: 2, x: 3 }, 1] } }],
    ["another time", { ...noId, timestamp: "2026-01-02T03:04:06Z" }],
  ])("a message with %s gets another id", (_name, other) => {
    expect(valid(other).messageId).not.toBe(valid(noId).messageId);
  });

  test("an empty messageId counts as none; a given messageId is kept", () => {
    expect(valid({ ...noId, messageId: "" }).messageId).toMatch(/^sha256:/);
    expect(valid({ ...noId, messageId: 7 }).messageId).toBe("7");
  });
});

describe("validateMessage: the message's time (issue 15)", () => {
  const ids = { messageId: "m1", anonymousId: "a1", type: "page" };
  test.each([
    ["timestamp", { timestamp: "2026-01-02T03:04:05Z", originalTimestamp: "2025-01-01T00:00:00Z" }, Date.UTC(2026, 0, 2, 3, 4, 5)],
    ["originalTimestamp", { originalTimestamp: "2026-01-02T03:04:05+02:00", sentAt: "2025-01-01T00:00:00Z" }, Date.UTC(2026, 0, 2, 1, 4, 5)],
    ["sentAt", { sentAt: "2026-01-02T03:04:05.5Z", receivedAt: "2025-01-01T00:00:00Z" }, Date.UTC(2026, 0, 2, 3, 4, 5, 500)],
    ["receivedAt", { receivedAt: "2026-01-02T03:04:05Z" }, Date.UTC(2026, 0, 2, 3, 4, 5)],
    ["received", {}, RECEIVED],
    ["originalTimestamp", { timestamp: null, originalTimestamp: "2026-01-02T03:04:05Z" }, Date.UTC(2026, 0, 2, 3, 4, 5)],
    ["originalTimestamp", { timestamp: "", originalTimestamp: "2026-01-02T03:04:05Z" }, Date.UTC(2026, 0, 2, 3, 4, 5)],
  ])("falls back to %s", (source, times, at) => {
    const m = valid({ ...ids, ...times });
    expect(m.timestampSource).toBe(source);
    expect(m.timestamp).toBe(at);
  });
});

describe("parseSegmentTime", () => {
  test.each([
    ["2026-01-02T03:04:05Z", Date.UTC(2026, 0, 2, 3, 4, 5)],
    ["2026-01-02T03:04:05.123Z", Date.UTC(2026, 0, 2, 3, 4, 5, 123)],
    ["2026-01-02T03:04:05.123456789Z", Date.UTC(2026, 0, 2, 3, 4, 5, 123)],
    ["2026-01-02T03:04:05+02:00", Date.UTC(2026, 0, 2, 1, 4, 5)],
    ["2026-01-02T03:04:05+0200", Date.UTC(2026, 0, 2, 1, 4, 5)],
    ["2026-01-02T03:04:05-05", Date.UTC(2026, 0, 2, 8, 4, 5)],
    ["2026-01-02T03:04:05-03:30", Date.UTC(2026, 0, 2, 6, 34, 5)],
    ["2026-01-02T03:04:05", Date.UTC(2026, 0, 2, 3, 4, 5)],
    ["2026-01-02 03:04:05Z", Date.UTC(2026, 0, 2, 3, 4, 5)],
    ["2026-01-02", Date.UTC(2026, 0, 2)],
    // Go's time.Time.String(), as in Segment's delete notices.
    ["2019-05-16 13:52:11.542 +0000 UTC", Date.UTC(2019, 4, 16, 13, 52, 11, 542)],
    ["2019-05-16 13:52:11.542209 +0000 UTC m=+0.000000001", Date.UTC(2019, 4, 16, 13, 52, 11, 542)],
    ["2019-05-16 13:52:11 +0000 UTC", Date.UTC(2019, 4, 16, 13, 52, 11)],
    ["2019-05-16 15:52:11.5 +0200 CEST", Date.UTC(2019, 4, 16, 13, 52, 11, 500)],
    ["2019-05-16 10:52:11.123456789 -0300 -03 m=+3.14", Date.UTC(2019, 4, 16, 13, 52, 11, 123)],
    ["Thu, 01 Jan 2026 00:00:00 GMT", Date.UTC(2026, 0, 1)],
  ])("%s → %d", (text, at) => {
    expect(parseSegmentTime(text)).toBe(at);
  });

  test.each([
    ["yesterday"],
    ["2026-02-30T00:00:00Z"],
    ["2026-13-01T00:00:00Z"],
    ["2026-01-01T24:00:00Z"],
    ["2026-01-01T10:00:00+25:00"],
    ["01/02/2026"],
    ["Thu Jan 01 2026 00:00:00"],
    [1767225600000],
    [null],
  ])("%j is not a time", (text) => {
    expect(parseSegmentTime(text)).toBeNull();
  });
});

describe("validateMessage: delete requests always erase (issue 15)", () => {
  test("a delete with no messageId and a Go-style or unreadable time is valid", () => {
    const m = valid({ type: "delete", userId: "u1", originalTimestamp: "2019-05-16 13:52:11.542 +0000 UTC" });
    expect(m.type).toBe("delete");
    expect(m.messageId).toMatch(/^sha256:/);
    expect(m.timestamp).toBe(Date.UTC(2019, 4, 16, 13, 52, 11, 542));
    const garbled = valid({ type: "delete", userId: "u1", timestamp: "garbage", sentAt: "1960-01-01T00:00:00Z" });
    expect(garbled.timestampSource).toBe("received");
    expect(garbled.timestamp).toBe(RECEIVED);
  });

  test("an over-long messageId on a delete is replaced, not a rejection", () => {
    expect(valid({ type: "delete", userId: "u1", messageId: "x".repeat(MAX_ID_LENGTH + 1) }).messageId).toMatch(/^sha256:/);
  });
});
