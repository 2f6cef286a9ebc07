/** RFC 4180 field quoting. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV injection, as OWASP recommends: a text cell starting with `=`, `+`, `-`, `@`, tab or
 * carriage return is a formula to a spreadsheet (`=HYPERLINK(...)`, `=cmd|...`), so it gets a
 * leading `'`. Campaigns, sources and keys are visitor-controlled. Numbers are left alone
 * (-3 stays a number); only strings are neutralised.
 */
export function neutraliseFormula(v: unknown): unknown {
  return typeof v === "string" && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** Every CSV the service writes goes through here: each cell neutralised, then quoted. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [header, ...rows].map((r) => r.map((v) => csvField(neutraliseFormula(v))).join(",")).join("\r\n") + "\r\n";
}

interface Line {
  key: string;
  conversions: number;
  revenue: number;
  unconverted?: Record<string, number>;
  /** Data-driven models: the bootstrap bounds of `conversions` (null: none). */
  credit_low?: number | null;
  credit_high?: number | null;
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
 * unconverted (no rate), empty where a key has none, then for the data-driven models
 * credit_low,credit_high (the bootstrap bounds, empty where none). `model=all`: one column pair per model
 * (`linear_conversions`, `linear_revenue`, ...) and `<model>_revenue_<CUR>`, 0 where a model
 * credits nothing to a key.
 */
export function reportCsv(report: { groupBy: string } & ({ rows: Line[] } | { models: Record<string, Section> })): string {
  if ("rows" in report) {
    const extra = unconvertedCurrencies([report]);
    // The data-driven models' bootstrap bounds, when the rows carry them.
    const bounds = report.rows.some((r) => "credit_low" in r);
    return toCsv(
      [report.groupBy, "conversions", "revenue", ...extra.map((c) => `revenue_${c}`), ...(bounds ? ["credit_low", "credit_high"] : [])],
      report.rows.map((r) => [
        r.key,
        r.conversions,
        r.revenue,
        ...extra.map((c) => r.unconverted?.[c] ?? ""),
        ...(bounds ? [r.credit_low, r.credit_high] : []),
      ]),
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
