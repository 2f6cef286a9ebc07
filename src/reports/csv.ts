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

interface Section {
  rows: Array<{ key: string; conversions: number; revenue: number; credit_low?: number | null; credit_high?: number | null }>;
}

/**
 * One row per key. A single model: key,conversions,revenue. `model=all`: one column pair per
 * model (`linear_conversions`, `linear_revenue`, ...), 0 where a model credits nothing to a key.
 */
export function reportCsv(report: { groupBy: string } & ({ rows: Section["rows"] } | { models: Record<string, Section> })): string {
  if ("rows" in report) {
    // The data-driven models' bootstrap bounds, when the rows carry them.
    if (report.rows.some((r) => "credit_low" in r)) {
      return toCsv(
        [report.groupBy, "conversions", "revenue", "credit_low", "credit_high"],
        report.rows.map((r) => [r.key, r.conversions, r.revenue, r.credit_low, r.credit_high]),
      );
    }
    return toCsv(
      [report.groupBy, "conversions", "revenue"],
      report.rows.map((r) => [r.key, r.conversions, r.revenue]),
    );
  }
  const models = Object.keys(report.models);
  const keys: string[] = [];
  const cells = new Map<string, Map<string, { conversions: number; revenue: number }>>();
  for (const m of models) {
    for (const r of report.models[m]!.rows) {
      if (!cells.has(r.key)) {
        keys.push(r.key);
        cells.set(r.key, new Map());
      }
      cells.get(r.key)!.set(m, r);
    }
  }
  const header = [report.groupBy, ...models.flatMap((m) => [`${m}_conversions`, `${m}_revenue`])];
  const rows = keys.map((k) => [k, ...models.flatMap((m) => [cells.get(k)!.get(m)?.conversions ?? 0, cells.get(k)!.get(m)?.revenue ?? 0])]);
  return toCsv(header, rows);
}
