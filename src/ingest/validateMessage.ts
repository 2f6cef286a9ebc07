import { truncateIp } from "./truncateIp.js";

export const MESSAGE_TYPES = ["page", "screen", "identify", "track", "alias", "group", "delete"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

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
 */
export function validateMessage(input: unknown): Validation {
  if (!isObject(input)) return { kind: "rejected", reason: "message is not a JSON object", messageId: null };
  const context = input.context;
  if (isObject(context) && context.segment_attribution !== undefined) return { kind: "ignored" };

  const messageId = id(input.messageId);
  const reject = (reason: string): Validation => ({ kind: "rejected", reason, messageId });
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
  if (type === "group" && id(input.groupId) === null) return reject("group message without groupId");
  const timestamp = parseTime(input.timestamp);
  if (timestamp === null) return reject("timestamp is missing or not ISO 8601");

  return {
    kind: "valid",
    message: {
      messageId,
      type: type as MessageType,
      anonymousId,
      userId,
      event,
      previousId,
      timestamp,
      raw: withTruncatedIp(input),
    },
  };
}

function withTruncatedIp(input: Record<string, unknown>): Record<string, unknown> {
  const context = input.context;
  if (!isObject(context) || context.ip === undefined) return input;
  const ip = typeof context.ip === "string" ? truncateIp(context.ip) : null;
  const { ip: _dropped, ...rest } = context;
  return { ...input, context: ip === null ? rest : { ...rest, ip } };
}
