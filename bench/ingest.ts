import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { DATASET_SITE } from "../test/support/generateDataset.js";
import { signedBodies, type SignedBody } from "./ingestBodies.js";
import type { Stats } from "../src/store/index.js";
import type { ServerMessage, ServerMode } from "./ingestServer.js";
import { percentile, profileFlags, ratio, type BenchContext, type BenchLine } from "./types.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const SECRET = "bench-shared-secret";
export const CONNECTIONS = 10;
const WARMUP_SECONDS = 2;
/** The measured seconds of each server are cut into this many turns, taken in rotation. */
const ROUNDS = 3;
const MODES: readonly ServerMode[] = ["real", "durable", "parse"];

export interface ChildServer {
  url: string;
  /** The child's process id (for its CPU time in /proc). */
  pid: number;
  /** Freezes the process (SIGSTOP) while another server is measured, so its leftovers (checkpoints, GC) do not run then. */
  pause(): void;
  resume(): void;
  stored(): Promise<number | null>;
  /** What it stored and, for `real`, the service's counts (derivation lag included). */
  counts(): Promise<{ stored: number | null; stats: Stats | null }>;
  stop(): Promise<void>;
}

/** `env` is added to the child's environment (e.g. DATABASE_URL for the postgres section). */
export async function startServer(mode: ServerMode, dbPath: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [...profileFlags(`ingest-${mode}`), "--import", "tsx", join(ROOT, "bench/ingestServer.ts"), mode], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_PATH: dbPath,
      SEGMENT_SHARED_SECRET: SECRET,
      SITE_DOMAINS: DATASET_SITE,
      // The service's default level: one access-log line per request, as in production (to /dev/null here).
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      ...env,
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
  const signal = (s: NodeJS.Signals) => {
    if (child.exitCode === null && process.platform !== "win32") child.kill(s);
  };
  const counts = async () => {
    signal("SIGCONT");
    child.send("stats");
    const m = await next();
    return m.kind === "stats" ? { stored: m.stored, stats: m.stats } : { stored: null, stats: null };
  };
  return {
    url: `http://127.0.0.1:${first.port}`,
    pid: child.pid!,
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    counts,
    stored: async () => (await counts()).stored,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        signal("SIGCONT");
        child.once("exit", () => resolve());
        child.send("exit");
      }),
  };
}

export interface LoadResult {
  requests2xx: number;
  non2xx: number;
  errors: number;
  accepted: number;
  duplicates: number;
  latencyP50: number;
  latencyP99: number;
  seconds: number;
}

/** Rotates the pre-generated bodies across every connection (shared cursor: several loads at once may share one). */
export async function load(url: string, bodies: SignedBody[], cursor: { next: number }, seconds: number, connections = CONNECTIONS): Promise<LoadResult> {
  let accepted = 0;
  let duplicates = 0;
  const result = await autocannon({
    url: `${url}/webhooks/segment`,
    connections,
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
  return {
    requests2xx: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    accepted,
    duplicates,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    seconds: result.duration,
  };
}

interface Measured {
  /** Messages of 2xx answers per second, over every round. */
  messagesPerSecond: number;
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
  accepted: number;
  duplicates: number;
  /** The median of the rounds' p50 and the worst round's p99 (autocannon reports percentiles per run). */
  latencyP50: number;
  latencyP99: number;
  stored: number | null;
  bodiesSent: number;
  bodiesAvailable: number;
  rounds: LoadResult[];
}

function summarise(rounds: LoadResult[], batch: number, stored: number | null, bodiesSent: number, bodiesAvailable: number): Measured {
  const sum = (f: (r: LoadResult) => number) => rounds.reduce((s, r) => s + f(r), 0);
  const seconds = sum((r) => r.seconds);
  const ok = sum((r) => r.requests2xx);
  return {
    messagesPerSecond: (ok * batch) / seconds,
    requestsPerSecond: ok / seconds,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    accepted: sum((r) => r.accepted),
    duplicates: sum((r) => r.duplicates),
    latencyP50: percentile(rounds.map((r) => r.latencyP50).sort((a, b) => a - b), 50),
    latencyP99: Math.max(...rounds.map((r) => r.latencyP99)),
    stored,
    bodiesSent,
    bodiesAvailable,
    rounds,
  };
}

/**
 * Every server in its own child process, all started before the first load; then a warmup
 * each and ROUNDS turns each (real, durable, parse, real, ...), the idle ones frozen, so that
 * the machine's noise falls on all of them alike. Each server has its own database and its own
 * cursor over the same bodies.
 */
async function measureInTurns(ctx: BenchContext, bodies: SignedBody[], batch: number, tag: string): Promise<Record<ServerMode, Measured>> {
  const servers: Array<{ mode: ServerMode; server: ChildServer; cursor: { next: number }; rounds: LoadResult[] }> = [];
  try {
    for (const mode of MODES) {
      const server = await startServer(mode, join(ctx.tmp, `ingest-${tag}-${mode}.db`));
      server.pause();
      servers.push({ mode, server, cursor: { next: 0 }, rounds: [] });
    }
    const turn = async (s: (typeof servers)[number], seconds: number) => {
      s.server.resume();
      try {
        return await load(s.server.url, bodies, s.cursor, seconds);
      } finally {
        s.server.pause();
      }
    };
    for (const s of servers) await turn(s, WARMUP_SECONDS);
    const seconds = ctx.loadSeconds / ROUNDS;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const s of servers) {
        const r = await turn(s, seconds);
        s.rounds.push(r);
        ctx.progress(
          `ingest ${tag} round ${round}/${ROUNDS} ${s.mode}: ${Math.round((r.requests2xx * batch) / r.seconds)} msg/s (p50 ${r.latencyP50} ms, p99 ${r.latencyP99} ms, non-2xx ${r.non2xx}, errors ${r.errors})`,
        );
      }
    }
    const measured = {} as Record<ServerMode, Measured>;
    for (const s of servers) {
      measured[s.mode] = summarise(s.rounds, batch, await s.server.stored(), s.cursor.next, bodies.length);
      // Repeats cost `parse` the same; a server that stores answers them on its duplicate path.
      if (s.mode !== "parse" && s.cursor.next > bodies.length) {
        ctx.progress(`ingest ${tag} ${s.mode}: WARNING sent ${s.cursor.next} bodies of ${bodies.length}: the repeats measured its duplicate path`);
      }
    }
    return measured;
  } finally {
    for (const s of servers) await s.server.stop();
  }
}

/**
 * The real server (signature on, temp SQLite, access log at the default level) under
 * autocannon, in turns with two bare node:http baselines fed the same bodies (see
 * ingestBaselines.ts): `durable` stores every message raw in SQLite in one transaction per
 * request (what the disk allows), `parse` only parses. For 100-message batches of
 * time-ordered traffic and for 1-message requests.
 */
export async function benchIngest(ctx: BenchContext): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const cases = [
    { tag: "batch100", batch: 100, bodies: 5000, name: "ingest, 100-message batches", durableGoal: 0.5 },
    { tag: "single", batch: 1, bodies: 150_000, name: "ingest, 1-message requests", durableGoal: null },
  ];
  for (const c of cases) {
    ctx.progress(`ingest: generating ${c.bodies} signed bodies of ${c.batch} message(s), time-ordered`);
    const generated = signedBodies(c.bodies, c.batch, c.batch === 1 ? 21 : 20, SECRET);
    const { bodies } = generated;
    if (c.batch > 1) ctx.progress(`ingest ${c.tag}: a body holds ${generated.personsPerBody.toFixed(1)} persons over ${Math.round(generated.secondsPerBody)} s of traffic (mean)`);
    const m = await measureInTurns(ctx, bodies, c.batch, c.tag);
    const { real, durable, parse } = m;
    if (real.non2xx > 0 || real.errors > 0) ctx.progress(`ingest ${c.tag}: WARNING real: ${real.non2xx} non-2xx answers, ${real.errors} errors`);
    const toDurable = ratio(real.messagesPerSecond, durable.messagesPerSecond);
    const toParse = ratio(real.messagesPerSecond, parse.messagesPerSecond);
    ctx.progress(
      `ingest ${c.tag}: real ${Math.round(real.messagesPerSecond)} msg/s, durable ${Math.round(durable.messagesPerSecond)} msg/s, parse ${Math.round(parse.messagesPerSecond)} msg/s; real/durable ${toDurable.toFixed(2)}, real/parse ${toParse.toFixed(2)}`,
    );
    const details = {
      connections: CONNECTIONS,
      seconds: ctx.loadSeconds,
      rounds: ROUNDS,
      batch: c.batch,
      personsPerBody: generated.personsPerBody,
      secondsPerBody: generated.secondsPerBody,
      logLevel: process.env.BENCH_LOG_LEVEL ?? "info",
      ...m,
    };
    const line = (baseline: Measured, baselineName: string, r: number, ratioMeaning: string, goal: number | null): BenchLine => ({
      section: "ingest",
      name: c.name,
      figure: real.messagesPerSecond,
      unit: "msg/s",
      baselineName,
      baseline: baseline.messagesPerSecond,
      baselineUnit: "msg/s",
      ratio: r,
      ratioMeaning,
      goal: goal === null ? null : `≥ ${goal}× durable`,
      met: goal === null ? null : r >= goal,
      details,
    });
    lines.push(
      line(durable, "durable: node:http + raw SQLite insert", toDurable, "of durable", c.durableGoal),
      line(parse, "parse: node:http + JSON.parse", toParse, "of parse", null),
    );
  }
  return lines;
}
