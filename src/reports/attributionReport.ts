import { MODELS, type Model } from "../attribution/types.js";
import type { GroupBy, ReportRow, Store } from "../store/index.js";
import { addMoney, type MoneyTotals } from "../money/reportingMoney.js";
import { roundCredit, roundMoney, roundUnconverted } from "../money/rounding.js";

export const GROUPINGS: readonly GroupBy[] = ["channel", "source", "source_medium", "campaign"];

export interface ReportQuery {
  model: Model | "all";
  groupBy: GroupBy;
  from: number | null;
  to: number | null;
  conversion: string | null;
}

export type ParsedQuery = { kind: "ok"; query: ReportQuery } | { kind: "invalid"; message: string };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function time(name: string, v: unknown): number | null | string {
  if (v === undefined || v === "") return null;
  const t = typeof v === "string" ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : `${name} must be an ISO 8601 time, got ${JSON.stringify(v)}`;
}

/** Validates the report's query string; unknown values are named with the allowed ones. */
export function parseReportQuery(q: Record<string, unknown>): ParsedQuery {
  const model = (q.model ?? "linear") as string;
  if (model !== "all" && !(MODELS as readonly string[]).includes(model)) {
    return { kind: "invalid", message: `unknown model "${model}"; allowed: ${[...MODELS, "all"].join(", ")}` };
  }
  const groupBy = (q.groupBy ?? "channel") as string;
  if (!(GROUPINGS as readonly string[]).includes(groupBy)) {
    return { kind: "invalid", message: `unknown groupBy "${groupBy}"; allowed: ${GROUPINGS.join(", ")}` };
  }
  const from = time("from", q.from);
  const to = time("to", q.to);
  if (typeof from === "string") return { kind: "invalid", message: from };
  if (typeof to === "string") return { kind: "invalid", message: to };
  const conversion = typeof q.conversion === "string" && q.conversion !== "" ? q.conversion : null;
  return { kind: "ok", query: { model: model as Model | "all", groupBy: groupBy as GroupBy, from, to, conversion } };
}

/** A report row as served: revenue in the reporting currency, revenue without a rate per currency beside it. */
export interface ReportLine {
  key: string;
  conversions: number;
  revenue: number;
  unconverted: Record<string, number>;
}

interface Group extends MoneyTotals {
  key: string;
  conversions: number;
}

const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Folds the store's per-(key, currency) rows into one line per key: `revenue` sums the rows
 * in the reporting currency, `unconverted` the others per currency (never added to revenue).
 * Ordered by revenue, then conversions (full precision), then key; rounded at the end:
 * money to the currency's minor unit, conversions (fractional credits) to 1e-9.
 */
export function foldReportRows(rows: readonly ReportRow[], reportingCurrency: string): { rows: ReportLine[]; totals: Omit<ReportLine, "key"> } {
  const groups = new Map<string, Group>();
  const total: Omit<Group, "key"> = { conversions: 0, revenue: 0, unconverted: {} };
  for (const r of rows) {
    let g = groups.get(r.key);
    if (!g) groups.set(r.key, (g = { key: r.key, conversions: 0, revenue: 0, unconverted: {} }));
    g.conversions += r.conversions;
    total.conversions += r.conversions;
    addMoney(g, r.revenue, r.currency);
    addMoney(total, r.revenue, r.currency);
  }
  const sorted = [...groups.values()].sort((a, b) => b.revenue - a.revenue || b.conversions - a.conversions || compareKeys(a.key, b.key));
  const line = (g: Omit<Group, "key">) => ({
    conversions: roundCredit(g.conversions),
    revenue: roundMoney(g.revenue, reportingCurrency),
    unconverted: roundUnconverted(g.unconverted),
  });
  return { rows: sorted.map((g) => ({ key: g.key, ...line(g) })), totals: line(total) };
}

async function modelSection(store: Store, model: Model, q: ReportQuery, reportingCurrency: string) {
  const rows: ReportRow[] = await store.reports.attributionRows({ model, from: q.from, to: q.to, conversion: q.conversion }, q.groupBy);
  return foldReportRows(rows, reportingCurrency);
}

/**
 * The attribution report in DESIGN.md's shape, for one model or all side by side, with
 * `currency` (REPORTING_CURRENCY) and `unconverted` per row and in totals.
 */
export async function attributionReport(store: Store, q: ReportQuery, reportingCurrency = "USD") {
  const head = { model: q.model, groupBy: q.groupBy, from: iso(q.from), to: iso(q.to), currency: reportingCurrency };
  const markovExtra = async () => ({ removal_effects: (await store.derived.markovModel())?.removalEffects ?? {} });
  if (q.model === "all") {
    const models: Record<string, Awaited<ReturnType<typeof modelSection>>> = {};
    for (const m of MODELS) models[m] = await modelSection(store, m, q, reportingCurrency);
    return { ...head, models, ...(await markovExtra()) };
  }
  return { ...head, ...(await modelSection(store, q.model, q, reportingCurrency)), ...(q.model === "markov" ? await markovExtra() : {}) };
}
