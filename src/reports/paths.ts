import { CREDITED_MODELS, UNATTRIBUTED, type Model } from "../attribution/types.js";
import type { Store } from "../store/index.js";
import { toCsv } from "./csv.js";
import { parseRange, type Parsed } from "./overview.js";
import { unconvertedOf } from "../money/reportingMoney.js";
import { roundMoney, roundUnconverted } from "../money/rounding.js";

export const DEFAULT_PATH_LIMIT = 10;
export const MAX_PATH_LIMIT = 100;

export interface PathQuery {
  /** Whose credit rows form the path: `linear` (default) lists every eligible touch. */
  model: Model;
  from: number | null;
  to: number | null;
  conversion: string | null;
  limit: number;
}

const DAY_MS = 86_400_000;

export interface PathsReport {
  model: Model;
  from: string | null;
  to: string | null;
  conversion: string | null;
  /** REPORTING_CURRENCY: the currency of every `revenue`; `unconverted`: revenue without a rate, per currency. */
  currency: string;
  /** Top paths: conversions, revenue, mean touches and mean days from first touch to conversion (null: no touch). */
  paths: Array<{
    path: string[];
    conversions: number;
    revenue: number;
    unconverted: Record<string, number>;
    avg_touches: number;
    avg_days: number | null;
    example_person: string | null;
  }>;
  /** Conversions per number of touches on the path (0: no credited touch, the Unattributed path). */
  path_lengths: Array<{ touches: number; conversions: number; revenue: number; unconverted: Record<string, number> }>;
  /** Conversions per whole days from the first touch to the conversion (conversions with a touch only). */
  time_lag: Array<{ days: number; conversions: number; revenue: number; unconverted: Record<string, number> }>;
  total_conversions: number;
}

function parseLimit(v: unknown): number | string {
  if (v === undefined || v === "") return DEFAULT_PATH_LIMIT;
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_PATH_LIMIT
    ? n
    : `limit must be an integer from 1 to ${MAX_PATH_LIMIT}, got ${JSON.stringify(v)}`;
}

/** Validates `?limit&model&from&to&conversion`; a bad value is named with what is allowed. */
export function parsePathQuery(q: Record<string, unknown>): Parsed<PathQuery> {
  const limit = parseLimit(q.limit);
  if (typeof limit === "string") return { kind: "invalid", message: limit };
  const model = q.model === undefined || q.model === "" ? "linear" : q.model;
  if (typeof model !== "string" || !(CREDITED_MODELS as readonly string[]).includes(model)) {
    return { kind: "invalid", message: `unknown model ${JSON.stringify(model)}; allowed: ${CREDITED_MODELS.join(", ")}` };
  }
  const range = parseRange(q);
  if (range.kind === "invalid") return range;
  const conversion = typeof q.conversion === "string" && q.conversion !== "" ? q.conversion : null;
  return { kind: "ok", query: { ...range.query, model: model as Model, conversion, limit } };
}

/**
 * The most common channel paths to conversion. Consecutive repeats stay: each is a real
 * touch. A conversion with no credited touch has the path ["Unattributed"].
 */
export async function pathsReport(store: Store, q: PathQuery, reportingCurrency = "USD"): Promise<PathsReport> {
  const stats = await store.journeys.pathStats(q, q.model, q.limit);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const money = (b: { revenue: number; unconverted: Array<[string, number]> }) => ({
    revenue: roundMoney(b.revenue, reportingCurrency),
    unconverted: roundUnconverted(unconvertedOf(b.unconverted)),
  });
  return {
    model: q.model,
    from: iso(q.from),
    to: iso(q.to),
    conversion: q.conversion,
    currency: reportingCurrency,
    paths: stats.paths.map((r) => ({
      path: r.path === null ? [UNATTRIBUTED] : (JSON.parse(r.path) as string[]),
      conversions: r.conversions,
      ...money(r),
      avg_touches: r.avg_touches,
      avg_days: r.avg_lag_ms === null ? null : r.avg_lag_ms / DAY_MS,
      // An id GET /api/people/:id accepts: one person whose conversion took this path.
      example_person: r.example_person === null ? null : `person:${r.example_person}`,
    })),
    path_lengths: stats.lengths.map((b) => ({ touches: b.bucket, conversions: b.conversions, ...money(b) })),
    time_lag: stats.lags.map((b) => ({ days: b.bucket, conversions: b.conversions, ...money(b) })),
    total_conversions: stats.total,
  };
}

export const PATH_TABLES = ["paths", "path_lengths", "time_lag"] as const;
export type PathTable = (typeof PATH_TABLES)[number];

/**
 * CSV of one table of the report: the top paths (channels joined by " > "), or one
 * distribution; revenue without a rate in one `revenue_<CUR>` column per currency (sorted,
 * empty where a row has none) after `revenue`.
 */
export function pathsCsv(r: PathsReport, table: PathTable): string {
  type Row = { conversions: number; revenue: number; unconverted: Record<string, number> };
  const csv = <R extends Row>(first: string, rows: readonly R[], lead: (row: R) => unknown, tail: string[] = [], rest: (row: R) => unknown[] = () => []) => {
    const currencies = [...new Set(rows.flatMap((row) => Object.keys(row.unconverted)))].sort();
    return toCsv(
      [first, "conversions", "revenue", ...currencies.map((c) => `revenue_${c}`), ...tail],
      rows.map((row) => [lead(row), row.conversions, row.revenue, ...currencies.map((c) => row.unconverted[c] ?? ""), ...rest(row)]),
    );
  };
  if (table === "path_lengths") return csv("touches", r.path_lengths, (b) => b.touches);
  if (table === "time_lag") return csv("days", r.time_lag, (b) => b.days);
  return csv("path", r.paths, (p) => p.path.join(" > "), ["avg_touches", "avg_days"], (p) => [p.avg_touches, p.avg_days]);
}
