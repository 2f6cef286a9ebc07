import { MODELS, type Model, type ModelSettings } from "../attribution/types.js";
import type { GroupBy, ReportRow, Store } from "../store/index.js";
import { addMoney, type MoneyTotals } from "../money/reportingMoney.js";
import { roundCredit, roundMoney, roundUnconverted } from "../money/rounding.js";
import type { MarkovModelRow } from "../store/types.js";
import { fitSummary, globalRows, withIntervals, type RowWithInterval } from "./dataDriven.js";
import { LOOKBACK_DAYS_MAX, LOOKBACK_DAYS_MIN, LOOKBACK_MODELS, lookbackRows } from "./lookbackReport.js";

export const GROUPINGS: readonly GroupBy[] = ["channel", "source", "source_medium", "campaign"];

export interface ReportQuery {
  model: Model | "all";
  groupBy: GroupBy;
  from: number | null;
  to: number | null;
  conversion: string | null;
  /** Recompute the credits for this window at query time (null: the stored credits, LOOKBACK_DAYS). */
  lookbackDays?: number | null;
  /** Drill-down: only this channel's credits, and below it only this "source / medium". */
  channel?: string | null;
  sourceMedium?: string | null;
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
  if (model === "markov_global" && groupBy !== "channel") {
    return { kind: "invalid", message: `model "markov_global" splits conversions by channel only; groupBy must be channel` };
  }
  const from = time("from", q.from);
  const to = time("to", q.to);
  if (typeof from === "string") return { kind: "invalid", message: from };
  if (typeof to === "string") return { kind: "invalid", message: to };
  const conversion = typeof q.conversion === "string" && q.conversion !== "" ? q.conversion : null;
  const lookbackDays = parseLookbackDays(q.lookbackDays);
  if (typeof lookbackDays === "string") return { kind: "invalid", message: lookbackDays };
  if (lookbackDays !== null && model !== "all" && !LOOKBACK_MODELS.includes(model as Model)) {
    return {
      kind: "invalid",
      message: `lookbackDays recomputes only these models at query time: ${LOOKBACK_MODELS.join(", ")}, all; "${model}" is only reported over LOOKBACK_DAYS`,
    };
  }
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  if (lookbackDays !== null && (text(q.channel) !== null || text(q.sourceMedium) !== null)) {
    return { kind: "invalid", message: "lookbackDays cannot be combined with the channel / sourceMedium drill-down; drop one of them" };
  }
  return {
    kind: "ok",
    query: { model: model as Model | "all", groupBy: groupBy as GroupBy, from, to, conversion, lookbackDays, channel: text(q.channel), sourceMedium: text(q.sourceMedium) },
  };
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

function parseLookbackDays(v: unknown): number | null | string {
  if (v === undefined || v === "") return null;
  const n = typeof v === "string" && /^\d{1,4}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!(n >= LOOKBACK_DAYS_MIN && n <= LOOKBACK_DAYS_MAX)) {
    return `lookbackDays must be a whole number of days from ${LOOKBACK_DAYS_MIN} to ${LOOKBACK_DAYS_MAX}, got ${JSON.stringify(v)}`;
  }
  return n;
}

async function modelSection(
  store: Store,
  model: Model,
  q: ReportQuery,
  fit: MarkovModelRow | undefined,
  reportingCurrency: string,
  recomputed?: ReadonlyMap<Model, ReportRow[]>,
) {
  const stored = async (m: Exclude<Model, "markov_global">): Promise<ReportRow[]> =>
    recomputed?.get(m) ??
    (await store.reports.attributionRows(
      { model: m, from: q.from, to: q.to, conversion: q.conversion, channel: q.channel, sourceMedium: q.sourceMedium },
      q.groupBy,
    ));
  let rows: ReportRow[];
  if (model === "markov_global") rows = globalRows(await stored("markov"), fit?.removalEffects ?? {});
  else rows = await stored(model);
  const folded = foldReportRows(rows, reportingCurrency);
  // The bootstrap intervals belong to the stored credits (LOOKBACK_DAYS): none for a recomputed window.
  const lines: Array<ReportLine | RowWithInterval<ReportLine>> = DATA_DRIVEN.has(model)
    ? withIntervals(folded.rows, model as "markov" | "shapley" | "markov_global", q.groupBy, recomputed ? null : fit?.fit?.intervals).map((r) => ({
        ...r,
        credit_low: r.credit_low === null ? null : roundCredit(r.credit_low),
        credit_high: r.credit_high === null ? null : roundCredit(r.credit_high),
      }))
    : folded.rows;
  return { rows: lines, totals: folded.totals, ...(model === "participation" ? PARTICIPATION_NOTE : {}) };
}

const DATA_DRIVEN: ReadonlySet<Model> = new Set(["markov", "shapley", "markov_global"]);

/** Participation credits 1 per channel on a path, so its totals are not conversions: the report says so. */
export const PARTICIPATION_NOTE = {
  credits_sum_to_conversions: false,
  note: "participation gives 1 to every distinct channel on a conversion's path: a row counts the conversions the group took part in, and totals exceed the conversions",
} as const;

/**
 * The attribution report in DESIGN.md's shape, for one model or all side by side. The
 * data-driven models (markov, shapley, markov_global) add `fit` (when and on how many paths,
 * Markov order; null before the first fit) and per row `credit_low`/`credit_high`; markov and
 * markov_global add `removal_effects`; `model=all` leaves out markov_global unless grouped by
 * channel. With `lookbackDays` the sections are recomputed at query time for that window
 * (`settings`: the other model settings, as the stored credits use them), the head says
 * `lookbackDays`, and `model=all` lists the models it could not recompute in `lookback_omitted`.
 * The head says `currency` (REPORTING_CURRENCY); rows and totals have `revenue` in it and
 * `unconverted` (revenue without a rate, per currency), rounded at the edge.
 */
export async function attributionReport(store: Store, q: ReportQuery, settings?: ModelSettings, reportingCurrency = "USD") {
  const lookbackDays = q.lookbackDays ?? null;
  const head = {
    model: q.model,
    groupBy: q.groupBy,
    from: iso(q.from),
    to: iso(q.to),
    currency: reportingCurrency,
    ...(q.channel ? { channel: q.channel } : {}),
    ...(q.sourceMedium ? { sourceMedium: q.sourceMedium } : {}),
    ...(lookbackDays === null ? {} : { lookbackDays }),
  };
  const candidates = q.model === "all" ? MODELS.filter((m) => m !== "markov_global" || q.groupBy === "channel") : [q.model];
  const models: readonly Model[] = lookbackDays === null || q.model !== "all" ? candidates : candidates.filter((m) => LOOKBACK_MODELS.includes(m));
  // Read once: the recomputed markov credits, the removal_effects and the fit shown are the same fit.
  const fit = await store.derived.markovModel();
  const effects = fit?.removalEffects ?? {};
  let recomputed: ReadonlyMap<Model, ReportRow[]> | undefined;
  if (lookbackDays !== null) {
    if (!settings) throw new Error("attributionReport: lookbackDays needs the model settings");
    const filter = { from: q.from, to: q.to, conversion: q.conversion, lookbackDays };
    recomputed = await lookbackRows(store, settings, effects, models, filter, q.groupBy);
  }
  if (q.model === "all") {
    const sections: Record<string, Awaited<ReturnType<typeof modelSection>>> = {};
    // Each data-driven section says which fit it comes from too (the dashboard reads it there).
    for (const m of models) sections[m] = { ...(await modelSection(store, m, q, fit, reportingCurrency, recomputed)), ...(DATA_DRIVEN.has(m) ? { fit: fitSummary(fit) } : {}) };
    const omitted = lookbackDays === null ? [] : candidates.filter((m) => !models.includes(m));
    return { ...head, models: sections, ...(omitted.length > 0 ? { lookback_omitted: omitted } : {}), removal_effects: effects, fit: fitSummary(fit) };
  }
  return {
    ...head,
    ...(await modelSection(store, q.model, q, fit, reportingCurrency, recomputed)),
    ...(q.model === "markov" || q.model === "markov_global" ? { removal_effects: effects } : {}),
    ...(DATA_DRIVEN.has(q.model) ? { fit: fitSummary(fit) } : {}),
  };
}
