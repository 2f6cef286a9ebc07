import { MESSAGE_TYPES, type MessageType, type ValidMessage } from "../ingest/validateMessage.js";
import type { StoredMessage } from "../store/types.js";

/**
 * A stored message was validated (and its IP truncated) when the gateway accepted it: rebuild
 * the ValidMessage from its columns and stored JSON instead of validating it again.
 */
export function fromStored(stored: StoredMessage): ValidMessage | null {
  if (!(MESSAGE_TYPES as readonly string[]).includes(stored.type)) return null;
  const raw = JSON.parse(stored.payload) as Record<string, unknown>;
  const previousId = raw.previousId;
  return {
    messageId: stored.messageId,
    type: stored.type as MessageType,
    anonymousId: stored.anonymousId,
    userId: stored.userId,
    event: stored.event,
    previousId: (typeof previousId === "string" && previousId !== "") || typeof previousId === "number" ? String(previousId) : null,
    timestamp: stored.timestamp,
    raw,
    payload: stored.payload,
  };
}
