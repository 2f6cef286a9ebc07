/**
 * Times of Segment messages, to epoch milliseconds, independent of the server's time zone.
 *
 * - ISO 8601 / RFC 3339 dates and date-times (expanded years `+275760-…` too, for range errors) with `Z` or an offset (`+02:00`, `+0200`, `+02`), a `T` or a
 *   space between date and time, any number of fraction digits. Without an offset, UTC.
 * - Go's `time.Time.String()` form, which Segment's delete notices carry in `originalTimestamp`:
 *   `2019-05-16 13:52:11.542 +0000 UTC`, optionally followed by the monotonic-clock reading
 *   (`m=+0.000000001`). The zone name after the offset is ignored: the offset decides.
 * - Anything else that Date.parse reads with an explicit zone (RFC 2822 `Thu, 01 Jan 2026 00:00:00 GMT`).
 * Impossible dates (`2024-02-30`) and times (`25:00`) are null, never rolled over.
 */
const ISO =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const GO =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-]\d{4}) (?:[A-Za-z]{1,6}|[+-]\d{2,4})(?: m=[+-]\d+(?:\.\d+)?)?$/;
// RFC 2822 and similar: only with an explicit zone, or Date.parse would read local time.
const NAMED_ZONE = /(?:GMT|UTC|Z|[+-]\d{4})$/;

/** Epoch milliseconds, or null when the value is not a time we can read. */
export function parseSegmentTime(v: unknown): number | null {
  if (typeof v !== "string") return null;
  const text = v.trim();
  if (text.length < 10 || text.length > 100) return null;
  const m = ISO.exec(text) ?? GO.exec(text);
  if (m) {
    const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", offset = "Z"] = m;
    return fromParts(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), fraction, offset);
  }
  if (!/[A-Za-z]{3}/.test(text) || !NAMED_ZONE.test(text)) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : null;
}

function fromParts(year: number, month: number, day: number, hour: number, minute: number, second: number, fraction: string, offset: string): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offsetMinutes = parseOffset(offset);
  if (offsetMinutes === null) return null;
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day); // Date.UTC maps years 0–99 to 1900–1999
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offsetMinutes * 60_000;
}

/** Minutes east of UTC of an ISO 8601 offset (`Z`, `+02`, `+0200`, `-05:30`); null when out of range. */
export function parseOffset(offset: string): number | null {
  if (offset === "Z" || offset === "z") return 0;
  const sign = offset.startsWith("-") ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || "0");
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

export function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0); // day 0 of the next month: the last day of this one
  return d.getUTCDate();
}
