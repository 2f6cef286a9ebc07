import type { SegmentCampaign } from "../sources/types.js";

/** One page/screen/track call of a device, reduced to what sessionization needs. */
export interface DeviceCall {
  messageId: string;
  /** Epoch milliseconds of the message's `timestamp`. */
  at: number;
  type: "page" | "screen" | "track";
  url: string | null;
  referrer: string | null;
  campaign: SegmentCampaign | null;
  /** Track event name. */
  event: string | null;
  /** Track properties (only needed for email/push/deep-link spec events). */
  properties: Record<string, unknown> | null;
}

/** A touchpoint as derived from one device's calls. */
export interface Touchpoint {
  messageId: string;
  deviceId: string;
  at: number;
  channel: string;
  source: string;
  medium: string;
  campaign: string | null;
  term: string | null;
  content: string | null;
  referrer: string | null;
  landingPage: string | null;
  clickIdType: string | null;
  rule: string;
}

/** Where a device's visit stands after its latest call; persisted so sessionization is incremental. */
export interface VisitState {
  lastAt: number;
  lastMessageId: string;
  source: string | null;
  medium: string | null;
  campaign: string | null;
}
