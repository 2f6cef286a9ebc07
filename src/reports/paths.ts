import { CREDITED_MODELS, UNATTRIBUTED, type Model } from "../attribution/types.js";
import type { Store } from "../store/index.js";
import { toCsv } from "./csv.js";
import { parseRange, type Parsed } from "./overview.js";

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
  /** Top paths: conversions, revenue, mean touches and mean days from first touch to conversion (null: no touch). */
  paths: Array<{ path: string[]; conversions: number; revenue: number; avg_touches: number; avg_days: number | null; example_person: string | null }>;
  /** Conversions per number of touches on the path (0: no credited touch, the Unattributed path). */
  path_lengths: Array<{ touches: number; conversions: number; revenue: number }>;
  /** Conversions per whole days from the first touch to the conversion (conversions with a touch only). */
  time_lag: Array<{ days: number; conversions: number; revenue: number }>;
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
export async function pathsReport(store: Store, q: PathQuery): Promise<PathsReport> {
  const stats = await store.journeys.pathStats(q, q.model, q.limit);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    model: q.model,
    from: iso(q.from),
    to: iso(q.to),
    conversion: q.conversion,
    paths: stats.paths.map((r) => ({
      path: r.path === null ? [UNATTRIBUTED] : (JSON.parse(r.path) as string[]),
      conversions: r.conversions,
      revenue: r.revenue,
      avg_touches: r.avg_touches,
      avg_days: r.avg_lag_ms === null ? null : r.avg_lag_ms / DAY_MS,
      // An id GET /api/people/:id accepts: one person whose conversion took this path.
      example_person: r.example_person === null ? null : `person:${r.example_person}`,
    })),
    path_lengths: stats.lengths.map((b) => ({ touches: b.bucket, conversions: b.conversions, revenue: b.revenue })),
    time_lag: stats.lags.map((b) => ({ days: b.bucket, conversions: b.conversions, revenue: b.revenue })),
    total_conversions: stats.total,
  };
}

export const PATH_TABLES = ["paths", "path_lengths", "time_lag"] as const;
export type PathTable = (typeof PATH_TABLES)[number];

/** CSV of one table of the report: the top paths (channels joined by " > "), or one distribution. */
export function pathsCsv(r: PathsReport, table: PathTable): string {
  if (table === "path_lengths") return toCsv(["touches", "conversions", "revenue"], r.path_lengths.map((b) => [b.touches, b.conversions, b.revenue]));
  if (table === "time_lag") return toCsv(["days", "conversions", "revenue"], r.time_lag.map((b) => [b.days, b.conversions, b.revenue]));
  return toCsv(
    ["path", "conversions", "revenue", "avg_touches", "avg_days"],
    r.paths.map((p) => [p.path.join(" > "), p.conversions, p.revenue, p.avg_touches, p.avg_days]),
  );
}
