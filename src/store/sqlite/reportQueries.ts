import type { Db } from "./db.js";

export type GroupBy = "channel" | "source" | "source_medium" | "campaign";

export interface ReportFilter {
  model: string;
  from: number | null;
  to: number | null;
  conversion: string | null;
}

export interface ReportRow {
  key: string;
  conversions: number;
  revenue: number;
}

// Credits with no touchpoint belong to `Unattributed` whatever the grouping.
const KEYS: Record<GroupBy, string> = {
  channel: "channel",
  source: "CASE WHEN touchpoint_id IS NULL THEN channel ELSE source END",
  source_medium: "CASE WHEN touchpoint_id IS NULL THEN channel ELSE source || ' / ' || medium END",
  campaign: "CASE WHEN touchpoint_id IS NULL THEN channel ELSE coalesce(campaign, '(not set)') END",
};

/** Aggregates over stored credits; one prepared statement per grouping. */
export function reportQueries(db: Db) {
  const where = `model = @model AND conversion_at >= @from AND conversion_at < @to
    AND (@conversion IS NULL OR conversion_name = @conversion)`;
  const grouped = Object.fromEntries(
    (Object.keys(KEYS) as GroupBy[]).map((g) => [
      g,
      db.prepare(
        `SELECT ${KEYS[g]} AS key, sum(credit) AS conversions, sum(credit * revenue) AS revenue
         FROM credits WHERE ${where} GROUP BY 1 ORDER BY 3 DESC, 2 DESC, 1`,
      ),
    ]),
  ) as Record<GroupBy, ReturnType<Db["prepare"]>>;
  const totals = db.prepare(
    `SELECT count(*) AS conversions, coalesce(sum(revenue), 0) AS revenue FROM conversions
     WHERE at >= @from AND at < @to AND (@conversion IS NULL OR name = @conversion)`,
  );
  const params = (f: ReportFilter) => ({
    model: f.model,
    from: f.from ?? Number.MIN_SAFE_INTEGER,
    to: f.to ?? Number.MAX_SAFE_INTEGER,
    conversion: f.conversion,
  });

  return {
    attributionRows(f: ReportFilter, groupBy: GroupBy): ReportRow[] {
      return grouped[groupBy].all(params(f)) as ReportRow[];
    },
    conversionTotals(f: Omit<ReportFilter, "model">): { conversions: number; revenue: number } {
      return totals.get(params({ ...f, model: "" })) as { conversions: number; revenue: number };
    },
  };
}
