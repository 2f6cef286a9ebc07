import { optimize, type Db } from "./db.js";

export type GroupBy = "channel" | "source" | "source_medium" | "campaign";

export interface ReportFilter {
  model: string;
  from: number | null;
  to: number | null;
  conversion: string | null;
  /** Drill-down: only credits of this channel (and, below it, of this "source / medium"). */
  channel?: string | null;
  sourceMedium?: string | null;
}

/** One group's credited conversions and revenue in one currency (null: REPORTING_CURRENCY; else unconverted). */
export interface ReportRow {
  key: string;
  currency: string | null;
  conversions: number;
  revenue: number;
}

const DAY_MS = 86_400_000;
// The drill-down filters (channel, then source / medium), the same on report_days and credits.
const DRILL = `
             AND (@channel IS NULL OR channel = @channel)
             AND (@sourceMedium IS NULL OR source || ' / ' || medium = @sourceMedium)`;
const MODELS_SQL = "SELECT DISTINCT model FROM credits";

// Credits with no touchpoint belong to `Unattributed` whatever the grouping.
const keyOf = (g: GroupBy, isTouch: string): string =>
  ({
    channel: "channel",
    source: `CASE WHEN ${isTouch} THEN source ELSE channel END`,
    source_medium: `CASE WHEN ${isTouch} THEN source || ' / ' || medium ELSE channel END`,
    campaign: `CASE WHEN ${isTouch} THEN coalesce(campaign, '(not set)') ELSE channel END`,
  })[g];

/**
 * Attribution reports. Whole UTC days are read from `report_days` (credits summed per model,
 * day, conversion name and touch fields); the partial days at the edges of a range, and the
 * days whose credits changed since they were summed (`report_dirty_days`), straight from
 * `credits`. A read never writes: the deriver re-sums dirty days (`refreshDirtyDays`) in its
 * own transactions, so a report costs the number of groups and dirty days, not of credits.
 */
export function reportQueries(db: Db) {
  const dirtyDays = db.prepare("SELECT day FROM report_dirty_days ORDER BY day LIMIT ?");
  const clearDay = db.prepare("DELETE FROM report_days WHERE day = ?");
  const cleanDay = db.prepare("DELETE FROM report_dirty_days WHERE day = ?");
  const models = db.prepare(MODELS_SQL).pluck();
  const sumDay = db.prepare(
    `INSERT INTO report_days (model, day, conversion_name, is_touch, channel, source, medium, campaign, currency, conversions, revenue)
     SELECT model, @day, conversion_name, touchpoint_id IS NOT NULL, channel, source, medium, campaign, currency, sum(credit), sum(credit * revenue)
     FROM credits WHERE model = @model AND conversion_at >= @day * ${DAY_MS} AND conversion_at < (@day + 1) * ${DAY_MS}
     GROUP BY conversion_name, touchpoint_id IS NOT NULL, channel, source, medium, campaign, currency`,
  );
  const refresh = (limit: number): number => {
    const days = dirtyDays.pluck().all(limit) as number[];
    if (days.length === 0) return 0;
    const ms = models.all() as string[];
    for (const day of days) {
      clearDay.run(day);
      for (const model of ms) sumDay.run({ day, model });
      cleanDay.run(day);
    }
    return days.length;
  };

  const grouped = Object.fromEntries(
    (["channel", "source", "source_medium", "campaign"] as GroupBy[]).map((g) => [
      g,
      db.prepare(
        `SELECT key, currency, sum(c) AS conversions, sum(r) AS revenue FROM (
           SELECT ${keyOf(g, "is_touch")} AS key, currency, conversions AS c, revenue AS r FROM report_days
           WHERE model = @model AND day >= @dayFrom AND day < @dayTo
             AND day NOT IN (SELECT day FROM report_dirty_days)
             AND (@conversion IS NULL OR conversion_name = @conversion)${DRILL}
           UNION ALL
           SELECT ${keyOf(g, "touchpoint_id IS NOT NULL")} AS key, currency, credit AS c, credit * revenue AS r FROM credits
           WHERE model = @model AND ((conversion_at >= @aFrom AND conversion_at < @aTo) OR (conversion_at >= @bFrom AND conversion_at < @bTo))
             AND (@conversion IS NULL OR conversion_name = @conversion)${DRILL}
           UNION ALL
           SELECT ${keyOf(g, "touchpoint_id IS NOT NULL")} AS key, currency, credit AS c, credit * revenue AS r
           FROM report_dirty_days d JOIN credits ON model = @model
             AND conversion_at >= d.day * ${DAY_MS} AND conversion_at < (d.day + 1) * ${DAY_MS}
           WHERE d.day >= @dayFrom AND d.day < @dayTo
             AND (@conversion IS NULL OR conversion_name = @conversion)${DRILL})
         GROUP BY key, currency ORDER BY key, currency NULLS FIRST`,
      ),
    ]),
  ) as Record<GroupBy, ReturnType<Db["prepare"]>>;

  const dirtyCount = db.prepare("SELECT count(*) FROM report_dirty_days").pluck();
  return {
    /** How many days wait to be re-summed (a read: the deriver takes the write lock only when some do). */
    dirtyDayCount: (): number => dirtyCount.get() as number,
    /** Planner statistics brought up to date where the tables grew (run by the deriver's maintenance). */
    optimize: (): void => optimize(db),
    /** Re-sums up to `limit` dirty days into `report_days` (run by the deriver); returns how many. */
    refreshDirtyDays: refresh,
    attributionRows(f: ReportFilter, groupBy: GroupBy): ReportRow[] {
      return grouped[groupBy].all({
        model: f.model, conversion: f.conversion, channel: f.channel ?? null, sourceMedium: f.sourceMedium ?? null, ...split(f.from, f.to),
      }) as ReportRow[];
    },
  };
}

/** Splits [from, to) into whole days [dayFrom, dayTo) and two partial ranges a and b. */
export function split(from: number | null, to: number | null) {
  const lo = from ?? Number.MIN_SAFE_INTEGER;
  const hi = to ?? Number.MAX_SAFE_INTEGER;
  const dayFrom = from === null ? Number.MIN_SAFE_INTEGER : Math.ceil(from / DAY_MS);
  const dayTo = to === null ? Number.MAX_SAFE_INTEGER : Math.floor(to / DAY_MS);
  if (dayFrom >= dayTo) return { dayFrom: 0, dayTo: 0, aFrom: lo, aTo: hi, bFrom: 0, bTo: 0 };
  return {
    dayFrom,
    dayTo,
    aFrom: lo,
    aTo: from === null ? lo : dayFrom * DAY_MS,
    bFrom: to === null ? hi : dayTo * DAY_MS,
    bTo: hi,
  };
}
