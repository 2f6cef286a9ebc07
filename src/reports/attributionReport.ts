import { MODELS, type Model } from "../attribution/types.js";
import type { GroupBy, ReportRow, Store } from "../store/index.js";

export const GROUPINGS: readonly GroupBy[] = ["channel", "source", "source_medium", "campaign"];

export interface ReportQuery {
  model: Model | "all";
  groupBy: GroupBy;
  from: number | null;
  to: number | null;
  conversion: string | null;
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
  const from = time("from", q.from);
  const to = time("to", q.to);
  if (typeof from === "string") return { kind: "invalid", message: from };
  if (typeof to === "string") return { kind: "invalid", message: to };
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  const query = {
    model: model as Model | "all", groupBy: groupBy as GroupBy, from, to,
    conversion: text(q.conversion), channel: text(q.channel), sourceMedium: text(q.sourceMedium),
  };
  return { kind: "ok", query };
}

async function modelSection(store: Store, model: Model, q: ReportQuery) {
  const rows: ReportRow[] = await store.reports.attributionRows({ model, from: q.from, to: q.to, conversion: q.conversion, channel: q.channel, sourceMedium: q.sourceMedium }, q.groupBy);
  let conversions = 0;
  let revenue = 0;
  for (const r of rows) {
    conversions += r.conversions;
    revenue += r.revenue;
  }
  return { rows, totals: { conversions, revenue } };
}

/** The attribution report in DESIGN.md's shape, for one model or all side by side. */
export async function attributionReport(store: Store, q: ReportQuery) {
  const head = {
    model: q.model, groupBy: q.groupBy, from: iso(q.from), to: iso(q.to),
    ...(q.channel ? { channel: q.channel } : {}), ...(q.sourceMedium ? { sourceMedium: q.sourceMedium } : {}),
  };
  const fitted = await store.derived.markovModel();
  const markovExtra = { removal_effects: fitted?.removalEffects ?? {} };
  // Which fit the markov credits come from; null: never fitted (its credits are linear's until then).
  const fit = fitted ? { fitted_at: iso(fitted.computedAt), paths: fitted.paths } : null;
  const section = async (m: Model) => ({ ...(await modelSection(store, m, q)), ...(m === "markov" ? { fit } : {}) });
  if (q.model === "all") {
    const models: Record<string, Awaited<ReturnType<typeof section>>> = {};
    for (const m of MODELS) models[m] = await section(m);
    return { ...head, models, ...markovExtra };
  }
  return { ...head, ...(await section(q.model)), ...(q.model === "markov" ? markovExtra : {}) };
}
