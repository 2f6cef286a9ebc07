import type { BenchLine } from "./types.js";

function num(n: number | null, unit: string | null): string {
  if (n === null || !Number.isFinite(n)) return "—";
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  const s = n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${s} ${unit}` : s;
}

export function formatRatio(r: number | null): string {
  return r === null || !Number.isFinite(r) ? "—" : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** The table as Markdown (readable in a terminal and pasteable into the README). */
export function formatTable(lines: readonly BenchLine[]): string {
  const header = ["line", "figure", "baseline (same run)", "ratio", "goal", "met"];
  const rows = lines.map((l) => [
    l.name,
    num(l.figure, l.unit),
    l.baselineName === null ? "—" : `${num(l.baseline, l.baselineUnit)} (${l.baselineName})`,
    l.ratioMeaning === null ? formatRatio(l.ratio) : `${formatRatio(l.ratio)} ${l.ratioMeaning}`,
    l.goal ?? "—",
    l.met === null ? "—" : l.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}
