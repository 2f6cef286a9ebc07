import { percentile, ratio, type BenchLine } from "./types.js";

const REQUESTS = 5;
const WINDOW_DAYS = 30;

async function fetchMs(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - started;
}

/**
 * Report-time lookback (`lookbackDays`, rule models and markov recomputed from the stored
 * conversions and touchpoints) on the reports section's server and dataset: latency of
 * model=linear and model=all, against the stored-credit report of the same model in the same
 * run, and /health polled every 5 ms while the recomputations run (the serving thread must keep
 * answering: the recomputation yields between chunks of persons).
 */
export async function benchLookbackReport(base: string, conversions: number, fullScale: boolean, progress: (m: string) => void): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const sizes = `${conversions.toLocaleString("en-US")} conversions`;
  const healthDuring: number[] = [];
  for (const model of ["linear", "all"] as const) {
    const stored: number[] = [];
    const lookback: number[] = [];
    await fetchMs(`${base}/api/reports/attribution?model=${model}&lookbackDays=${WINDOW_DAYS}`); // warm-up
    for (let i = 0; i < REQUESTS; i++) {
      stored.push(await fetchMs(`${base}/api/reports/attribution?model=${model}`));
      let running = true;
      const poll = (async () => {
        while (running) {
          healthDuring.push(await fetchMs(`${base}/health`));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      lookback.push(await fetchMs(`${base}/api/reports/attribution?model=${model}&lookbackDays=${WINDOW_DAYS}`));
      running = false;
      await poll;
    }
    stored.sort((a, b) => a - b);
    lookback.sort((a, b) => a - b);
    const p50 = percentile(lookback, 50);
    const s50 = percentile(stored, 50);
    const estAt100k = fullScale ? p50 : (p50 * 100_000) / Math.max(1, conversions);
    const goalMs = model === "all" ? 10_000 : 2_000;
    progress(`reports: lookbackDays=${WINDOW_DAYS} model=${model} p50 ${p50.toFixed(0)} ms (stored ${s50.toFixed(1)} ms)`);
    lines.push({
      section: "reports",
      name: `reports, lookbackDays=${WINDOW_DAYS} model=${model} p50 (${sizes}, recomputed at query time)`,
      figure: p50,
      unit: "ms",
      baselineName: `stored model=${model} p50`,
      baseline: s50,
      baselineUnit: "ms",
      ratio: ratio(p50, s50),
      ratioMeaning: "of the stored report",
      goal: fullScale ? `p50 ≤ ${goalMs} ms` : `p50 ≤ ${goalMs} ms at 100k (est. ${Math.round(estAt100k)} ms)`,
      met: estAt100k <= goalMs,
      details: { model, lookbackDays: WINDOW_DAYS, requests: REQUESTS, lookbackMs: lookback, storedMs: stored },
    });
  }
  healthDuring.sort((a, b) => a - b);
  const h99 = percentile(healthDuring, 99);
  const hMax = healthDuring[healthDuring.length - 1] ?? Number.NaN;
  lines.push({
    section: "reports",
    name: `reports, GET /health p99 while lookbackDays reports run (${healthDuring.length} polls)`,
    figure: h99,
    unit: "ms",
    baselineName: "max",
    baseline: hMax,
    baselineUnit: "ms",
    ratio: null,
    ratioMeaning: null,
    goal: "p99 ≤ 100 ms (serving not blocked)",
    met: h99 <= 100,
    details: { polls: healthDuring.length, healthMs: healthDuring },
  });
  return lines;
}
