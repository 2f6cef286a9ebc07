import type { ValidMessage } from "../ingest/validateMessage.js";
import type { ConversionRow } from "../store/types.js";

function amount(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/**
 * A track call named in CONVERSION_EVENTS is a conversion. Revenue: `properties.revenue`, else
 * `total`, else `value` (Segment's ecommerce spec), else 0.
 */
export function conversionFromTrack(m: ValidMessage, personId: number, events: ReadonlySet<string>): ConversionRow | null {
  if (m.type !== "track" || m.event === null || !events.has(m.event)) return null;
  const props = (typeof m.raw.properties === "object" && m.raw.properties !== null ? m.raw.properties : {}) as Record<string, unknown>;
  const revenue = amount(props.revenue) ?? amount(props.total) ?? amount(props.value) ?? 0;
  const currency = typeof props.currency === "string" && props.currency !== "" ? props.currency.toUpperCase() : null;
  return { id: `msg:${m.messageId}`, personId, name: m.event, at: m.timestamp, revenue, currency, origin: "track" };
}
