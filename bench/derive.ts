import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { signedBodies, type SignedBody } from "./ingestBodies.js";
import { cronNotNow, every, httpClient, signedPage, sleep, sortedNumbers, type Answer, type HttpClient } from "./probe.js";
import { BENCH_SECRET, startServiceChild, type ServiceChild } from "./serviceChild.js";
import { percentile, ratio, type BenchContext, type BenchLine } from "./types.js";

const BATCH = 100;
/** The offered load, as a share of what the same service's gateway accepts flat out (measured first in the run). */
const SHARE = 0.6;
const GATEWAY_CONNECTIONS = 10;
const GATEWAY_WARMUP_S = 1;
const GATEWAY_S = 5;
const STATS_MS = 100;
const SENTINEL_MS = 500;
const SENTINEL_POLL_MS = 50;
/** Sentinels on the idle service (after one more as a warm-up, not counted). */
const IDLE_SENTINELS = 10;
/** After the load, how long the lag may take to reach 0 before the section gives up (and says so). */
const DRAIN_BUDGET_S = 240;
/** Bodies for the flat-out runs: more than 6 s at 25k msg/s, so no body is sent twice (a repeat is the duplicate path). */
const GATEWAY_BODIES = 1600;

interface Burst {
  messagesPerSecond: number;
  requests: number;
  non200: number;
  latencyP50: number;
  latencyP99: number;
}

/** GATEWAY_CONNECTIONS requests at a time, each connection sending its next body when the last is answered. */
async function flatOut(url: string, bodies: SignedBody[]): Promise<Burst> {
  const client = httpClient(url, { maxSockets: GATEWAY_CONNECTIONS });
  let next = 0;
  const run = async (ms: number) => {
    const started = performance.now();
    const end = started + ms;
    let accepted = 0;
    let non200 = 0;
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: GATEWAY_CONNECTIONS }, async () => {
        while (performance.now() < end) {
          const a = await client.send("POST", "/webhooks/segment", bodies[next++ % bodies.length]);
          latencies.push(a.ms);
          if (a.status === 200) accepted += (JSON.parse(a.body) as { accepted?: number }).accepted ?? 0;
          else non200++;
        }
      }),
    );
    return { accepted, non200, latencies: sortedNumbers(latencies), seconds: (performance.now() - started) / 1000 };
  };
  try {
    await run(GATEWAY_WARMUP_S * 1000);
    const r = await run(GATEWAY_S * 1000);
    if (next > bodies.length) throw new Error(`flat-out run sent ${next} bodies of ${bodies.length}: raise GATEWAY_BODIES`);
    return {
      messagesPerSecond: r.accepted / r.seconds,
      requests: r.latencies.length,
      non200: r.non200,
      latencyP50: percentile(r.latencies, 50),
      latencyP99: percentile(r.latencies, 99),
    };
  } finally {
    client.close();
  }
}

interface Sentinel {
  id: string;
  phase: "warmup" | "idle" | "load";
  ackAt: number;
  visibleAt: number | null;
}

/**
 * Sentinels: one-message requests under a unique anonymousId, and a poller that asks
 * `GET /api/people/<id>` for the oldest acknowledged one not seen yet (derivation follows
 * arrival order, so only the oldest needs asking) until it is found with its touchpoint.
 * Its lag is the time from the 200 of its webhook to the answer that shows it.
 */
function sentinels(client: HttpClient) {
  const acked: Sentinel[] = [];
  let failed = 0;
  let n = 0;
  let polling = false;
  const poller = every(SENTINEL_POLL_MS, async () => {
    if (polling) return;
    polling = true;
    try {
      for (const s of acked) {
        if (s.visibleAt !== null) continue;
        const a = await client.send("GET", `/api/people/${encodeURIComponent(s.id)}`);
        if (a.status !== 200 || ((JSON.parse(a.body) as { touchpoints?: unknown[] }).touchpoints?.length ?? 0) === 0) break;
        s.visibleAt = a.doneAt;
      }
    } finally {
      polling = false;
    }
  });
  return {
    acked,
    failed: () => failed,
    async send(phase: Sentinel["phase"]): Promise<void> {
      const id = `bench-sentinel-${n++}-${randomUUID().slice(0, 8)}`;
      const a = await client.send("POST", "/webhooks/segment", signedPage(id, BENCH_SECRET));
      if (a.status === 200) acked.push({ id, phase, ackAt: a.doneAt, visibleAt: null });
      else failed++;
    },
    allVisible: () => acked.every((s) => s.visibleAt !== null),
    stop: () => poller.stop(),
  };
}

interface LagSample {
  sentAt: number;
  doneAt: number;
  lag: number;
}

interface LoadRun {
  offeredPerSecond: number;
  loadStart: number;
  loadEnd: number;
  accepted: number;
  non200: number;
  requests: number;
  latencies: number[];
}

/** `total` requests at a steady rate (open loop: each goes out on schedule, answered or not). */
async function steadyLoad(client: HttpClient, bodies: SignedBody[], requestsPerSecond: number, total: number): Promise<LoadRun> {
  const loadStart = performance.now();
  let accepted = 0;
  let non200 = 0;
  const latencies: number[] = [];
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const wait = loadStart + (i * 1000) / requestsPerSecond - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      client.send("POST", "/webhooks/segment", bodies[i]).then((a: Answer) => {
        latencies.push(a.ms);
        if (a.status === 200) accepted += (JSON.parse(a.body) as { accepted?: number }).accepted ?? 0;
        else non200++;
      }),
    );
  }
  await Promise.all(pending);
  return { offeredPerSecond: requestsPerSecond * BATCH, loadStart, loadEnd: performance.now(), accepted, non200, requests: total, latencies: sortedNumbers(latencies) };
}

/**
 * Derivation under a steady load: the real service (child process, fresh database, signed
 * 100-message batches of time-ordered traffic) at SHARE of what its gateway accepts flat out
 * (measured first, on a fresh database of its own; BENCH_DERIVE_RATE=msg/s fixes it instead),
 * `derivation_lag` sampled every 100 ms during the load and after it until 0, a sentinel every
 * 0.5 s for the lag in time. Baselines: the gateway's flat-out acceptance and the bare durable
 * server's (ingestBaselines.ts), both in this run; sentinels on the idle service.
 */
export async function benchDerive(ctx: BenchContext): Promise<BenchLine[]> {
  const seconds = Math.max(ctx.loadSeconds, Math.round(30 * ctx.scale));
  ctx.progress(`derive: generating ${GATEWAY_BODIES} signed bodies of ${BATCH} messages, time-ordered`);
  let generated = signedBodies(GATEWAY_BODIES, BATCH, 20, BENCH_SECRET);

  const measureFlatOut = async (mode: "real" | "durable") => {
    const server = await startServiceChild(mode, join(ctx.tmp, `derive-flat-${mode}.db`), { RECOMPUTE_CRON: cronNotNow() }, `derive-flat-${mode}`);
    try {
      return await flatOut(server.url, generated.bodies);
    } finally {
      await server.stop();
    }
  };
  const gateway = await measureFlatOut("real");
  ctx.progress(`derive: gateway flat out ${Math.round(gateway.messagesPerSecond)} msg/s (${GATEWAY_CONNECTIONS} connections, p50 ${gateway.latencyP50.toFixed(0)} ms, p99 ${gateway.latencyP99.toFixed(0)} ms, non-200 ${gateway.non200})`);
  const durable = await measureFlatOut("durable");
  ctx.progress(`derive: durable baseline flat out ${Math.round(durable.messagesPerSecond)} msg/s`);

  const fixed = process.env.BENCH_DERIVE_RATE ? Number(process.env.BENCH_DERIVE_RATE) : null;
  if (fixed !== null && !(fixed >= BATCH)) throw new Error("BENCH_DERIVE_RATE must be a message rate of at least 100 msg/s");
  const requestsPerSecond = Math.max(1, Math.round((fixed ?? SHARE * gateway.messagesPerSecond) / BATCH));
  const total = Math.round(requestsPerSecond * seconds);
  if (total > generated.bodies.length) {
    ctx.progress(`derive: generating ${total} signed bodies for the steady load`);
    generated = signedBodies(total, BATCH, 20, BENCH_SECRET);
  }
  const rateSource = fixed !== null ? "fixed by BENCH_DERIVE_RATE" : `${SHARE * 100}% of the gateway flat out`;
  ctx.progress(`derive: steady load of ${requestsPerSecond * BATCH} msg/s (${rateSource}) for ${seconds} s`);

  const server: ServiceChild = await startServiceChild("real", join(ctx.tmp, "derive.db"), { RECOMPUTE_CRON: cronNotNow() }, "derive-real");
  const client = httpClient(server.url, { maxSockets: 64 });
  const probes = sentinels(client);
  const samples: LagSample[] = [];
  let sampling = false;
  const sampler = every(STATS_MS, async () => {
    if (sampling) return;
    sampling = true;
    try {
      const a = await client.send("GET", "/api/stats");
      if (a.status === 200) samples.push({ sentAt: a.sentAt, doneAt: a.doneAt, lag: (JSON.parse(a.body) as { derivation_lag: number }).derivation_lag });
    } finally {
      sampling = false;
    }
  });
  const waitFor = async (done: () => boolean, budgetMs: number) => {
    const until = performance.now() + budgetMs;
    while (!done() && performance.now() < until) await sleep(50);
    return done();
  };
  let load: LoadRun;
  let drainedAt: number | null;
  let stored: number | null;
  try {
    for (let i = 0; i <= IDLE_SENTINELS; i++) {
      await probes.send(i === 0 ? "warmup" : "idle");
      await sleep(SENTINEL_MS);
    }
    if (!(await waitFor(probes.allVisible, 10_000))) ctx.progress("derive: WARNING an idle sentinel was not derived within 10 s");

    const ticker = every(SENTINEL_MS, () => probes.send("load"));
    try {
      load = await steadyLoad(client, generated.bodies, requestsPerSecond, total);
    } finally {
      await ticker.stop();
    }
    const loadEnd = load.loadEnd;
    ctx.progress(`derive: load done (${load.accepted} accepted, ${load.non200} non-200); waiting for derivation_lag 0 (budget ${DRAIN_BUDGET_S} s)`);
    const drainedSample = () => samples.find((s) => s.sentAt > loadEnd && s.lag === 0);
    const drained = await waitFor(() => drainedSample() !== undefined && probes.allVisible(), ctx.budgetMs(DRAIN_BUDGET_S));
    drainedAt = drained ? Math.max(drainedSample()!.doneAt, ...probes.acked.map((s) => s.visibleAt!)) : null;
    if (!drained) ctx.progress(`derive: WARNING the lag did not reach 0 within ${DRAIN_BUDGET_S} s after the load (last sample ${samples.at(-1)?.lag})`);
    await sampler.stop();
    await probes.stop();
    stored = (await server.stats()).stored;
  } finally {
    await sampler.stop();
    await probes.stop();
    client.close();
    await server.stop();
  }

  const loadSentinels = probes.acked.filter((s) => s.phase === "load");
  const idleSentinels = probes.acked.filter((s) => s.phase === "idle");
  const lagMs = (xs: Sentinel[]) => sortedNumbers(xs.filter((s) => s.visibleAt !== null).map((s) => s.visibleAt! - s.ackAt));
  const loadLagMs = lagMs(loadSentinels);
  const idleLagMs = lagMs(idleSentinels);
  const during = sortedNumbers(samples.filter((s) => s.sentAt >= load.loadStart && s.sentAt <= load.loadEnd).map((s) => s.lag));
  const lastDuring = samples.filter((s) => s.doneAt <= load.loadEnd).at(-1)?.lag ?? 0;
  const loadSeconds = (load.loadEnd - load.loadStart) / 1000;
  const acceptedInRun = load.accepted + loadSentinels.length;
  const runSeconds = drainedAt === null ? Number.NaN : (drainedAt - load.loadStart) / 1000;
  const drainSeconds = drainedAt === null ? Number.NaN : (drainedAt - load.loadEnd) / 1000;
  const sustained = acceptedInRun / runSeconds;
  const offered = load.offeredPerSecond;
  const lagP50 = percentile(during, 50);
  const lagP99 = percentile(during, 99);
  const timeP50 = percentile(loadLagMs, 50);
  const timeP99 = percentile(loadLagMs, 99);
  const idleP50 = percentile(idleLagMs, 50);
  const idleMax = idleLagMs.at(-1) ?? Number.NaN;
  const storedExpected = acceptedInRun + probes.acked.filter((s) => s.phase !== "load").length;
  if (stored !== null && stored !== storedExpected) ctx.progress(`derive: WARNING ${stored} messages stored, ${storedExpected} acknowledged`);
  ctx.progress(
    `derive: sustained ${Math.round(sustained)} msg/s (${acceptedInRun} messages, lag 0 after ${runSeconds.toFixed(1)} s; load ${loadSeconds.toFixed(1)} s, drain ${drainSeconds.toFixed(1)} s); ` +
      `lag under load p50 ${lagP50} / p99 ${lagP99} messages, sentinel p50 ${timeP50.toFixed(0)} ms / p99 ${timeP99.toFixed(0)} ms (idle p50 ${idleP50.toFixed(0)} ms)`,
  );
  const details = {
    offeredMsgPerSec: offered,
    rateSource,
    share: fixed === null ? SHARE : null,
    loadSeconds,
    runSeconds,
    drainSeconds,
    drained: drainedAt !== null,
    acceptedInRun,
    storedMessages: stored,
    acknowledgedMessages: storedExpected,
    loadNon200: load.non200,
    loadRequests: load.requests,
    loadLatencyP50Ms: percentile(load.latencies, 50),
    loadLatencyP99Ms: percentile(load.latencies, 99),
    lagAtLoadEnd: lastDuring,
    derivedDuringLoadMsgPerSec: (load.accepted - lastDuring) / loadSeconds,
    drainMsgPerSec: drainSeconds > 0 ? lastDuring / drainSeconds : null,
    lagSamplesDuringLoad: during.length,
    lagMaxDuringLoad: during.at(-1) ?? null,
    sentinelsDuringLoad: loadSentinels.length,
    sentinelsFailed: probes.failed(),
    sentinelLagMaxMs: loadLagMs.at(-1) ?? null,
    idleSentinelLagMs: idleLagMs,
    personsPerBody: generated.personsPerBody,
    gateway,
    durable,
  };
  const line = (l: Omit<BenchLine, "section" | "details" | "goal" | "met"> & Partial<Pick<BenchLine, "goal" | "met">>): BenchLine => ({
    section: "derive",
    goal: null,
    met: null,
    details,
    ...l,
  });
  const kept = `lag back to 0 within ${DRAIN_BUDGET_S} s of the load`;
  return [
    line({
      name: `derive, sustained rate (${offered.toLocaleString("en-US")} msg/s offered for ${seconds} s)`,
      figure: sustained,
      unit: "msg/s",
      baselineName: "gateway flat out, same service",
      baseline: gateway.messagesPerSecond,
      baselineUnit: "msg/s",
      ratio: ratio(sustained, gateway.messagesPerSecond),
      ratioMeaning: "of gateway",
      goal: kept,
      met: drainedAt !== null,
    }),
    line({
      name: "derive, sustained rate vs durable",
      figure: sustained,
      unit: "msg/s",
      baselineName: "durable: node:http + raw SQLite insert",
      baseline: durable.messagesPerSecond,
      baselineUnit: "msg/s",
      ratio: ratio(sustained, durable.messagesPerSecond),
      ratioMeaning: "of durable",
    }),
    line({
      name: "derive, lag under load p50 (derivation_lag)",
      figure: lagP50,
      unit: "msg",
      baselineName: "offered in 1 s",
      baseline: offered,
      baselineUnit: "msg",
      ratio: ratio(lagP50, offered),
      ratioMeaning: "of 1 s of input",
    }),
    line({
      name: "derive, lag under load p99 (derivation_lag)",
      figure: lagP99,
      unit: "msg",
      baselineName: "offered in 1 s",
      baseline: offered,
      baselineUnit: "msg",
      ratio: ratio(lagP99, offered),
      ratioMeaning: "of 1 s of input",
    }),
    line({
      name: "derive, lag under load p50 (sentinel 200 → visible)",
      figure: timeP50,
      unit: "ms",
      baselineName: "idle service p50",
      baseline: idleP50,
      baselineUnit: "ms",
      ratio: ratio(timeP50, idleP50),
      ratioMeaning: "of idle",
    }),
    line({
      name: "derive, lag under load p99 (sentinel 200 → visible)",
      figure: timeP99,
      unit: "ms",
      baselineName: "idle service max",
      baseline: idleMax,
      baselineUnit: "ms",
      ratio: ratio(timeP99, idleMax),
      ratioMeaning: "of idle",
    }),
    line({
      name: "derive, drain after the load stops",
      figure: drainSeconds,
      unit: "s",
      baselineName: "load duration",
      baseline: loadSeconds,
      baselineUnit: "s",
      ratio: ratio(drainSeconds, loadSeconds),
      ratioMeaning: "of load",
      goal: kept,
      met: drainedAt !== null,
    }),
  ];
}
