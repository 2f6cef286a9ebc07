import type { ValidMessage } from "../ingest/validateMessage.js";
import { parseMoney } from "../crm/parseAmount.js";
import type { ConversionRow } from "../store/types.js";
import type { ConversionEvents } from "./conversionEvents.js";

const REVENUE_FIELDS = ["revenue", "total", "value"] as const;

/** Revenue of a track conversion: the amount, its currency hint, or why it could not be read. */
export function trackRevenue(properties: Record<string, unknown>): { revenue: number; currency: string | null; error: string | null } {
  for (const field of REVENUE_FIELDS) {
    const v = properties[field];
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) continue;
    const money = parseMoney(v);
    if (money.kind === "ok") return { revenue: money.amount, currency: money.currency, error: null };
    return { revenue: 0, currency: null, error: `properties.${field} ${JSON.stringify(v).slice(0, 80)} ${money.reason}` };
  }
  return { revenue: 0, currency: null, error: null };
}

/**
 * A track call named in CONVERSION_EVENTS (case- and space-insensitively) is a conversion,
 * named as configured. Revenue: `properties.revenue`, else `total`, else `value` (Segment's
 * ecommerce spec), numbers or money strings ("1,299.00", "$19.99", "19,99"); none is 0. A value
 * that cannot be read keeps the conversion with revenue 0 in sums and `revenueError` saying
 * why (the person API shows `revenue: null` and the error): never a silent 0. Currency:
 * `properties.currency`, else one the amount string names ("1.299,00 €"), else none (the
 * reporting currency).
 */
export function conversionFromTrack(m: ValidMessage, personId: number, events: ConversionEvents): ConversionRow | null {
  if (m.type !== "track" || m.event === null) return null;
  const name = events.nameOf(m.event);
  if (name === null) return null;
  const props = (typeof m.raw.properties === "object" && m.raw.properties !== null ? m.raw.properties : {}) as Record<string, unknown>;
  const { revenue, currency: hinted, error } = trackRevenue(props);
  const given = typeof props.currency === "string" && props.currency.trim() !== "" ? props.currency.trim().toUpperCase() : null;
  const row: ConversionRow = { id: `msg:${m.messageId}`, personId, name, at: m.timestamp, revenue, currency: given ?? hinted, origin: "track" };
  if (error !== null) row.revenueError = error;
  return row;
}
