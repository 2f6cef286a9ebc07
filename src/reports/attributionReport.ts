import { MODELS, type Model } from "../attribution/types.js";
import type { GroupBy, ReportRow, Store } from "../store/index.js";
import type { MarkovModelRow } from "../store/types.js";
import { fitSummary, globalRows, withIntervals } from "./dataDriven.js";

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
  if (model === "markov_global" && groupBy !== "channel") {
    return { kind: "invalid", message: `model "markov_global" splits conversions by channel only; groupBy must be channel` };
  }
  const from = time("from", q.from);
  const to = time("to", q.to);
  if (typeof from === "string") return { kind: "invalid", message: from };
  if (typeof to === "string") return { kind: "invalid", message: to };
  const conversion = typeof q.conversion === "string" && q.conversion !== "" ? q.conversion : null;
  return { kind: "ok", query: { model: model as Model | "all", groupBy: groupBy as GroupBy, from, to, conversion } };
}

async function modelSection(store: Store, model: Model, q: ReportQuery, fit: MarkovModelRow | undefined) {
  const stored = (m: Exclude<Model, "markov_global">): Promise<ReportRow[]> =>
    store.reports.attributionRows({ model: m, from: q.from, to: q.to, conversion: q.conversion }, q.groupBy);
  let rows: ReportRow[];
  if (model === "markov_global") rows = globalRows(await stored("markov"), fit?.removalEffects ?? {});
  else rows = await stored(model);
  let conversions = 0;
  let revenue = 0;
  for (const r of rows) {
    conversions += r.conversions;
    revenue += r.revenue;
  }
  if (model === "markov" || model === "shapley" || model === "markov_global") rows = withIntervals(rows, model, q.groupBy, fit?.fit?.intervals);
  return { rows, totals: { conversions, revenue } };
}

const DATA_DRIVEN: ReadonlySet<string> = new Set(["markov", "shapley", "markov_global"]);

/**
 * The attribution report in DESIGN.md's shape, for one model or all side by side. The data-driven
 * models (markov, shapley, markov_global) add `fit` (when and on how many paths, Markov order;
 * null before the first fit) and per row `credit_low`/`credit_high`; markov and markov_global
 * add `removal_effects`. `model=all` leaves out markov_global unless grouped by channel.
 */
export async function attributionReport(store: Store, q: ReportQuery) {
  const head = { model: q.model, groupBy: q.groupBy, from: iso(q.from), to: iso(q.to) };
  const fit = await store.derived.markovModel();
  const markovExtra = () => ({ removal_effects: fit?.removalEffects ?? {} });
  if (q.model === "all") {
    const models: Record<string, Awaited<ReturnType<typeof modelSection>>> = {};
    for (const m of MODELS) if (m !== "markov_global" || q.groupBy === "channel") models[m] = await modelSection(store, m, q, fit);
    return { ...head, models, ...markovExtra(), fit: fitSummary(fit) };
  }
  return {
    ...head,
    ...(await modelSection(store, q.model, q, fit)),
    ...(q.model === "markov" || q.model === "markov_global" ? markovExtra() : {}),
    ...(DATA_DRIVEN.has(q.model) ? { fit: fitSummary(fit) } : {}),
  };
}
