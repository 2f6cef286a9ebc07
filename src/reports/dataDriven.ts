import { globalShares, UNATTRIBUTED, type CreditIntervals, type IntervalModel } from "../attribution/index.js";
import type { ReportRow } from "../store/index.js";
import type { MarkovModelRow } from "../store/types.js";

/** The report's `fit` object of markov, shapley and markov_global: when and on what the models were fitted. */
export function fitSummary(m: MarkovModelRow | undefined): { fitted_at: string; paths: number; order: number } | null {
  if (m === undefined) return null;
  return { fitted_at: new Date(m.computedAt).toISOString(), paths: m.paths, order: m.fit?.order ?? 1 };
}

export type RowWithInterval<R extends { key: string; conversions: number } = ReportRow> = R & { credit_low: number | null; credit_high: number | null };

/**
 * Adds the bootstrap interval of each row's `conversions` (stored with the fit as factors of
 * the point estimate per channel): credit_low/high = conversions × the channel's factors.
 * Unattributed does not depend on the fit (its bounds are its value); rows grouped by anything
 * but channel, and fits without intervals, get null.
 */
export function withIntervals<R extends { key: string; conversions: number }>(
  rows: readonly R[],
  model: IntervalModel,
  groupBy: string,
  intervals: CreditIntervals | null | undefined,
): RowWithInterval<R>[] {
  return rows.map((r) => {
    if (groupBy !== "channel" || !intervals) return { ...r, credit_low: null, credit_high: null };
    if (r.key === UNATTRIBUTED) return { ...r, credit_low: r.conversions, credit_high: r.conversions };
    const f = Object.hasOwn(intervals[model], r.key) ? intervals[model][r.key] : undefined;
    if (f === undefined) return { ...r, credit_low: null, credit_high: null };
    return { ...r, credit_low: r.conversions * f.low, credit_high: r.conversions * f.high };
  });
}

/**
 * markov_global (the aggregate split of ChannelAttribution and DP6): the attributed total of
 * the range (the markov rows' conversions and revenue, Unattributed left out and kept as its
 * own rows) shared by removal-effect shares. Revenue is shared per currency and never mixed:
 * each channel gets one row per currency of the markov rows (currency null, the reporting one,
 * first), its conversions on the first of them and 0 on the others, so that folding the rows
 * per key (foldReportRows) counts every conversion once. Rows by key, then currency (null
 * first), as the store gives them. Before a fit, or with every effect 0, there are no shares and
 * the rows are markov's own, which then credit linearly (DESIGN: "linear when all are 0").
 */
export function globalRows(markovRows: readonly ReportRow[], effects: Record<string, number>): ReportRow[] {
  const shares = globalShares(effects);
  const channels = Object.keys(shares);
  if (channels.length === 0) return [...markovRows];
  let conversions = 0;
  const revenue = new Map<string | null, number>();
  const unattributed: ReportRow[] = [];
  for (const r of markovRows) {
    if (r.key === UNATTRIBUTED) unattributed.push(r);
    else {
      conversions += r.conversions;
      revenue.set(r.currency, (revenue.get(r.currency) ?? 0) + r.revenue);
    }
  }
  const currencies = [...revenue.keys()].sort(compareCurrencies);
  if (currencies.length === 0) currencies.push(null);
  const rows: ReportRow[] = [];
  for (const key of channels) {
    currencies.forEach((currency, i) =>
      rows.push({ key, currency, conversions: i === 0 ? conversions * shares[key]! : 0, revenue: (revenue.get(currency) ?? 0) * shares[key]! }),
    );
  }
  rows.push(...unattributed);
  return rows.sort((a, b) => compareKeys(a.key, b.key) || compareCurrencies(a.currency, b.currency));
}

const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const compareCurrencies = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : compareKeys(a, b));
