/** RFC 4180 field quoting. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [header, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

interface Line {
  key: string;
  conversions: number;
  revenue: number;
  unconverted?: Record<string, number>;
}

interface Section {
  rows: Line[];
}

/** Every unconverted currency of the sections, sorted: one `revenue_<CUR>` column each. */
function unconvertedCurrencies(sections: readonly Section[]): string[] {
  const found = new Set<string>();
  for (const s of sections) for (const r of s.rows) for (const c of Object.keys(r.unconverted ?? {})) found.add(c);
  return [...found].sort();
}

/**
 * One row per key, numbers as the JSON report rounds them. A single model:
 * key,conversions,revenue (in the report's currency), then `revenue_<CUR>` per currency left
 * unconverted (no rate), empty where a key has none. `model=all`: one column pair per model
 * (`linear_conversions`, `linear_revenue`, ...) and `<model>_revenue_<CUR>`, 0 where a model
 * credits nothing to a key.
 */
export function reportCsv(report: { groupBy: string } & ({ rows: Line[] } | { models: Record<string, Section> })): string {
  if ("rows" in report) {
    const extra = unconvertedCurrencies([report]);
    return toCsv(
      [report.groupBy, "conversions", "revenue", ...extra.map((c) => `revenue_${c}`)],
      report.rows.map((r) => [r.key, r.conversions, r.revenue, ...extra.map((c) => r.unconverted?.[c] ?? "")]),
    );
  }
  const models = Object.keys(report.models);
  const keys: string[] = [];
  const cells = new Map<string, Map<string, Line>>();
  for (const m of models) {
    for (const r of report.models[m]!.rows) {
      if (!cells.has(r.key)) {
        keys.push(r.key);
        cells.set(r.key, new Map());
      }
      cells.get(r.key)!.set(m, r);
    }
  }
  const extra = unconvertedCurrencies(Object.values(report.models));
  const header = [report.groupBy, ...models.flatMap((m) => [`${m}_conversions`, `${m}_revenue`, ...extra.map((c) => `${m}_revenue_${c}`)])];
  const rows = keys.map((k) => [
    k,
    ...models.flatMap((m) => {
      const cell = cells.get(k)!.get(m);
      return [cell?.conversions ?? 0, cell?.revenue ?? 0, ...extra.map((c) => cell?.unconverted?.[c] ?? 0)];
    }),
  ]);
  return toCsv(header, rows);
}
