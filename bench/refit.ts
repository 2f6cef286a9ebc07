import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.js";
import { openPipeline } from "../src/openPipeline.js";
import { DATASET_SITE } from "../test/support/generateDataset.js";
import { loadDataset, type Loaded } from "./loadDataset.js";
import { cronAt, cronNotNow, every, httpClient, signedPage, sleep, sortedNumbers, type Answer } from "./probe.js";
import { BENCH_SECRET, ROOT, startServiceChild } from "./serviceChild.js";
import { percentile, ratio, type BenchContext, type BenchLine } from "./types.js";

const PERSONS = 100_000;
const CHUNK = 5000;
/** Seconds the raw load may take before the dataset is cut (at a person boundary). */
const LOAD_BUDGET_S = 110;
/** Seconds `npm run cli -- recompute` may take; past them it is stopped and the service's own deriver catches up instead. */
const RECOMPUTE_BUDGET_S = 240;
const CATCH_UP_BUDGET_S = 300;
/** Time the service gets to start before the measurement, then the polling without a refit, then the refit fires. */
const STARTUP_S = 8;
const WARMUP_MS = 1000;
const BASELINE_S = 10;
const POLL_MS = 50;
/** The refit must have stored its model this long after the cron fired, and finished its re-credit this long after that. */
const FIT_BUDGET_S = 180;
const RECREDIT_BUDGET_S = 600;
const GOAL_MS = 500;

interface Built {
  loaded: Loaded;
  recomputeSeconds: number;
  recomputeCut: boolean;
  recomputeSummary: unknown;
  /** derivation_lag when the catch-up ended (0 unless it ran out of time too). */
  catchUpLag: number | null;
}

/** `npm run cli -- recompute` in a child process; null when it ran past its budget (then stopped). */
async function recomputeChild(dbPath: string, budgetMs: number): Promise<{ summary: unknown; ms: number } | null> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--max-semi-space-size=8", "--import", "tsx", join(ROOT, "src/cli/main.ts"), "recompute"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: dbPath, SITE_DOMAINS: DATASET_SITE, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")));
  let cut = false;
  const timer = Number.isFinite(budgetMs)
    ? setTimeout(() => {
        cut = true;
        child.kill("SIGKILL");
      }, budgetMs)
    : null;
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  if (timer) clearTimeout(timer);
  if (cut) return null;
  if (code !== 0) throw new Error(`recompute exited with ${code}: ${out.trim()}`);
  const last = out.trim().split("\n").at(-1) ?? "{}";
  return { summary: JSON.parse(last) as unknown, ms: performance.now() - started };
}

/** The service's own deriver derives what recompute did not reach: started alone (no refit due) until derivation_lag is 0. */
async function catchUpWithService(ctx: BenchContext, dbPath: string): Promise<number | null> {
  const server = await startServiceChild("real", dbPath, { RECOMPUTE_CRON: cronNotNow(), LOG_LEVEL: "warn" }, "refit-catch-up");
  const client = httpClient(server.url);
  try {
    const until = performance.now() + ctx.budgetMs(CATCH_UP_BUDGET_S);
    let lag: number | null = null;
    let lastReport = performance.now();
    while (performance.now() < until) {
      const a = await client.send("GET", "/api/stats");
      if (a.status === 200) lag = (JSON.parse(a.body) as { derivation_lag: number }).derivation_lag;
      if (lag === 0) return 0;
      if (performance.now() - lastReport > 20_000) {
        lastReport = performance.now();
        ctx.progress(`refit: catch-up, derivation_lag ${lag}`);
      }
      await sleep(500);
    }
    return lag;
  } finally {
    client.close();
    await server.stop();
  }
}

async function build(ctx: BenchContext, dbPath: string, persons: number): Promise<Built> {
  const config = loadConfig({ DATABASE_PATH: dbPath, LOG_LEVEL: "silent", SITE_DOMAINS: DATASET_SITE });
  const pipeline = openPipeline(config);
  let loaded: Loaded;
  try {
    ctx.progress(`refit: writing ${persons} persons raw (chunks of ${CHUNK}, budget ${LOAD_BUDGET_S} s)`);
    loaded = await loadDataset(pipeline, { persons, seed: 52 }, { chunk: CHUNK, budgetMs: ctx.budgetMs(LOAD_BUDGET_S), progress: (m) => ctx.progress(`refit: ${m}`) });
  } finally {
    await pipeline.store.close();
  }
  if (!loaded.complete) ctx.progress(`refit: time budget spent: dataset cut to ${loaded.persons} persons (use --full for all)`);
  ctx.progress(`refit: ${loaded.messages} raw messages written in ${(loaded.ms / 1000).toFixed(1)} s; npm run cli -- recompute (budget ${RECOMPUTE_BUDGET_S} s)`);
  const rec = await recomputeChild(dbPath, ctx.budgetMs(RECOMPUTE_BUDGET_S));
  if (rec) {
    ctx.progress(`refit: recompute done in ${(rec.ms / 1000).toFixed(1)} s`);
    return { loaded, recomputeSeconds: rec.ms / 1000, recomputeCut: false, recomputeSummary: rec.summary, catchUpLag: null };
  }
  ctx.progress(`refit: recompute stopped after its ${RECOMPUTE_BUDGET_S} s budget; the service's deriver derives the dataset instead (budget ${CATCH_UP_BUDGET_S} s)`);
  const lag = await catchUpWithService(ctx, dbPath);
  if (lag !== 0) ctx.progress(`refit: WARNING catch-up cut with derivation_lag ${lag}: the refit is measured with derivation still running`);
  return { loaded, recomputeSeconds: RECOMPUTE_BUDGET_S, recomputeCut: true, recomputeSummary: null, catchUpLag: lag };
}

interface Window {
  count: number;
  non200: number;
  max: number;
  p99: number;
  p50: number;
}

function windowOf(samples: readonly Answer[], from: number, to: number): Window {
  const inside = samples.filter((s) => s.sentAt >= from && s.sentAt <= to);
  const ms = sortedNumbers(inside.map((s) => s.ms));
  return { count: inside.length, non200: inside.filter((s) => s.status !== 200).length, max: ms.at(-1) ?? Number.NaN, p99: percentile(ms, 99), p50: percentile(ms, 50) };
}

/**
 * `/health` and the webhook while the scheduled Markov refit runs at 100k persons (× scale):
 * a generated dataset (~10 messages a person) written raw and derived by
 * `npm run cli -- recompute`; then the real service (child process) with RECOMPUTE_CRON set to
 * fire BASELINE_S after it is up. `GET /health` and a signed one-message webhook go out every
 * 50 ms each (open loop) from the start; the refit runs from the cron's firing to the
 * service's "markov re-credit done" log line (LOG_LEVEL=debug for the "job done" line that
 * dates the model's fit). Baseline: the same polling of the same service before the refit.
 */
export async function benchRefit(ctx: BenchContext): Promise<BenchLine[]> {
  const persons = Math.round(PERSONS * ctx.scale);
  const dbPath = join(ctx.tmp, "refit.db");
  const built = await build(ctx, dbPath, persons);

  const fireAt = new Date(Math.ceil((Date.now() + (STARTUP_S + BASELINE_S) * 1000) / 1000) * 1000);
  const cron = cronAt(fireAt);
  ctx.progress(`refit: starting the service with RECOMPUTE_CRON="${cron}" (fires in ${((fireAt.getTime() - Date.now()) / 1000).toFixed(0)} s)`);
  const fireAtPerf = performance.now() + (fireAt.getTime() - Date.now());
  const server = await startServiceChild("real", dbPath, { RECOMPUTE_CRON: cron, LOG_LEVEL: "debug" }, "refit-real");
  const listening = performance.now();
  let fit: { at: number; ms: number } | null = null;
  let recredit: { at: number; ms: number } | null = null;
  let failed: string | null = null;
  server.onLine((line, at) => {
    if (!line.startsWith("{")) return;
    let e: { msg?: string; job?: string; ms?: number; err?: { message?: string } };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      return;
    }
    if (e.msg === "job done" && e.job === "markov") fit = { at, ms: e.ms ?? 0 };
    else if (e.msg === "job failed" && e.job === "markov") failed = e.err?.message ?? "unknown error";
    else if (e.msg === "markov re-credit done") recredit = { at, ms: e.ms ?? 0 };
  });
  if (fireAtPerf - listening < WARMUP_MS + 3000) ctx.progress(`refit: WARNING the service took ${((listening - (fireAtPerf - (STARTUP_S + BASELINE_S) * 1000)) / 1000).toFixed(1)} s to start: the baseline is short`);

  const client = httpClient(server.url, { maxSockets: 64 });
  // Persons when the refit starts (the webhook polling adds one a request).
  const atStart = await client.send("GET", "/api/stats");
  const personsAtStart = atStart.status === 200 ? (JSON.parse(atStart.body) as { persons: number }).persons : null;
  const health: Answer[] = [];
  const hooks: Answer[] = [];
  const run = randomUUID().slice(0, 8);
  const pollers = [
    every(POLL_MS, async () => health.push(await client.send("GET", "/health"))),
    every(POLL_MS, async (k) => hooks.push(await client.send("POST", "/webhooks/segment", signedPage(`bench-refit-${run}-${k}`, BENCH_SECRET)))),
  ];
  let stats: Awaited<ReturnType<typeof server.stats>>["stats"] = null;
  let cut = false;
  try {
    const waitUntil = async (done: () => boolean, deadline: number) => {
      while (!done() && failed === null && performance.now() < deadline) await sleep(100);
      if (failed !== null) throw new Error(`the Markov refit failed: ${failed}`);
      return done();
    };
    if (!(await waitUntil(() => fit !== null || recredit !== null, fireAtPerf + FIT_BUDGET_S * 1000))) {
      throw new Error(`the refit did not store its model within ${FIT_BUDGET_S} s of the cron firing`);
    }
    ctx.progress(`refit: model stored ${((performance.now() - fireAtPerf) / 1000).toFixed(1)} s after the cron fired; waiting for the re-credit (budget ${RECREDIT_BUDGET_S} s)`);
    cut = !(await waitUntil(() => recredit !== null, performance.now() + ctx.budgetMs(RECREDIT_BUDGET_S)));
    if (cut) ctx.progress(`refit: WARNING the re-credit did not finish within ${RECREDIT_BUDGET_S} s: measured up to then`);
    await sleep(500);
  } finally {
    await Promise.all(pollers.map((p) => p.stop()));
    client.close();
    stats = (await server.stats().catch(() => null))?.stats ?? null;
    await server.stop();
  }

  // The job's own timing dates the refit's start (its "job done" line says how long the fit took).
  const fitLine = fit as { at: number; ms: number } | null;
  const recreditLine = recredit as { at: number; ms: number } | null;
  const refitStart = fitLine ? fitLine.at - fitLine.ms : fireAtPerf;
  const refitEnd = recreditLine?.at ?? performance.now();
  const baselineFrom = listening + WARMUP_MS;
  const baselineTo = Math.min(refitStart, fireAtPerf) - 200;
  const during = { health: windowOf(health, refitStart, refitEnd), webhook: windowOf(hooks, refitStart, refitEnd) };
  const idle = { health: windowOf(health, baselineFrom, baselineTo), webhook: windowOf(hooks, baselineFrom, baselineTo) };
  const refitSeconds = (refitEnd - refitStart) / 1000;
  const personsDerived = personsAtStart;
  ctx.progress(
    `refit: ${personsDerived} persons, refit ${refitSeconds.toFixed(1)} s (fit ${((fitLine?.ms ?? 0) / 1000).toFixed(1)} s, re-credit ${((recreditLine?.ms ?? 0) / 1000).toFixed(1)} s); ` +
      `/health max ${during.health.max.toFixed(0)} ms p99 ${during.health.p99.toFixed(0)} ms (idle ${idle.health.max.toFixed(0)} / ${idle.health.p99.toFixed(0)}); ` +
      `webhook max ${during.webhook.max.toFixed(0)} ms p99 ${during.webhook.p99.toFixed(0)} ms (idle ${idle.webhook.max.toFixed(0)} / ${idle.webhook.p99.toFixed(0)}); ` +
      `non-200 during the refit: ${during.health.non200} /health, ${during.webhook.non200} webhook`,
  );
  const details = {
    persons: personsDerived,
    personsAtEnd: stats?.persons ?? null,
    personsGenerated: built.loaded.persons,
    messages: built.loaded.messages,
    datasetComplete: built.loaded.complete,
    loadSeconds: built.loaded.ms / 1000,
    recomputeSeconds: built.recomputeSeconds,
    recomputeCut: built.recomputeCut,
    recomputeSummary: built.recomputeSummary,
    catchUpLag: built.catchUpLag,
    cron,
    pollMs: POLL_MS,
    refitSeconds,
    fitSeconds: fitLine ? fitLine.ms / 1000 : null,
    recreditSeconds: recreditLine ? recreditLine.ms / 1000 : null,
    refitCut: cut,
    baselineSeconds: (baselineTo - baselineFrom) / 1000,
    during,
    idle,
    stats,
  };
  const size = `${(personsDerived ?? persons).toLocaleString("en-US")} persons`;
  const goal = `< ${GOAL_MS} ms, all 200`;
  const line = (name: string, what: "health" | "webhook", stat: "max" | "p99"): BenchLine => {
    const figure = during[what][stat];
    const baseline = idle[what][stat];
    const worst = stat === "max";
    return {
      section: "refit",
      name: `${name} ${worst ? "worst case" : "p99"} during the refit${worst ? ` (${size})` : ""}`,
      figure,
      unit: "ms",
      baselineName: `same polling, no refit (${stat})`,
      baseline,
      baselineUnit: "ms",
      ratio: ratio(figure, baseline),
      ratioMeaning: "of no refit",
      goal: worst ? goal : null,
      met: worst ? !cut && figure < GOAL_MS && during[what].non200 === 0 : null,
      details,
    };
  };
  return [line("/health", "health", "max"), line("/health", "health", "p99"), line("webhook (1 message)", "webhook", "max"), line("webhook (1 message)", "webhook", "p99")];
}
