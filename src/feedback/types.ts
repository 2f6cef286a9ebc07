/** Marks every message we send, so that ingest can recognise (and ignore) our own messages coming back. */
export interface AttributionContext {
  name: string;
  version: string;
}

interface OutboundBase {
  /** Stable id of the outbox row; Segment deduplicates by it. */
  messageId: string;
  userId?: string;
  anonymousId?: string;
  /** ISO 8601: the time of the touch or change the message reports. */
  timestamp: string;
}

export type OutboundMessage =
  | (OutboundBase & { type: "track"; event: string; properties: Record<string, unknown> })
  | (OutboundBase & { type: "identify"; traits: Record<string, unknown> });

/** One row of the durable outbox. */
export interface OutboxRow {
  id: string;
  message: OutboundMessage;
  /** Failed attempts so far. */
  attempts: number;
}

/**
 * The store side of the outbox. Claims are leases: a claimed row is invisible to other
 * senders until `leaseMs` passes, so a sender that dies leaves its rows to be claimed again.
 */
export interface OutboxQueue {
  claimDue(limit: number, now: number, leaseMs: number): Promise<OutboxRow[]>;
  /** Marks rows sent, only those still pending and leased (a row is never marked twice). */
  markSent(ids: string[], now: number): Promise<void>;
  /** `nextAttemptAt` null parks the row as dead. */
  markFailed(id: string, error: string, attempts: number, nextAttemptAt: number | null): Promise<void>;
  /** Puts dead rows back in the queue; returns how many. */
  requeueDead(now: number): Promise<number>;
}
