import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DATASET_SITE, generateMessages, writeJsonLines } from "../test/support/generateDataset.js";
import { profileFlags, ratio, timed, type BenchContext, type BenchLine } from "./types.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PERSONS = 100_000;
const RSS_GOAL_MB = 256;
/** Seconds the cli import may take; the file is sized from the ingest rate measured so far. */
const IMPORT_BUDGET_S = 120;
const PROBE_PERSONS = 2000;
const TIME = "/usr/bin/time";

interface ChildRun {
  ms: number;
  stdout: string;
  stderr: string;
  /** Peak resident set size in MB (/usr/bin/time's maximum RSS, else VmHWM polled from /proc). */
  peakRssMb: number;
}

/** Runs `node --import tsx ARGS` (with `npm run cli`'s flags) and measures its wall time and peak RSS. */
function runNode(args: string[], env: Record<string, string>): Promise<ChildRun> {
  const withTime = existsSync(TIME);
  const command = withTime ? TIME : process.execPath;
  const node = [...profileFlags(`import-${args.includes("import") ? "cli" : "parse"}`), "--max-semi-space-size=8", "--import", "tsx", ...args];
  const argv = withTime ? ["-f", "MAXRSS_KB=%M", process.execPath, ...node] : node;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let polledKb = 0;
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    // Without /usr/bin/time, poll the high-water mark of the node process itself.
    const poll = withTime
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
            if (m) polledKb = Math.max(polledKb, Number(m[1]));
          } catch {
            // the process has exited
          }
        }, 50);
    child.once("error", reject);
    child.once("exit", (code) => {
      if (poll) clearInterval(poll);
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`node ${args.join(" ")} exited with ${code}:\n${stderr.slice(-2000)}`));
      const timeKb = /MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({ ms, stdout, stderr, peakRssMb: (timeKb ? Number(timeKb[1]) : polledKb) / 1024 });
    });
  });
}

/**
 * `cli import` of a generated JSON-lines export (1M messages at scale 1) in a child process:
 * messages/s and peak RSS, vs a child that only streams the file and JSON.parses each line.
 */
export async function benchImport(ctx: BenchContext): Promise<BenchLine[]> {
  let persons = Math.round(PERSONS * ctx.scale);
  const env = { LOG_LEVEL: "warn", SITE_DOMAINS: DATASET_SITE };
  let rate = ctx.measured.bulkIngestMsgPerSec;
  if (rate === undefined && ctx.budgetMs(IMPORT_BUDGET_S) !== Number.POSITIVE_INFINITY) {
    // No ingest rate measured in this run: a small import tells how big the real one can be.
    const probeFile = join(ctx.tmp, "probe.jsonl");
    const probe = await writeJsonLines(probeFile, generateMessages({ persons: PROBE_PERSONS, seed: 62 }));
    const run = await runNode([join(ROOT, "src/cli/main.ts"), "import", probeFile], { ...env, DATABASE_PATH: join(ctx.tmp, "probe.db") });
    rate = probe.messages / (run.ms / 1000);
    ctx.progress(`import: probe of ${probe.messages} messages at ${Math.round(rate)} msg/s`);
  }
  if (rate !== undefined) {
    const affordable = Math.floor((rate * ctx.budgetMs(IMPORT_BUDGET_S)) / 1000 / 10);
    if (affordable < persons) {
      ctx.progress(`import: at ~${Math.round(rate)} msg/s, ${persons} persons would exceed the ${IMPORT_BUDGET_S} s budget: ${affordable} persons (use --full for all)`);
      persons = Math.max(PROBE_PERSONS, affordable);
    }
  }
  const file = join(ctx.tmp, "export.jsonl");
  ctx.progress(`import: writing ${persons} persons as JSON lines`);
  const written = await timed(() => writeJsonLines(file, generateMessages({ persons, seed: 61 })));
  const { messages, bytes } = written.value;
  ctx.progress(`import: ${messages} messages, ${(bytes / 2 ** 20).toFixed(0)} MB in ${(written.ms / 1000).toFixed(1)} s; baseline parse`);

  const parse = await runNode([join(ROOT, "bench/parseLines.ts"), file], {});
  const parsed = (JSON.parse(parse.stdout) as { messages: number }).messages;
  ctx.progress(`import: baseline ${parsed} lines in ${(parse.ms / 1000).toFixed(1)} s, peak RSS ${parse.peakRssMb.toFixed(0)} MB; cli import`);

  const imported = await runNode([join(ROOT, "src/cli/main.ts"), "import", file], { ...env, DATABASE_PATH: join(ctx.tmp, "import.db") });
  const summary = JSON.parse(imported.stdout.trim().split("\n").pop() ?? "{}") as { accepted?: number; duplicates?: number; rejected?: number };
  if (summary.accepted !== messages) ctx.progress(`import: WARNING accepted ${summary.accepted} of ${messages}`);
  ctx.progress(`import: ${summary.accepted} accepted in ${(imported.ms / 1000).toFixed(1)} s, peak RSS ${imported.peakRssMb.toFixed(0)} MB`);

  const figure = messages / (imported.ms / 1000);
  const baseline = parsed / (parse.ms / 1000);
  const details = { messages, bytes, importSeconds: imported.ms / 1000, parseSeconds: parse.ms / 1000, summary, rssSource: existsSync(TIME) ? TIME : "/proc VmHWM" };
  return [
    {
      section: "import",
      name: `import (${messages.toLocaleString("en-US")} messages, JSON lines)`,
      figure,
      unit: "msg/s",
      baselineName: "stream + JSON.parse",
      baseline,
      baselineUnit: "msg/s",
      ratio: ratio(figure, baseline),
      ratioMeaning: "of parse",
      goal: null,
      met: null,
      details,
    },
    {
      section: "import",
      name: "import, peak RSS",
      figure: imported.peakRssMb,
      unit: "MB",
      baselineName: "stream + JSON.parse",
      baseline: parse.peakRssMb,
      baselineUnit: "MB",
      ratio: ratio(imported.peakRssMb, parse.peakRssMb),
      ratioMeaning: "of parse",
      goal: `≤ ${RSS_GOAL_MB} MB${messages < 1_000_000 ? ` at 1M (${messages.toLocaleString("en-US")} run)` : ""}`,
      met: imported.peakRssMb <= RSS_GOAL_MB,
      details: {},
    },
  ];
}
