import { daysInMonth, parseOffset } from "../ingest/parseTime.js";

/**
 * CRM times, to epoch milliseconds, independent of the server's time zone.
 *
 * ISO 8601 / RFC 3339 (`2024-06-01`, `2024-06-01T10:00`, `…T10:00:00.123+02:00`,
 * a space instead of `T`). We parse it ourselves rather than with Date.parse
 * because Date.parse reads a date-time without offset as *local* time and
 * rolls impossible dates over (`2024-02-30` becomes 1 March). No offset
 * means UTC here. Years before 1970 are rejected.
 *
 * Every time must fall in [1970, 10000): an epoch of 9e15 or 1e308 is refused here, at the
 * edge, instead of breaking every page that shows the deal later.
 *
 * Epoch numbers are accepted too (HubSpot and Pipedrive workflows send them):
 * below 1e11 they are seconds (1e11 s is the year 5138), else milliseconds.
 */
const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EPOCH_SECONDS_LIMIT = 1e11;
/** Times from year 10000 on are refused: past it, and past the Date range (±8.64e15 ms), a CRM's number is garbage. */
export const END_CRM_TIME = Date.UTC(10000, 0, 1);

/** Epoch milliseconds, or null when the value is not a time we can read. */
export function parseCrmTime(value: number | string): number | null {
  if (typeof value === "number") return fromEpoch(value);
  const text = value.trim();
  if (/^\d+$/.test(text)) return fromEpoch(Number(text));
  return fromIso(text);
}

function fromEpoch(value: number): number | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const ms = Math.round(value < EPOCH_SECONDS_LIMIT ? value * 1000 : value);
  return ms < END_CRM_TIME ? ms : null;
}

function fromIso(text: string): number | null {
  const match = ISO_PATTERN.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", offset = "Z"] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  // Before 1970 is a CRM's placeholder (0001-01-01), not a deal date.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const offsetMinutes = parseOffset(offset);
  return offsetMinutes === null ? null : utc - offsetMinutes * 60_000;
}
