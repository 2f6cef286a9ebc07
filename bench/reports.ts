import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pino } from "pino";
import { loadConfig } from "../src/config/index.js";
import { createApp } from "../src/http/app.js";
import { reportRoutes } from "../src/http/reportRoutes.js";
import { journeyRoutes } from "../src/http/journeyRoutes.js";
import { openPipeline } from "../src/openPipeline.js";
import { recompute } from "../src/deriver/index.js";
import { DATASET_SITE } from "../test/support/generateDataset.js";
import { benchLookbackReport } from "./lookbackReport.js";
import { loadDataset } from "./loadDataset.js";
import { percentile, ratio, type BenchContext, type BenchLine } from "./types.js";

const PERSONS = 100_000;
const REQUESTS = 50;
/** Requests of each other report query (each line: p50, with p95 in its details). */
const OTHER_REQUESTS = 20;
const WARMUP = 5;
/** Seconds the dataset build may take before it is cut. */
const LOAD_BUDGET_S = 75;
const silent = pino({ level: "silent" });

async function latencies(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const started = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    if (i >= WARMUP) out.push(performance.now() - started);
  }
  return out.sort((a, b) => a - b);
}

/**
 * `GET /api/reports/attribution?model=all` over a conversion-heavy dataset (every generated
 * person converts once: 100k conversions at scale 1), p50/p95 of 50 sequential requests, vs
 * `GET /health` on the same server in the same run.
 */
export async function benchReports(ctx: BenchContext): Promise<BenchLine[]> {
  const persons = Math.round(PERSONS * ctx.scale);
  const config = loadConfig({ DATABASE_PATH: join(ctx.tmp, "reports.db"), LOG_LEVEL: "silent", SITE_DOMAINS: DATASET_SITE });
  const pipeline = openPipeline(config);
  let server: Server | undefined;
  try {
    ctx.progress(`reports: writing ${persons} converting persons (budget ${LOAD_BUDGET_S} s)`);
    const loaded = await loadDataset(pipeline, { persons, seed: 41, conversionRate: 1, messagesPerPerson: 4 }, {
      budgetMs: ctx.budgetMs(LOAD_BUDGET_S),
      progress: (m) => ctx.progress(`reports: ${m}`),
    });
    const messages = loaded.messages;
    if (!loaded.complete) ctx.progress(`reports: time budget spent: dataset cut to ${loaded.persons} persons (use --full for all)`);
    // Derive it all (recompute fits the Markov model too, so the markov section carries removal effects).
    await recompute(pipeline, silent);
    const stats = await pipeline.store.admin.stats();
    ctx.progress(`reports: ${messages} messages, ${stats.conversions} conversions loaded in ${(loaded.ms / 1000).toFixed(1)} s`);


    const idle = { notify: () => {}, status: () => ({ running: true, error: null, lastStepAt: Date.now(), derived: 0 }) };
    const app = createApp({ pipeline, log: silent, deriver: idle, extra: [reportRoutes(pipeline), journeyRoutes(pipeline)] });
    const s = app.listen(0, "127.0.0.1");
    server = s;
    await new Promise<void>((resolve) => s.once("listening", () => resolve()));
    const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const health = await latencies(`${base}/health`, REQUESTS);
    const report = await latencies(`${base}/api/reports/attribution?model=all`, REQUESTS);
    const p50 = percentile(report, 50);
    const p95 = percentile(report, 95);
    const h50 = percentile(health, 50);
    const h95 = percentile(health, 95);
    ctx.progress(`reports: model=all p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms; /health p50 ${h50.toFixed(2)} ms, p95 ${h95.toFixed(2)} ms`);
    // Every other report query the dashboard makes, on the same server and data.
    const month = { from: "2026-01-01T00:00:00.000Z", to: "2026-02-01T00:00:00.000Z" };
    const others: Array<[string, string]> = [
      ["attribution, model=linear groupBy=campaign", "/api/reports/attribution?model=linear&groupBy=campaign"],
      ["attribution, drill-down channel → source / medium", "/api/reports/attribution?model=last_touch&groupBy=source_medium&channel=Email"],
      ["attribution, model=all, one month", `/api/reports/attribution?model=all&from=${month.from}&to=${month.to}`],
      ["paths, top 20 + distributions", "/api/reports/paths?limit=20"],
      ["paths, one month", `/api/reports/paths?limit=20&from=${month.from}&to=${month.to}`],
      ["overview", "/api/reports/overview"],
      ["conversion names", "/api/conversions/names"],
      ["person journey", `/api/people/person:${Math.max(1, Math.floor(stats.persons / 2))}`],
    ];
    const otherLines: BenchLine[] = [];
    for (const [name, path] of others) {
      const ms = await latencies(`${base}${path}`, OTHER_REQUESTS);
      const o50 = percentile(ms, 50);
      const o95 = percentile(ms, 95);
      ctx.progress(`reports: ${name} p50 ${o50.toFixed(1)} ms, p95 ${o95.toFixed(1)} ms`);
      otherLines.push({
        section: "reports",
        name: `reports, ${name} p50 (${stats.conversions.toLocaleString("en-US")} conversions)`,
        figure: o50,
        unit: "ms",
        baselineName: "reports, model=all p50",
        baseline: p50,
        baselineUnit: "ms",
        ratio: ratio(o50, p50),
        ratioMeaning: "of model=all",
        goal: null,
        met: null,
        details: { path, p95: o95, requests: OTHER_REQUESTS, ms },
      });
    }
    const goalMs = 200;
    // Report queries scan the credits of every conversion: below 100k, extrapolate linearly.
    const full = stats.conversions >= PERSONS;
    const p95At100k = full ? p95 : (p95 * PERSONS) / Math.max(1, stats.conversions);
    const details = {
      p95At100k, persons, messages, conversions: stats.conversions, loadMs: loaded.ms, requests: REQUESTS, reportMs: report, healthMs: health };
    const lookback = await benchLookbackReport(base, stats.conversions, full, ctx.progress);
    return [
      {
        section: "reports",
        name: `reports, model=all p50 (${stats.conversions.toLocaleString("en-US")} conversions)`,
        figure: p50,
        unit: "ms",
        baselineName: "GET /health p50",
        baseline: h50,
        baselineUnit: "ms",
        ratio: ratio(p50, h50),
        ratioMeaning: "of /health",
        goal: null,
        met: null,
        details,
      },
      {
        section: "reports",
        name: `reports, model=all p95 (${stats.conversions.toLocaleString("en-US")} conversions)`,
        figure: p95,
        unit: "ms",
        baselineName: "GET /health p95",
        baseline: h95,
        baselineUnit: "ms",
        ratio: ratio(p95, h95),
        ratioMeaning: "of /health",
        goal: full ? `p95 ≤ ${goalMs} ms` : `p95 ≤ ${goalMs} ms at 100k (est. ${Math.round(p95At100k)} ms)`,
        met: p95At100k <= goalMs,
        details: {},
      },
      ...lookback,
      ...otherLines,
    ];
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await pipeline.store.close();
  }
}
