import type { ConversionRow, CreditRow, DealRow, IdentityKind, IdentityRow, StoredTouchpoint } from "./types.js";

/**
 * Row shapes of the derived tables and their mapping to the store's types, shared by the SQLite
 * and PostgreSQL query modules (the same columns in both; the raw tables' mappers are in
 * sqlite/rawRows.ts).
 */
export interface IdentityDbRow {
  kind: IdentityKind;
  value: string;
  person_id: number;
  inferred: number;
  last_seen: number;
  /** Migration 4. */
  alias_only?: number;
}

export const toIdentity = (r: IdentityDbRow): IdentityRow => {
  const row: IdentityRow = { kind: r.kind, value: r.value, personId: r.person_id, inferred: r.inferred === 1, lastSeen: r.last_seen };
  if (r.alias_only === 1) row.aliasOnly = true;
  return row;
};

/** device_count: the person's anonymousIds that sent messages themselves (an alias's previousId alone is no device). */
export const deviceCount = (ids: readonly IdentityRow[]): number => {
  let n = 0;
  for (const i of ids) if (i.kind === "anonymousId" && i.aliasOnly !== true) n++;
  return n;
};

export interface TouchDbRow {
  id: number;
  message_id: string;
  device_id: string;
  person_id: number;
  at: number;
  channel: string;
  source: string;
  medium: string;
  campaign: string | null;
  term: string | null;
  content: string | null;
  referrer: string | null;
  landing_page: string | null;
  click_id_type: string | null;
  rule: string;
}

export const toTouch = (r: TouchDbRow): StoredTouchpoint => ({
  id: r.id,
  personId: r.person_id,
  messageId: r.message_id,
  deviceId: r.device_id,
  at: r.at,
  channel: r.channel,
  source: r.source,
  medium: r.medium,
  campaign: r.campaign,
  term: r.term,
  content: r.content,
  referrer: r.referrer,
  landingPage: r.landing_page,
  clickIdType: r.click_id_type,
  rule: r.rule,
});

export interface ConversionDbRow {
  id: string;
  person_id: number | null;
  name: string;
  at: number;
  revenue: number;
  currency: string | null;
  origin: "track" | "crm";
  /** Migration 4. */
  reporting_revenue?: number | null;
  revenue_error?: string | null;
}

export const toConversion = (r: ConversionDbRow): ConversionRow => ({
  id: r.id,
  personId: r.person_id,
  name: r.name,
  at: r.at,
  revenue: r.revenue,
  currency: r.currency,
  origin: r.origin,
  reportingRevenue: r.reporting_revenue ?? null,
  revenueError: r.revenue_error ?? null,
});

export interface CreditDbRow {
  conversion_id: string;
  model: string;
  touch_index: number | null;
  touchpoint_id: number | null;
  channel: string;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  credit: number;
  conversion_name: string;
  conversion_at: number;
  revenue: number;
  /** Migration 4: null when revenue is in REPORTING_CURRENCY. */
  currency?: string | null;
}

export const toCredit = (r: CreditDbRow): CreditRow => ({
  conversionId: r.conversion_id,
  model: r.model,
  touchIndex: r.touch_index,
  touchpointId: r.touchpoint_id,
  channel: r.channel,
  source: r.source,
  medium: r.medium,
  campaign: r.campaign,
  credit: r.credit,
  conversionName: r.conversion_name,
  conversionAt: r.conversion_at,
  revenue: r.revenue,
  currency: r.currency ?? null,
});

export interface DealDbRow {
  deal_id: string;
  status: string;
  outcome: "won" | "lost" | "open";
  amount: number | null;
  currency: string | null;
  user_id: string | null;
  email: string | null;
  anonymous_id: string | null;
  created_at: number;
  updated_at: number;
  received_at: number;
  hit_seq: number;
  person_id: number | null;
}

export const toDeal = (r: DealDbRow): DealRow => ({
  dealId: r.deal_id,
  status: r.status,
  outcome: r.outcome,
  amount: r.amount,
  currency: r.currency,
  userId: r.user_id,
  email: r.email,
  anonymousId: r.anonymous_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  receivedAt: r.received_at,
  hitSeq: r.hit_seq,
  personId: r.person_id,
});
