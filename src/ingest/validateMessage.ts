import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { parseMoney } from "../crm/parseAmount.js";
import { checkNesting } from "./nestingDepth.js";
import { parseSegmentTime } from "./parseTime.js";
import { truncateIp } from "./truncateIp.js";

export const MESSAGE_TYPES = ["page", "screen", "identify", "track", "alias", "group", "delete"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/**
 * Levels of objects and arrays a message may nest (the message itself is level 1), far beyond
 * what a real Segment message needs. It is checked before anything else walks the message, so
 * a message nested thousands deep is rejected instead of overflowing a recursive walk later and
 * failing its whole batch on every retry.
 */
export const MAX_MESSAGE_DEPTH = 64;
/** UTF-8 bytes of a message as stored. Segment caps a message at 32 KB; this leaves generous room. */
export const MAX_MESSAGE_BYTES = 512 * 1024;
/** Characters of messageId, userId, anonymousId, previousId and groupId. */
export const MAX_ID_LENGTH = 1024;
/** Characters of a track event's name. */
export const MAX_EVENT_LENGTH = 1024;
// Date.parse accepts years up to 275760 and before 1970; no Segment message is from either.
const MIN_TIMESTAMP = Date.UTC(1970, 0, 1);
const END_TIMESTAMP = Date.UTC(10000, 0, 1);

/**
 * Where a message's time came from: the first of these fields that it carries, else the time
 * the gateway received it (`received`). Segment's own `receivedAt` is a field like the others.
 */
export const TIME_FIELDS = ["timestamp", "originalTimestamp", "sentAt", "receivedAt"] as const;
export type TimestampSource = (typeof TIME_FIELDS)[number] | "received";

/** Revenue fields of a track call (Segment's ecommerce spec), checked against the amount bound. */
export const REVENUE_FIELDS = ["revenue", "total", "value"] as const;

/** Prefix of a messageId derived from a message's content (it had none). */
export const CONTENT_ID_PREFIX = "sha256:";

/** A Segment message that passed the spec checks, with the fields the pipeline needs pulled out. */
export interface ValidMessage {
  /** The message's own messageId, else CONTENT_ID_PREFIX + the SHA-256 of its canonical JSON. */
  messageId: string;
  type: MessageType;
  anonymousId: string | null;
  userId: string | null;
  event: string | null;
  previousId: string | null;
  timestamp: number;
  /** Which field `timestamp` was read from (optional for messages rebuilt from old rows). */
  timestampSource?: TimestampSource;
  /** The message as it will be stored (IP truncated). */
  raw: Record<string, unknown>;
  /** `raw` as the JSON text to store: serialised once here, where a failure is a rejection. */
  payload: string;
}

export type Validation =
  | { kind: "valid"; message: ValidMessage }
  | { kind: "ignored" }
  | { kind: "rejected"; reason: string; messageId: string | null };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Segment ids may be strings or numbers; anything else (or empty) is absent. */
function id(v: unknown): string | null {
  if (typeof v === "string") return v.length > 0 ? v : null;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

/** ISO 8601 with or without offset (none: UTC), Go's time.String() form, RFC 2822 with a zone; null when unparseable. */
export const parseTime = parseSegmentTime;

/**
 * A stable id for a message without one: the SHA-256 of its canonical JSON (RFC 8785: sorted
 * keys, no whitespace), so that the same message sent again is a duplicate. Null when the
 * message cannot be serialised.
 */
export function contentMessageId(input: Record<string, unknown>): string | null {
  let json: string | undefined;
  try {
    json = canonicalize(input);
  } catch {
    return null;
  }
  if (typeof json !== "string") return null;
  return CONTENT_ID_PREFIX + createHash("sha256").update(json, "utf8").digest("hex");
}

/**
 * Checks one message against Segment's spec (https://segment.com/docs/connections/spec/common/):
 * a known type, a userId or anonymousId, `event` for track, `previousId` for alias, `groupId`
 * for group. Our own feedback messages are ignored.
 * - No messageId (Segment's Webhooks and HTTP API examples, imports from other tools): a stable
 *   id from the message's content (contentMessageId), so a re-send is a duplicate.
 * - Time: `timestamp`, else `originalTimestamp`, `sentAt`, `receivedAt`, else `receivedAt` of
 *   the gateway (the time of receipt); `timestampSource` says which. A field that is present
 *   but unreadable is a rejection naming it (a guess would misplace the message in time).
 * - A `delete` (user deletion request) needs only a userId or anonymousId: it always erases, so
 *   unreadable times fall back to the time of receipt and an over-long messageId is replaced.
 * Beyond the spec, a message that could not be stored as it is (too deep, too large, not
 * serialisable, absurd ids, timestamp or revenue) is rejected here rather than failing its batch later.
 */
export function validateMessage(input: unknown, receivedAt: number = Date.now()): Validation {
  if (!isObject(input)) return { kind: "rejected", reason: "message is not a JSON object", messageId: null };
  const context = input.context;
  if (isObject(context) && context.segment_attribution !== undefined) return { kind: "ignored" };

  const givenId = id(input.messageId);
  // An over-long messageId is not kept even on the rejection.
  const rejectedId = givenId !== null && givenId.length > MAX_ID_LENGTH ? null : givenId;
  const reject = (reason: string): Validation => ({ kind: "rejected", reason, messageId: rejectedId });
  const nesting = checkNesting(input, MAX_MESSAGE_DEPTH);
  if (nesting === "cyclic") return reject(NOT_SERIALISABLE);
  if (nesting === "too deep") return reject(`message is nested more than ${MAX_MESSAGE_DEPTH} levels deep`);

  const type = input.type;
  if (typeof type !== "string" || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    return reject(`unknown type ${JSON.stringify(type ?? null)}; expected one of ${MESSAGE_TYPES.join(", ")}`);
  }
  const isDelete = type === "delete";
  const userId = id(input.userId);
  const anonymousId = id(input.anonymousId);
  if (userId === null && anonymousId === null) return reject("userId or anonymousId is required");
  const event = typeof input.event === "string" && input.event.trim() !== "" ? input.event : null;
  if (type === "track" && event === null) return reject("track message without event");
  const previousId = id(input.previousId);
  if (type === "alias" && previousId === null) return reject("alias message without previousId");
  const groupId = id(input.groupId);
  if (type === "group" && groupId === null) return reject("group message without groupId");
  let messageId = givenId;
  if (messageId === null || (isDelete && messageId.length > MAX_ID_LENGTH)) {
    messageId = contentMessageId(input);
    if (messageId === null) return reject(NOT_SERIALISABLE);
  }
  const longId = overLongId({ messageId, userId, anonymousId, previousId, groupId });
  if (longId !== null) return reject(`${longId} is longer than ${MAX_ID_LENGTH} characters`);
  if (event !== null && event.length > MAX_EVENT_LENGTH) return reject(`event is longer than ${MAX_EVENT_LENGTH} characters`);
  const time = messageTime(input, receivedAt, isDelete);
  if ("error" in time) return reject(time.error);
  if (type === "track") {
    const badRevenue = revenueOutOfRange(input.properties);
    if (badRevenue !== null) return reject(badRevenue);
  }

  const raw = withTruncatedIp(input);
  const payload = serialise(raw);
  if (payload === null) return reject(NOT_SERIALISABLE);
  if (exceedsBytes(payload, MAX_MESSAGE_BYTES)) return reject(`message is larger than ${MAX_MESSAGE_BYTES / 1024} KB as JSON`);

  return {
    kind: "valid",
    message: {
      messageId,
      type: type as MessageType,
      anonymousId,
      userId,
      event,
      previousId,
      timestamp: time.at,
      timestampSource: time.source,
      raw,
      payload,
    },
  };
}

/** The message's time and the field it came from (see validateMessage). */
function messageTime(input: Record<string, unknown>, receivedAt: number, lenient: boolean): { at: number; source: TimestampSource } | { error: string } {
  for (const field of TIME_FIELDS) {
    const v = input[field];
    if (v === undefined || v === null || v === "") continue;
    const at = parseTime(v);
    if (at === null) {
      if (lenient) continue;
      return { error: field === "timestamp" ? "timestamp is missing or not ISO 8601" : `${field} is not an ISO 8601 time` };
    }
    if (at < MIN_TIMESTAMP || at >= END_TIMESTAMP) {
      if (lenient) continue;
      return { error: `${field} is out of range: year ${yearOf(at)}, expected 1970 to 9999` };
    }
    return { at, source: field };
  }
  return { at: receivedAt, source: "received" };
}

function yearOf(at: number): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? (at < 0 ? "before -271821" : "after 275760") : String(d.getUTCFullYear());
}

/** A revenue/total/value that is a number (or money string) beyond the bound; unreadable strings are the deriver's to flag. */
function revenueOutOfRange(properties: unknown): string | null {
  if (!isObject(properties)) return null;
  for (const field of REVENUE_FIELDS) {
    const v = properties[field];
    if (typeof v !== "number" && typeof v !== "string") continue;
    const money = parseMoney(v);
    if (money.kind === "invalid" && (typeof v === "number" || money.reason.includes("out of range"))) return `properties.${field} ${money.reason}`;
  }
  return null;
}

const NOT_SERIALISABLE = "message cannot be serialised as JSON";

const ID_FIELDS = ["messageId", "userId", "anonymousId", "previousId", "groupId"] as const;
type IdField = (typeof ID_FIELDS)[number];

function overLongId(ids: Readonly<Record<IdField, string | null>>): IdField | null {
  for (const field of ID_FIELDS) {
    const value = ids[field];
    if (value !== null && value.length > MAX_ID_LENGTH) return field;
  }
  return null;
}

/** Messages from JSON.parse always serialise; ones built in code may hold a BigInt or a throwing toJSON. */
function serialise(raw: Record<string, unknown>): string | null {
  try {
    const json: unknown = JSON.stringify(raw);
    return typeof json === "string" ? json : null; // a toJSON may turn the message into undefined
  } catch {
    return null;
  }
}

function exceedsBytes(json: string, max: number): boolean {
  // A UTF-16 code unit takes 1 to 3 UTF-8 bytes: the length alone settles almost every message.
  if (json.length * 3 <= max) return false;
  if (json.length > max) return true;
  return Buffer.byteLength(json, "utf8") > max;
}

function withTruncatedIp(input: Record<string, unknown>): Record<string, unknown> {
  const context = input.context;
  if (!isObject(context) || context.ip === undefined) return input;
  const ip = typeof context.ip === "string" ? truncateIp(context.ip) : null;
  const { ip: _dropped, ...rest } = context;
  return { ...input, context: ip === null ? rest : { ...rest, ip } };
}
