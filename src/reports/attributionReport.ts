import { MODELS, type Model } from "../attribution/types.js";
import type { GroupBy, ReportRow, Store } from "../store/index.js";

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

async function modelSection(store: Store, model: Model, q: ReportQuery) {
  const rows: ReportRow[] = await store.reports.attributionRows({ model, from: q.from, to: q.to, conversion: q.conversion }, q.groupBy);
  let conversions = 0;
  let revenue = 0;
  for (const r of rows) {
    conversions += r.conversions;
    revenue += r.revenue;
  }
  return { rows, totals: { conversions, revenue }, ...(model === "participation" ? PARTICIPATION_NOTE : {}) };
}

/** Participation credits 1 per channel on a path, so its totals are not conversions: the report says so. */
export const PARTICIPATION_NOTE = {
  credits_sum_to_conversions: false,
  note: "participation gives 1 to every distinct channel on a conversion's path: a row counts the conversions the group took part in, and totals exceed the conversions",
} as const;

/** The attribution report in DESIGN.md's shape, for one model or all side by side. */
export async function attributionReport(store: Store, q: ReportQuery) {
  const head = { model: q.model, groupBy: q.groupBy, from: iso(q.from), to: iso(q.to) };
  const markovExtra = async () => ({ removal_effects: (await store.derived.markovModel())?.removalEffects ?? {} });
  if (q.model === "all") {
    const models: Record<string, Awaited<ReturnType<typeof modelSection>>> = {};
    for (const m of MODELS) models[m] = await modelSection(store, m, q);
    return { ...head, models, ...(await markovExtra()) };
  }
  return { ...head, ...(await modelSection(store, q.model, q)), ...(q.model === "markov" ? await markovExtra() : {}) };
}
