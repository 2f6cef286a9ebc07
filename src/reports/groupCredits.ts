import type { GroupBy, ReportRow } from "../store/index.js";

/** The grouping fields of a credited touch (null: Unattributed). */
export interface GroupFields {
  source: string;
  medium: string;
  campaign: string | null;
}

/**
 * The report key of one credit row, as the stored reports compute it in SQL
 * (src/store/sqlite/reportQueries.ts keyOf): a credit with no touch is its channel
 * (Unattributed) whatever the grouping.
 */
export function groupKey(groupBy: GroupBy, channel: string, touch: GroupFields | null): string {
  if (touch === null || groupBy === "channel") return channel;
  if (groupBy === "source") return touch.source;
  if (groupBy === "source_medium") return `${touch.source} / ${touch.medium}`;
  return touch.campaign ?? "(not set)";
}

/**
 * Sums credits and credit × revenue per (key, currency) (currency null: the reporting one);
 * `rows()` orders them as the stored reports do.
 */
export class CreditTotals {
  private readonly totals = new Map<string, { key: string; currency: string | null; conversions: number; revenue: number }>();

  add(key: string, credit: number, revenue: number, currency: string | null = null): void {
    const id = JSON.stringify([key, currency]);
    const t = this.totals.get(id);
    if (t === undefined) this.totals.set(id, { key, currency, conversions: credit, revenue: credit * revenue });
    else {
      t.conversions += credit;
      t.revenue += credit * revenue;
    }
  }

  /** Revenue, then conversions, descending; then the key in binary (UTF-8 byte) order, like SQL's; then currency (null first). */
  rows(): ReportRow[] {
    const rows = [...this.totals.values()].map((t) => ({ key: t.key, currency: t.currency, conversions: t.conversions, revenue: t.revenue }));
    return rows.sort(
      (a, b) =>
        b.revenue - a.revenue ||
        b.conversions - a.conversions ||
        Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) ||
        (a.currency === b.currency ? 0 : a.currency === null ? -1 : b.currency === null ? 1 : a.currency < b.currency ? -1 : 1),
    );
  }
}
