import type { DeviceCall } from "./types.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

/**
 * Reduces a stored page/screen/track message to what sessionization needs. The landing URL and
 * referrer come from `context.page` (analytics.js) or, failing that, from `properties`
 * (page calls made server-side, mobile screens).
 */
export function toDeviceCall(messageId: string, type: string, at: number, raw: Obj): DeviceCall | null {
  if (type !== "page" && type !== "screen" && type !== "track") return null;
  const context = obj(raw.context);
  const page = obj(context?.page);
  const properties = obj(raw.properties);
  return {
    messageId,
    at,
    type,
    url: str(page?.url) ?? str(properties?.url),
    referrer: str(page?.referrer) ?? str(properties?.referrer) ?? str(obj(context?.referrer)?.link),
    campaign: obj(context?.campaign),
    event: type === "track" ? str(raw.event) : null,
    properties,
  };
}
