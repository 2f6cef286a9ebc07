/**
 * `npm run bench [-- SECTION... --scale=N --seconds=N]`: runs the benchmark sections (all by
 * default), prints the table and writes bench/results.json. Every figure comes with a baseline
 * measured in the same run, because these machines are shared and noisy: absolute numbers
 * vary, ratios hold. Never part of `npm test`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatTable } from "./table.js";
import type { BenchContext, BenchLine, BenchSection } from "./types.js";

const SECTIONS: Record<string, () => Promise<BenchSection>> = {
  classify: async () => (await import("./classify.js")).benchClassify,
  ingest: async () => (await import("./ingest.js")).benchIngest,
  feedback: async () => (await import("./feedback.js")).benchFeedback,
  reports: async () => (await import("./reports.js")).benchReports,
  recompute: async () => (await import("./recompute.js")).benchRecompute,
  import: async () => (await import("./import.js")).benchImport,
  derive: async () => (await import("./derive.js")).benchDerive,
  refit: async () => (await import("./refit.js")).benchRefit,
  models: async () => (await import("./models.js")).benchModels,
  postgres: async () => (await import("./postgres.js")).benchPostgres,
};

function parseArgs(argv: string[]) {
  const names: string[] = [];
  let scale = Number(process.env.BENCH_SCALE ?? 1);
  let seconds = Number(process.env.BENCH_SECONDS ?? 10);
  let full = process.env.BENCH_FULL === "1";
  for (const a of argv) {
    if (a === "--full") {
      full = true;
      continue;
    }
    if (a.startsWith("--scale=")) scale = Number(a.slice(8));
    else if (a.startsWith("--seconds=")) seconds = Number(a.slice(10));
    else if (a in SECTIONS) names.push(a);
    else throw new Error(`unknown argument "${a}"; sections: ${Object.keys(SECTIONS).join(", ")}; options: --scale=N (default 1), --seconds=N (default 10), --full (no time budgets)`);
  }
  if (!(scale > 0 && scale <= 1)) throw new Error("--scale must be in (0, 1]");
  if (!(seconds >= 1)) throw new Error("--seconds must be at least 1");
  return { names: names.length > 0 ? names : Object.keys(SECTIONS), scale, seconds, full };
}

async function main(): Promise<number> {
  const { names, scale, seconds, full } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const tmp = mkdtempSync(join(tmpdir(), "sa-bench-"));
  const ctx: BenchContext = {
    scale,
    tmp,
    loadSeconds: seconds,
    budgetMs: (s) => (full ? Number.POSITIVE_INFINITY : s * 1000),
    measured: {},
    progress: (m) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}\n`),
  };
  const machine = {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
  ctx.progress(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, Node ${machine.node}; scale ${scale}${full ? ", no time budgets" : ""}; sections: ${names.join(", ")}`);

  const lines: BenchLine[] = [];
  const failures: Array<{ section: string; error: string }> = [];
  try {
    for (const name of names) {
      const sectionStarted = performance.now();
      try {
        const run = await SECTIONS[name]!();
        lines.push(...(await run(ctx)));
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        failures.push({ section: name, error });
        ctx.progress(`${name} FAILED: ${error}`);
      }
      ctx.progress(`${name} done in ${((performance.now() - sectionStarted) / 1000).toFixed(1)} s`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const totalSeconds = (performance.now() - started) / 1000;
  const out = fileURLToPath(new URL("./results.json", import.meta.url));
  writeFileSync(out, `${JSON.stringify({ machine, scale, full, loadSeconds: seconds, sections: names, totalSeconds, lines, failures }, null, 2)}\n`);
  process.stdout.write(
    `\nsegment-attribution benchmark — ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, ${machine.date.slice(0, 10)}` +
      `${scale === 1 ? "" : `, scale ${scale}`}, ${totalSeconds.toFixed(0)} s\n\n${formatTable(lines)}\n\nwritten to bench/results.json\n`,
  );
  for (const f of failures) process.stdout.write(`\n${f.section} failed:\n${f.error}\n`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
