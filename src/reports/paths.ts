import { MODELS, UNATTRIBUTED, type Model } from "../attribution/types.js";
import type { Store } from "../store/index.js";
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

export interface PathsReport {
  /** REPORTING_CURRENCY: the currency of every `revenue`. */
  currency: string;
  paths: Array<{ path: string[]; conversions: number; revenue: number; unconverted: Record<string, number> }>;
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
  if (typeof model !== "string" || !(MODELS as readonly string[]).includes(model)) {
    return { kind: "invalid", message: `unknown model ${JSON.stringify(model)}; allowed: ${MODELS.join(", ")}` };
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
  const rows = await store.journeys.topPaths(q, q.model, q.limit);
  return {
    currency: reportingCurrency,
    paths: rows.map((r) => ({
      path: r.path === null ? [UNATTRIBUTED] : (JSON.parse(r.path) as string[]),
      conversions: r.conversions,
      revenue: roundMoney(r.revenue, reportingCurrency),
      unconverted: roundUnconverted(unconvertedOf(r.unconverted)),
    })),
    total_conversions: await store.journeys.conversionCount(q),
  };
}
