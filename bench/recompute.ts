import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { loadConfig, type Config } from "../src/config/index.js";
import { refreshMarkovModel } from "../src/pipeline/refreshMarkov.js";
import { openPipeline } from "../src/openPipeline.js";
import type { RecomputeSummary } from "../src/deriver/index.js";
import { DATASET_SITE } from "../test/support/generateDataset.js";
import { loadDataset } from "./loadDataset.js";
import { profileFlags, ratio, timed, type BenchContext, type BenchLine } from "./types.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PERSONS = 100_000;
const CHUNK = 5000;
/** Seconds the dataset build may take before it is cut (recompute then takes about as long again). */
const LOAD_BUDGET_S = 110;
const SECONDS_PER_MILLION_GOAL = 10;
const RSS_GOAL_MB = 256;
const TIME = "/usr/bin/time";

interface Recomputed {
  summary: RecomputeSummary & { ms: number };
  /** Peak resident set size of the recompute process, MB. */
  peakRssMb: number;
  messages: number;
  scanMs: number;
}

/**
 * `npm run cli -- recompute` in a child process (the flags of package.json's cli script), as a
 * user runs it: the recompute's own time (its summary's `ms`) and the process's peak RSS
 * (/usr/bin/time's maximum resident set size, else VmHWM polled from /proc).
 */
function recomputeInChild(dbPath: string): Promise<{ summary: RecomputeSummary & { ms: number }; peakRssMb: number }> {
  const withTime = existsSync(TIME);
  const node = [...profileFlags("recompute"), "--max-semi-space-size=8", "--import", "tsx", join(ROOT, "src/cli/main.ts"), "recompute"];
  const command = withTime ? TIME : process.execPath;
  const argv = withTime ? ["-f", "MAXRSS_KB=%M", process.execPath, ...node] : node;
  const env = { ...process.env, DATABASE_PATH: dbPath, LOG_LEVEL: "warn", SITE_DOMAINS: DATASET_SITE };
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let polledKb = 0;
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const poll = withTime
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
            if (m) polledKb = Math.max(polledKb, Number(m[1]));
          } catch {
            // exited
          }
        }, 50);
    child.once("error", reject);
    child.once("exit", (code) => {
      if (poll) clearInterval(poll);
      if (code !== 0) return reject(new Error(`recompute exited with ${code}:\n${stderr.slice(-2000)}`));
      const timeKb = /MAXRSS_KB=(\d+)/.exec(stderr);
      const summary = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as RecomputeSummary & { ms: number };
      resolve({ summary, peakRssMb: (timeKb ? Number(timeKb[1]) : polledKb) / 1024 });
    });
  });
}

/** The baseline: every stored payload read and JSON.parsed, nothing else. */
function scanPayloads(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    let n = 0;
    for (const row of db.prepare("SELECT payload FROM messages").iterate() as IterableIterator<{ payload: string }>) {
      if ((JSON.parse(row.payload) as { type?: unknown }).type !== undefined) n++;
    }
    return n;
  } finally {
    db.close();
  }
}

async function measure(ctx: BenchContext, label: string, dbPath: string): Promise<Recomputed> {
  const scan = await timed(() => scanPayloads(dbPath));
  ctx.progress(`recompute: ${label}: baseline scan of ${scan.value} payloads in ${(scan.ms / 1000).toFixed(1)} s; recomputing in a child process`);
  const run = await recomputeInChild(dbPath);
  const { summary } = run;
  ctx.progress(
    `recompute: ${label}: ${summary.messages} messages, ${summary.persons} persons in ${(summary.ms / 1000).toFixed(1)} s ` +
      `(${((summary.ms / 1000) * (1_000_000 / summary.messages)).toFixed(1)} s per 1M), peak RSS ${run.peakRssMb.toFixed(0)} MB; phases ${JSON.stringify(summary.phasesMs)}`,
  );
  return { summary, peakRssMb: run.peakRssMb, messages: scan.value, scanMs: scan.ms };
}

/**
 * Two generated datasets (50k and 100k persons, ~0.5M and ~1M messages at scale 1), each written
 * raw through the gateway (chunks of 5000), then `recompute` in a child process as the CLI runs
 * it: seconds per million messages at both sizes (linear growth: the same figure), peak RSS, vs
 * a plain scan that JSON.parses every stored payload; and the Markov refit alone.
 */
export async function benchRecompute(ctx: BenchContext): Promise<BenchLine[]> {
  const persons = Math.round(PERSONS * ctx.scale);
  const half = Math.floor(persons / 2);
  const halfPath = join(ctx.tmp, "recompute-half.db");
  const fullPath = join(ctx.tmp, "recompute.db");
  const config = (path: string): Config => loadConfig({ DATABASE_PATH: path, LOG_LEVEL: "silent", SITE_DOMAINS: DATASET_SITE });
  const budgetMs = ctx.budgetMs(LOAD_BUDGET_S);

  // The half dataset is the first half of the full one: written once, copied, then completed.
  ctx.progress(`recompute: writing ${persons} persons raw through the gateway (chunks of ${CHUNK}, budget ${LOAD_BUDGET_S} s), in two halves`);
  let pipeline = openPipeline(config(fullPath));
  const first = await loadDataset(pipeline, { persons: half, seed: 51 }, { chunk: CHUNK, budgetMs, progress: (m) => ctx.progress(`recompute: ${m}`) });
  await pipeline.store.close();
  copyFileSync(fullPath, halfPath);
  pipeline = openPipeline(config(fullPath));
  const second = first.complete
    ? await loadDataset(pipeline, { persons: persons - half, seed: 51, firstPerson: half }, {
        chunk: CHUNK,
        budgetMs: budgetMs - first.ms,
        progress: (m) => ctx.progress(`recompute: ${m}`),
      })
    : { persons: 0, messages: 0, ms: 0, complete: false };
  const complete = first.complete && second.complete;
  const loadMs = first.ms + second.ms;
  const stored = await pipeline.store.admin.stats();
  await pipeline.store.close();
  if (!complete) ctx.progress(`recompute: time budget spent: datasets cut (${first.persons} + ${second.persons} persons; use --full for all)`);
  ctx.progress(`recompute: ${stored.messages} raw messages stored in ${(loadMs / 1000).toFixed(1)} s`);

  const small = await measure(ctx, "half", halfPath);
  const large = await measure(ctx, "full", fullPath);

  pipeline = openPipeline(config(fullPath));
  const markov = await timed(() => refreshMarkovModel(pipeline));
  const stats = await pipeline.store.admin.stats();
  await pipeline.store.close();
  ctx.measured.bulkIngestMsgPerSec = stored.messages / (loadMs / 1000);

  const perMillion = (r: Recomputed) => (r.summary.ms / 1000) * (1_000_000 / r.summary.messages);
  const scanPerMillion = (r: Recomputed) => (r.scanMs / 1000) * (1_000_000 / r.messages);
  const line = (r: Recomputed, name: string): BenchLine => ({
    section: "recompute",
    name,
    figure: perMillion(r),
    unit: "s per 1M msg",
    baselineName: "SELECT payload + JSON.parse",
    baseline: scanPerMillion(r),
    baselineUnit: "s per 1M msg",
    ratio: ratio(perMillion(r), scanPerMillion(r)),
    ratioMeaning: "of scan",
    goal: `≤ ${SECONDS_PER_MILLION_GOAL} s per 1M`,
    met: perMillion(r) <= SECONDS_PER_MILLION_GOAL,
    details: {
      seconds: r.summary.ms / 1000,
      messages: r.summary.messages,
      persons: r.summary.persons,
      msgPerSec: r.summary.messages / (r.summary.ms / 1000),
      scanSeconds: r.scanMs / 1000,
      phasesMs: r.summary.phasesMs,
      peakRssMb: r.peakRssMb,
      datasetComplete: complete,
    },
  });
  const growth = perMillion(large) / perMillion(small);
  return [
    line(small, `recompute (${small.summary.messages.toLocaleString("en-US")} messages, ${small.summary.persons.toLocaleString("en-US")} persons)`),
    line(large, `recompute (${large.summary.messages.toLocaleString("en-US")} messages, ${large.summary.persons.toLocaleString("en-US")} persons)`),
    {
      section: "recompute",
      name: "recompute, cost growth (s per message at 2× the messages)",
      figure: growth,
      unit: "×",
      baselineName: "scan, same sizes",
      baseline: scanPerMillion(large) / scanPerMillion(small),
      baselineUnit: "×",
      ratio: null,
      ratioMeaning: null,
      goal: "≈ 1 (linear)",
      met: growth <= 1.25,
      details: { smallSecondsPerMillion: perMillion(small), largeSecondsPerMillion: perMillion(large) },
    },
    {
      section: "recompute",
      name: `recompute, peak RSS (${large.summary.messages.toLocaleString("en-US")} messages)`,
      figure: large.peakRssMb,
      unit: "MB",
      baselineName: `half dataset (${small.summary.messages.toLocaleString("en-US")} messages)`,
      baseline: small.peakRssMb,
      baselineUnit: "MB",
      ratio: ratio(large.peakRssMb, small.peakRssMb),
      ratioMeaning: "of half",
      goal: `≤ ${RSS_GOAL_MB} MB${large.summary.messages < 1_000_000 ? ` at 1M (${large.summary.messages.toLocaleString("en-US")} run)` : ""}`,
      met: large.peakRssMb <= RSS_GOAL_MB,
      details: { rssSource: existsSync(TIME) ? TIME : "/proc VmHWM" },
    },
    {
      section: "recompute",
      name: `Markov solve (${markov.value.paths.toLocaleString("en-US")} paths)`,
      figure: markov.value.solveMs,
      unit: "ms",
      baselineName: "whole refit (load paths + solve)",
      baseline: markov.ms,
      baselineUnit: "ms",
      ratio: ratio(markov.value.solveMs, markov.ms),
      ratioMeaning: "of refit",
      goal: "≤ 2,000 ms",
      met: markov.value.solveMs <= 2000,
      details: { paths: markov.value.paths, refitMs: markov.ms, solveMsInRecompute: large.summary.markovSolveMs, effects: markov.value.effects },
    },
    {
      section: "recompute",
      name: "bulk raw store (gateway write, 5000/chunk)",
      figure: stored.messages / (loadMs / 1000),
      unit: "msg/s",
      baselineName: "SELECT payload + JSON.parse",
      baseline: large.messages / (large.scanMs / 1000),
      baselineUnit: "msg/s",
      ratio: ratio(stored.messages / (loadMs / 1000), large.messages / (large.scanMs / 1000)),
      ratioMeaning: "of scan",
      goal: null,
      met: null,
      details: { seconds: loadMs / 1000, stats },
    },
  ];
}
