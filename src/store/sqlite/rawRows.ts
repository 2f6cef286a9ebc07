import type { CrmHitRow, StoredMessage } from "../types.js";

/** Row shapes of the raw tables and their mapping to the store's types. */
export interface MessageDbRow {
  seq: number;
  message_id: string;
  type: string;
  anonymous_id: string | null;
  user_id: string | null;
  device_id: string;
  event: string | null;
  timestamp: number;
  /** Migration 4; absent from rows selected by column list elsewhere. */
  timestamp_source?: string | null;
  received_at: number;
  payload: string;
}

export const toMessage = (r: MessageDbRow): StoredMessage => {
  const m: StoredMessage = {
    messageId: r.message_id,
    type: r.type,
    anonymousId: r.anonymous_id,
    userId: r.user_id,
    deviceId: r.device_id,
    event: r.event,
    timestamp: r.timestamp,
    receivedAt: r.received_at,
    payload: r.payload,
  };
  // Rows from before migration 4 (and ones stored without it) carry no source.
  if (r.timestamp_source !== undefined && r.timestamp_source !== null) m.timestampSource = r.timestamp_source;
  return m;
};

export interface HitDbRow {
  seq: number;
  hit_id: string;
  deal_id: string | null;
  received_at: number;
  date: string;
  payload: string;
  error: string | null;
}

export const toHit = (r: HitDbRow): CrmHitRow => ({
  seq: r.seq,
  hitId: r.hit_id,
  dealId: r.deal_id,
  receivedAt: r.received_at,
  date: r.date,
  payload: r.payload,
  error: r.error,
});
