import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import type { Stats } from "../src/store/index.js";
import { DATASET_SITE, generateMessages, inChunks } from "../test/support/generateDataset.js";
import type { ServerMessage } from "./ingestServer.js";
import { profileFlags, ratio, type BenchContext, type BenchLine } from "./types.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECRET = "bench-shared-secret";
const CONNECTIONS = 10;
const WARMUP_SECONDS = 2;

interface Body {
  body: Buffer;
  signature: string;
}

/** Distinct signed request bodies: `batch` messages each (an array), or one bare message when batch is 1. */
function signedBodies(count: number, batch: number, seed: number): Body[] {
  const persons = Math.ceil((count * batch) / 10) + 1;
  const bodies: Body[] = [];
  for (const chunk of inChunks(generateMessages({ persons, seed }), batch)) {
    if (bodies.length >= count) break;
    const body = Buffer.from(JSON.stringify(batch === 1 ? chunk[0] : chunk));
    bodies.push({ body, signature: createHmac("sha1", SECRET).update(body).digest("hex") });
  }
  return bodies;
}

interface ChildServer {
  url: string;
  stats(): Promise<Stats | null>;
  stop(): Promise<void>;
}

async function startServer(mode: "real" | "bare", dbPath: string): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [...profileFlags(`ingest-${mode}`), "--import", "tsx", join(ROOT, "bench/ingestServer.ts"), mode], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_PATH: dbPath,
      SEGMENT_SHARED_SECRET: SECRET,
      SITE_DOMAINS: DATASET_SITE,
      // The service's default level: one access-log line per request, as in production (to /dev/null here).
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const next = () =>
    new Promise<ServerMessage>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${mode} server exited with ${code}`));
      child.once("exit", onExit);
      child.once("message", (m) => {
        child.off("exit", onExit);
        resolve(m as ServerMessage);
      });
    });
  const first = await next();
  if (first.kind !== "listening") throw new Error(`unexpected message from the ${mode} server`);
  return {
    url: `http://127.0.0.1:${first.port}`,
    async stats() {
      child.send("stats");
      const m = await next();
      return m.kind === "stats" ? m.stats : null;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send("exit");
      }),
  };
}

interface LoadResult {
  messagesPerSecond: number;
  requestsPerSecond: number;
  requests2xx: number;
  non2xx: number;
  errors: number;
  accepted: number;
  duplicates: number;
  latencyP50: number;
  latencyP99: number;
  seconds: number;
}

/** Rotates the pre-generated bodies across every connection (shared cursor). */
async function load(url: string, bodies: Body[], cursor: { next: number }, batch: number, seconds: number): Promise<LoadResult> {
  let accepted = 0;
  let duplicates = 0;
  const result = await autocannon({
    url: `${url}/webhooks/segment`,
    connections: CONNECTIONS,
    duration: seconds,
    method: "POST",
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
          const b = bodies[cursor.next++ % bodies.length]!;
          return { ...req, body: b.body, headers: { "content-type": "application/json", "x-signature": b.signature } };
        },
        onResponse: (status, body) => {
          if (status !== 200) return;
          const counts = JSON.parse(body) as { accepted?: number; duplicates?: number };
          accepted += counts.accepted ?? 0;
          duplicates += counts.duplicates ?? 0;
        },
      },
    ],
  });
  const ok = result["2xx"];
  return {
    messagesPerSecond: (ok * batch) / result.duration,
    requestsPerSecond: ok / result.duration,
    requests2xx: ok,
    non2xx: result.non2xx,
    errors: result.errors,
    accepted,
    duplicates,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    seconds: result.duration,
  };
}

async function measure(ctx: BenchContext, mode: "real" | "bare", bodies: Body[], batch: number, tag: string) {
  const server = await startServer(mode, join(ctx.tmp, `ingest-${tag}-${mode}.db`));
  try {
    const cursor = { next: 0 };
    await load(server.url, bodies, cursor, batch, WARMUP_SECONDS);
    const r = await load(server.url, bodies, cursor, batch, ctx.loadSeconds);
    const stats = await server.stats();
    ctx.progress(
      `ingest ${tag} ${mode}: ${Math.round(r.messagesPerSecond)} msg/s (${Math.round(r.requestsPerSecond)} req/s, p50 ${r.latencyP50} ms, p99 ${r.latencyP99} ms, non-2xx ${r.non2xx}, errors ${r.errors})`,
    );
    return { ...r, stored: stats?.messages ?? null, bodiesSent: cursor.next, bodiesAvailable: bodies.length };
  } finally {
    await server.stop();
  }
}

/**
 * The real server (signature on, temp SQLite, access log at the default level) under
 * autocannon, next to a bare Express 5 app that only parses the same bodies, both in a child
 * process: messages/s and the ratio, for 100-message batches and for 1-message requests.
 */
export async function benchIngest(ctx: BenchContext): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const cases = [
    { tag: "batch100", batch: 100, bodies: 5000, name: "ingest, 100-message batches", goal: "≥ 0.6× bare and ≥ 30,000 msg/s", minRate: 30_000 },
    { tag: "single", batch: 1, bodies: 60_000, name: "ingest, 1-message requests", goal: "≥ 0.6× bare", minRate: 0 },
  ];
  for (const c of cases) {
    ctx.progress(`ingest: generating ${c.bodies} signed bodies of ${c.batch} message(s)`);
    const bodies = signedBodies(c.bodies, c.batch, c.batch === 1 ? 21 : 20);
    const bare = await measure(ctx, "bare", bodies, c.batch, c.tag);
    const real = await measure(ctx, "real", bodies, c.batch, c.tag);
    if (real.non2xx > 0 || real.errors > 0) ctx.progress(`ingest ${c.tag}: WARNING ${real.non2xx} non-2xx answers, ${real.errors} errors`);
    const r = ratio(real.messagesPerSecond, bare.messagesPerSecond);
    lines.push({
      section: "ingest",
      name: c.name,
      figure: real.messagesPerSecond,
      unit: "msg/s",
      baselineName: "bare Express 5",
      baseline: bare.messagesPerSecond,
      baselineUnit: "msg/s",
      ratio: r,
      ratioMeaning: "of bare",
      goal: c.goal,
      met: r >= 0.6 && real.messagesPerSecond >= c.minRate,
      details: { connections: CONNECTIONS, seconds: ctx.loadSeconds, batch: c.batch, logLevel: process.env.BENCH_LOG_LEVEL ?? "info", real, bare },
    });
  }
  return lines;
}
