import { checkNesting } from "./nestingDepth.js";
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

/** A Segment message that passed the spec checks, with the fields the pipeline needs pulled out. */
export interface ValidMessage {
  messageId: string;
  type: MessageType;
  anonymousId: string | null;
  userId: string | null;
  event: string | null;
  previousId: string | null;
  timestamp: number;
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

/** ISO 8601 (or anything Date parses unambiguously) to epoch ms; null when unparseable. */
export function parseTime(v: unknown): number | null {
  if (typeof v !== "string" || v.length < 10) return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/**
 * Checks one message against Segment's spec (https://segment.com/docs/connections/spec/common/):
 * a known type, a messageId, a userId or anonymousId, `event` for track, `previousId` for alias,
 * `groupId` for group, and a parseable timestamp. Our own feedback messages are ignored.
 * Beyond the spec, a message that could not be stored as it is (too deep, too large, not
 * serialisable, absurd ids or timestamp) is rejected here rather than failing its batch later.
 */
export function validateMessage(input: unknown): Validation {
  if (!isObject(input)) return { kind: "rejected", reason: "message is not a JSON object", messageId: null };
  const context = input.context;
  if (isObject(context) && context.segment_attribution !== undefined) return { kind: "ignored" };

  const messageId = id(input.messageId);
  // An over-long messageId is not kept even on the rejection.
  const rejectedId = messageId !== null && messageId.length > MAX_ID_LENGTH ? null : messageId;
  const reject = (reason: string): Validation => ({ kind: "rejected", reason, messageId: rejectedId });
  const nesting = checkNesting(input, MAX_MESSAGE_DEPTH);
  if (nesting === "cyclic") return reject(NOT_SERIALISABLE);
  if (nesting === "too deep") return reject(`message is nested more than ${MAX_MESSAGE_DEPTH} levels deep`);

  const type = input.type;
  if (typeof type !== "string" || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    return reject(`unknown type ${JSON.stringify(type ?? null)}; expected one of ${MESSAGE_TYPES.join(", ")}`);
  }
  if (messageId === null) return reject("messageId is missing");
  const userId = id(input.userId);
  const anonymousId = id(input.anonymousId);
  if (userId === null && anonymousId === null) return reject("userId or anonymousId is required");
  const event = typeof input.event === "string" && input.event.trim() !== "" ? input.event : null;
  if (type === "track" && event === null) return reject("track message without event");
  const previousId = id(input.previousId);
  if (type === "alias" && previousId === null) return reject("alias message without previousId");
  const groupId = id(input.groupId);
  if (type === "group" && groupId === null) return reject("group message without groupId");
  const longId = overLongId({ messageId, userId, anonymousId, previousId, groupId });
  if (longId !== null) return reject(`${longId} is longer than ${MAX_ID_LENGTH} characters`);
  if (event !== null && event.length > MAX_EVENT_LENGTH) return reject(`event is longer than ${MAX_EVENT_LENGTH} characters`);
  const timestamp = parseTime(input.timestamp);
  if (timestamp === null) return reject("timestamp is missing or not ISO 8601");
  if (timestamp < MIN_TIMESTAMP || timestamp >= END_TIMESTAMP) {
    return reject(`timestamp is out of range: year ${new Date(timestamp).getUTCFullYear()}, expected 1970 to 9999`);
  }

  const raw = withTruncatedIp(input);
  const payload = serialise(raw);
  if (payload === null) return reject(NOT_SERIALISABLE);
  if (exceedsBytes(payload, MAX_MESSAGE_BYTES)) return reject(`message is larger than ${MAX_MESSAGE_BYTES / 1024} KB as JSON`);

  return {
    kind: "valid",
    message: { messageId, type: type as MessageType, anonymousId, userId, event, previousId, timestamp, raw, payload },
  };
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
