import type { StoredFit } from "../attribution/modelFits.js";
import type { CrmHit } from "../crm/types.js";
import type { Touchpoint, VisitState } from "../touchpoints/types.js";

export type IdentityKind = "anonymousId" | "userId" | "email";

export interface StoredMessage {
  messageId: string;
  type: string;
  anonymousId: string | null;
  userId: string | null;
  deviceId: string;
  event: string | null;
  timestamp: number;
  /** Which field the time came from (TIME_FIELDS or "received"); null for rows stored before migration 4. */
  timestampSource?: string | null;
  receivedAt: number;
  payload: string;
}

export interface IdentityRow {
  kind: IdentityKind;
  value: string;
  personId: number;
  inferred: boolean;
  lastSeen: number;
  /**
   * An anonymousId known only as an alias's previousId (no message of its own): an id, not a
   * device, so not counted in device_count. Absent (false) otherwise.
   */
  aliasOnly?: boolean;
}

export interface StoredTouchpoint extends Touchpoint {
  id: number;
  personId: number;
}

export interface ConversionRow {
  id: string;
  personId: number | null;
  name: string;
  at: number;
  revenue: number;
  currency: string | null;
  origin: "track" | "crm";
  /** Why the revenue could not be read (revenue is then 0 in sums, null in the person API); absent when it could. */
  revenueError?: string | null;
  /**
   * `revenue` in REPORTING_CURRENCY at the conversion's time (see src/money/reportingMoney.ts);
   * null when its currency has no rate (then reported under `unconverted`). Set at derivation.
   */
  reportingRevenue?: number | null;
}

export interface CreditRow {
  conversionId: string;
  model: string;
  touchIndex: number | null;
  touchpointId: number | null;
  channel: string;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  credit: number;
  conversionName: string;
  conversionAt: number;
  /** The conversion's revenue: in REPORTING_CURRENCY when `currency` is null, else in `currency` (no rate: unconverted). */
  revenue: number;
  currency?: string | null;
}

/** The current state of a deal: the deciding hit's fields, its outcome and its person. */
export interface DealRow extends Omit<CrmHit, "idField" | "createdAtGiven"> {
  outcome: "won" | "lost" | "open";
  hitSeq: number;
  personId: number | null;
}

export interface CrmHitRow {
  seq: number;
  hitId: string;
  dealId: string | null;
  receivedAt: number;
  date: string;
  payload: string;
  error: string | null;
}

export interface MarkovModelRow {
  removalEffects: Record<string, number>;
  conversionProbability: number;
  paths: number;
  computedAt: number;
  /** Markov order, Shapley coalitions, bootstrap intervals (migration 8); absent in older rows. */
  fit?: StoredFit;
}

export type { VisitState };

export interface Stats {
  messages: number;
  rejected: number;
  persons: number;
  touchpoints: number;
  conversions: number;
  deals: number;
  outbox_pending: number;
  outbox_sent: number;
  outbox_dead: number;
}
