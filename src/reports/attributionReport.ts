import { MODELS, type Model, type ModelSettings } from "../attribution/types.js";
import type { GroupBy, ReportRow, Store } from "../store/index.js";
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
  const lookbackDays = parseLookbackDays(q.lookbackDays);
  if (typeof lookbackDays === "string") return { kind: "invalid", message: lookbackDays };
  if (lookbackDays !== null && model !== "all" && !LOOKBACK_MODELS.includes(model as Model)) {
    return {
      kind: "invalid",
      message: `lookbackDays recomputes only these models at query time: ${LOOKBACK_MODELS.join(", ")}, all; "${model}" is only reported over LOOKBACK_DAYS`,
    };
  }
  return { kind: "ok", query: { model: model as Model | "all", groupBy: groupBy as GroupBy, from, to, conversion, lookbackDays } };
}

function parseLookbackDays(v: unknown): number | null | string {
  if (v === undefined || v === "") return null;
  const n = typeof v === "string" && /^\d{1,4}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!(n >= LOOKBACK_DAYS_MIN && n <= LOOKBACK_DAYS_MAX)) {
    return `lookbackDays must be a whole number of days from ${LOOKBACK_DAYS_MIN} to ${LOOKBACK_DAYS_MAX}, got ${JSON.stringify(v)}`;
  }
  return n;
}

async function modelSection(store: Store, model: Model, q: ReportQuery, recomputed?: ReadonlyMap<Model, ReportRow[]>) {
  const rows: ReportRow[] = recomputed?.get(model) ?? (await store.reports.attributionRows({ model, from: q.from, to: q.to, conversion: q.conversion }, q.groupBy));
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

/**
 * The attribution report in DESIGN.md's shape, for one model or all side by side. With
 * `lookbackDays` the sections are recomputed at query time for that window (`settings`: the
 * other model settings, as the stored credits use them), the head says `lookbackDays`, and
 * `model=all` lists the models it could not recompute in `lookback_omitted`.
 */
export async function attributionReport(store: Store, q: ReportQuery, settings?: ModelSettings) {
  const lookbackDays = q.lookbackDays ?? null;
  const head = { model: q.model, groupBy: q.groupBy, from: iso(q.from), to: iso(q.to), ...(lookbackDays === null ? {} : { lookbackDays }) };
  const models: readonly Model[] = q.model === "all" ? (lookbackDays === null ? MODELS : MODELS.filter((m) => LOOKBACK_MODELS.includes(m))) : [q.model];
  // Read once: the recomputed markov credits and the removal_effects shown are the same fit.
  const effects = models.includes("markov") ? ((await store.derived.markovModel())?.removalEffects ?? {}) : {};
  const markovExtra = async () => ({ removal_effects: effects });
  let recomputed: ReadonlyMap<Model, ReportRow[]> | undefined;
  if (lookbackDays !== null) {
    if (!settings) throw new Error("attributionReport: lookbackDays needs the model settings");
    const filter = { from: q.from, to: q.to, conversion: q.conversion, lookbackDays };
    recomputed = await lookbackRows(store, settings, effects, models, filter, q.groupBy);
  }
  if (q.model === "all") {
    const sections: Record<string, Awaited<ReturnType<typeof modelSection>>> = {};
    for (const m of models) sections[m] = await modelSection(store, m, q, recomputed);
    const omitted = lookbackDays === null ? [] : MODELS.filter((m) => !models.includes(m));
    return { ...head, models: sections, ...(omitted.length > 0 ? { lookback_omitted: omitted } : {}), ...(await markovExtra()) };
  }
  return { ...head, ...(await modelSection(store, q.model, q, recomputed)), ...(q.model === "markov" ? await markovExtra() : {}) };
}
