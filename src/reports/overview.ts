import type { Store } from "../store/index.js";
import { unconvertedOf } from "../money/reportingMoney.js";
import { roundMoney, roundUnconverted } from "../money/rounding.js";

export interface TimeRange {
  from: number | null;
  to: number | null;
}

export type Parsed<T> = { kind: "ok"; query: T } | { kind: "invalid"; message: string };

/** One optional ISO 8601 bound; the message names the parameter and the bad value. */
export function parseTime(name: string, v: unknown): { ok: number | null } | { error: string } {
  if (v === undefined || v === "") return { ok: null };
  const t = typeof v === "string" ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? { ok: t } : { error: `${name} must be an ISO 8601 time, got ${JSON.stringify(v)}` };
}

/** `from` / `to` of the query string, as the attribution report reads them ([from, to)). */
export function parseRange(q: Record<string, unknown>): Parsed<TimeRange> {
  const from = parseTime("from", q.from);
  if ("error" in from) return { kind: "invalid", message: from.error };
  const to = parseTime("to", q.to);
  if ("error" in to) return { kind: "invalid", message: to.error };
  return { kind: "ok", query: { from: from.ok, to: to.ok } };
}

/** The median of ascending-sorted numbers; null for none (no value is better than a fake 0). */
export function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid]!;
  return sorted.length % 2 === 1 ? hi : (sorted[mid - 1]! + hi) / 2;
}

const HOUR_MS = 3_600_000;

export interface Overview {
  persons: number;
  conversions: number;
  /** In `currency` (REPORTING_CURRENCY), rounded to its minor unit. */
  revenue: number;
  currency: string;
  /** Revenue in currencies without a rate, per currency: never summed into `revenue`. */
  unconverted: Record<string, number>;
  devices_per_person: number;
  touches_per_conversion: number;
  median_time_to_conversion_hours: number | null;
}

/**
 * Headline figures over conversions in [from, to). Persons: those active in the range (every
 * person when unbounded). Averages over an empty set are 0 so the figures stay numbers.
 */
export async function overviewReport(store: Store, range: TimeRange, reportingCurrency = "USD"): Promise<Overview> {
  const c = await store.journeys.overviewCounts(range);
  const hours = median(await store.journeys.timesToConversion(range));
  return {
    persons: c.persons,
    conversions: c.conversions,
    revenue: roundMoney(c.revenue, reportingCurrency),
    currency: reportingCurrency,
    unconverted: roundUnconverted(unconvertedOf(c.unconverted)),
    devices_per_person: c.persons === 0 ? 0 : c.devices / c.persons,
    touches_per_conversion: c.conversions === 0 ? 0 : c.touches / c.conversions,
    median_time_to_conversion_hours: hours === null ? null : hours / HOUR_MS,
  };
}
