import type { IdentifyParams, TrackParams } from "@segment/analytics-node";
import type { AttributionContext, OutboxRow } from "./types.js";

/**
 * Turns an outbox row into the arguments of an analytics-node call. Pure, so the loop guards
 * below are tested without a network.
 */

/**
 * Keeps our own messages out of the Webhooks destination that feeds this service, so they do
 * not loop back (ingest also ignores anything carrying `context.segment_attribution`).
 */
export const LOOP_GUARD_INTEGRATIONS = { Webhooks: false, "Webhooks (Actions)": false } as const;

export type SegmentCall =
  | { kind: "track"; params: TrackParams }
  | { kind: "identify"; params: IdentifyParams }
  | { kind: "invalid"; error: string };

export function toSegmentCall(row: OutboxRow, attribution: AttributionContext): SegmentCall {
  const m = row.message;
  const identity = m.userId
    ? { userId: m.userId, ...(m.anonymousId ? { anonymousId: m.anonymousId } : {}) }
    : m.anonymousId
      ? { anonymousId: m.anonymousId }
      : null;
  if (identity === null) return { kind: "invalid", error: "message has neither userId nor anonymousId" };

  const common = {
    // The row id, not a fresh uuid: a retry of the same row is the same message for Segment's dedupe.
    messageId: row.id,
    timestamp: m.timestamp,
    integrations: { ...LOOP_GUARD_INTEGRATIONS },
    // Fresh objects per call: analytics-node writes context.library into the object it is given.
    context: { segment_attribution: { name: attribution.name, version: attribution.version } },
  };
  if (m.type === "track") {
    return { kind: "track", params: { ...identity, ...common, event: m.event, properties: { ...m.properties } } };
  }
  return { kind: "identify", params: { ...identity, ...common, traits: { ...m.traits } } };
}
