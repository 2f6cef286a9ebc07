/**
 * `npm run bench -- postgres`: signed 100-message batches into PostgreSQL, three ways, in
 * turns (one, two, durable, one, ...; the idle ones frozen with SIGSTOP, as bench/ingest.ts
 * does) so that the machine's noise falls on all alike:
 *
 * - one: the real service (gateway + deriver thread), one instance on DATABASE_URL;
 * - two: two instances of the real service on one schema, the load split across them: two
 *   autocannon runs at once, one per instance, each with half the connections. The total
 *   concurrency stays that of `one` (a load balancer in front of the same clients), so the
 *   ratio says what the second instance adds, not what more connections add;
 * - durable: the bare node:http baseline that inserts each batch raw in ONE statement
 *   (ingestBaselines.ts, `durable-pg`).
 *
 * Each way has its own fresh schema (bench_<random>_<way>), dropped at the end. During every
 * measured turn the CPU time of each process (and of the service's threads) is read from /proc
 * and the service's PostgreSQL sessions are sampled in pg_stat_activity, so that when two
 * instances do not beat one the line says where the cores went. Skipped, with a line saying
 * so, when PostgreSQL does not answer at BENCH_DATABASE_URL.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Stats } from "../src/store/index.js";
import { CONNECTIONS, SECRET, load, startServer, type ChildServer, type LoadResult } from "./ingest.js";
import { signedBodies, type SignedBody } from "./ingestBodies.js";
import type { ServerMode } from "./ingestServer.js";
import { pauseQuiet, pgRoles, redact, sampleWaits, sessionsText, urlFor, type WaitSamples } from "./pgSessions.js";
import { addCpu, cores, coresText, cpuBetween, f2, snapshot, type CpuCores, type CpuSeconds } from "./turnCpu.js";
import { percentile, ratio, type BenchContext, type BenchLine } from "./types.js";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";
const BATCH = 100;
/** Distinct bodies per second of load: enough for the durable baseline at 40,000 msg/s before any repeats. */
const BODIES_PER_SECOND = 400;
const WARMUP_SECONDS = 2;
const ROUNDS = 3;
const CONTROL_APP = "bench_pg_control";

type WayName = "one" | "two" | "durable";

interface Instance {
  /** Its sessions' application_name (set in its DATABASE_URL): tells its backends apart. */
  app: string;
  server: ChildServer;
}

interface Turn {
  loads: LoadResult[];
  requests2xx: number;
  seconds: number;
  cpu: CpuSeconds;
  waits: WaitSamples;
}

interface Way {
  name: WayName;
  label: string;
  schema: string;
  instances: Instance[];
  /** Shared by the instances of a way: every body goes to the database once (until they run out). */
  cursor: { next: number };
  turns: Turn[];
  /** 2xx answers' accepted counts, warmup included: the database must hold at least these. */
  acceptedAll: number;
}

async function turn(way: Way, bodies: SignedBody[], seconds: number, client: pg.Client): Promise<Turn> {
  const apps = way.instances.map((i) => i.app);
  const pids = way.instances.map((i) => i.server.pid);
  for (const i of way.instances) i.server.resume();
  const before = snapshot(pids);
  const sampler = sampleWaits(client, apps);
  const connections = Math.max(1, Math.round(CONNECTIONS / way.instances.length));
  const loads = await Promise.all(way.instances.map((i) => load(i.server.url, bodies, way.cursor, seconds, connections)));
  const after = snapshot(pids);
  const waits = await sampler.stop();
  const cpu = cpuBetween(before, after, await pgRoles(client, apps));
  await pauseQuiet(way.instances.map((i) => i.server), apps, client);
  way.acceptedAll += loads.reduce((s, l) => s + l.accepted, 0);
  return { loads, requests2xx: loads.reduce((s, l) => s + l.requests2xx, 0), seconds: Math.max(...loads.map((l) => l.seconds)), cpu, waits };
}

interface Summary {
  messagesPerSecond: number;
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
  accepted: number;
  duplicates: number;
  latencyP50: number;
  latencyP99: number;
  /** Cores used, over all measured turns. */
  cores: CpuCores;
  /** CPU milliseconds per 1000 messages answered 2xx: the servers (all threads) and PostgreSQL's backends of them. */
  serverMsPer1000: number;
  pgMsPer1000: number | null;
  /** Mean number of the way's PostgreSQL sessions at a sample, by what they were doing. */
  sessions: Record<string, number>;
  stored: number | null;
  acceptedAll: number;
  derivationLag: number | null;
  bodiesSent: number;
  rounds: Array<{ messagesPerSecond: number; perInstance: LoadResult[]; cores: CpuCores }>;
}

async function summarise(way: Way): Promise<Summary> {
  const all = way.turns.flatMap((t) => t.loads);
  const seconds = way.turns.reduce((s, t) => s + t.seconds, 0);
  const ok = way.turns.reduce((s, t) => s + t.requests2xx, 0);
  const cpu = way.turns.map((t) => t.cpu).reduce(addCpu);
  const samples = way.turns.reduce((s, t) => s + t.waits.samples, 0);
  const sessions: Record<string, number> = {};
  for (const t of way.turns) for (const [k, n] of Object.entries(t.waits.by)) sessions[k] = (sessions[k] ?? 0) + n / samples;
  const counts: Array<{ stored: number | null; stats: Stats | null }> = [];
  for (const i of way.instances) counts.push(await i.server.counts());
  const lag = counts.map((c) => (c.stats as (Stats & { derivation_lag?: number }) | null)?.derivation_lag).filter((n): n is number => typeof n === "number");
  const messages = ok * BATCH;
  return {
    messagesPerSecond: messages / seconds,
    requestsPerSecond: ok / seconds,
    non2xx: all.reduce((s, l) => s + l.non2xx, 0),
    errors: all.reduce((s, l) => s + l.errors, 0),
    accepted: all.reduce((s, l) => s + l.accepted, 0),
    duplicates: all.reduce((s, l) => s + l.duplicates, 0),
    latencyP50: percentile(all.map((l) => l.latencyP50).sort((a, b) => a - b), 50),
    latencyP99: Math.max(...all.map((l) => l.latencyP99)),
    cores: cores(cpu),
    serverMsPer1000: ((cpu.serverMain + cpu.deriver + cpu.serverOther) * 1000) / (messages / 1000),
    pgMsPer1000: cpu.pgServers === null ? null : (cpu.pgServers * 1000) / (messages / 1000),
    sessions,
    // Every instance of a way sees the same database.
    stored: counts[0]?.stored ?? null,
    acceptedAll: way.acceptedAll,
    derivationLag: lag.length > 0 ? Math.max(...lag) : null,
    bodiesSent: way.cursor.next,
    rounds: way.turns.map((t) => ({ messagesPerSecond: (t.requests2xx * BATCH) / t.seconds, perInstance: t.loads, cores: cores(t.cpu) })),
  };
}

/** Where the cores went with one and two instances, and so why two accept no more (or little more) than one. */
function analysis(one: Summary, two: Summary, machineCores: number): string {
  const c1 = one.cores;
  const c2 = two.cores;
  const parts = [
    `Two instances ${Math.round(two.messagesPerSecond)} msg/s, one ${Math.round(one.messagesPerSecond)} msg/s.`,
    `The machine was busy ${f2(c2.machineBusy)} of ${machineCores} cores in the two-instance turns (${f2(c1.machineBusy)} with one).`,
    `Where the cores went with two instances: ${coresText(c2)}; with one: ${coresText(c1)}.`,
    `CPU per 1000 messages: the service ${two.serverMsPer1000.toFixed(0)} ms with two instances, ${one.serverMsPer1000.toFixed(0)} ms with one; its PostgreSQL backends ${f2(two.pgMsPer1000)} ms and ${f2(one.pgMsPer1000)} ms.`,
    `The service's PostgreSQL sessions, mean at a sample: with two instances ${sessionsText(two.sessions)}; with one ${sessionsText(one.sessions)}.`,
  ];
  const saturated = c2.machineBusy !== null && c2.machineBusy >= 0.9 * machineCores;
  if (saturated) {
    parts.push(
      `The cores are saturated: a second instance on the same ${machineCores} cores brings no CPU of its own, only a second gateway, ` +
        `a second deriver and more PostgreSQL sessions sharing them with the load generator and PostgreSQL: what one instance already used is only split, ` +
        `and the CPU per message ${two.serverMsPer1000 > one.serverMsPer1000 * 1.05 ? "grows (two event loops, two derivers claiming the same persons, lock waits)" : "stays the same"}.`,
    );
  }
  if ((c2.rest ?? 0) >= 0.25 || (c1.rest ?? 0) >= 0.25) {
    parts.push(
      `Other work on this shared machine took ${f2(c2.rest)} cores during the two-instance turns and ${f2(c1.rest)} during the one-instance turns, ` +
        `so the service had less than the machine's cores and the turns differ by what the others ran at the time.`,
    );
  }
  const advisory = two.sessions["Lock:advisory"] ?? 0;
  if (advisory >= 0.5) {
    const idle = two.sessions["in transaction, waiting for the instance"] ?? 0;
    parts.push(
      `Raw inserts of both instances serialise on the one raw-insert advisory lock (src/store/postgres/rawQueries.ts): ${advisory.toFixed(2)} sessions waited on it at a mean sample, ` +
        `while ${idle.toFixed(2)} sat idle in a transaction waiting for their instance's next statement; the lock is held from a group's first insert to its commit, so an instance short of CPU holds it the longer.`,
    );
  }
  const lockWaits = Object.entries(two.sessions).filter(([k]) => k.startsWith("Lock:") && k !== "Lock:advisory").reduce((s, [, n]) => s + n, 0);
  if (lockWaits >= 0.5) parts.push(`${lockWaits.toFixed(2)} sessions waited on row or transaction locks at a mean sample (the two derivers take turns applying raw rows).`);
  return parts.join(" ");
}

/** Whether the gain is larger than the turns of one way differ among themselves. */
function marginNote(one: Summary, two: Summary): string {
  const spread = (s: Summary) => {
    const r = s.rounds.map((x) => x.messagesPerSecond);
    return (Math.max(...r) - Math.min(...r)) / s.messagesPerSecond;
  };
  const gain = two.messagesPerSecond / one.messagesPerSecond - 1;
  const noise = Math.max(spread(one), spread(two));
  return `two instances ${(gain * 100).toFixed(0)} % above one; the rounds of one way differ by up to ${(noise * 100).toFixed(0)} %${gain < noise ? ": within the noise" : ""}`;
}

function skipped(url: string, error: string): BenchLine[] {
  return [
    {
      section: "postgres",
      name: "postgres: SKIPPED, PostgreSQL not reachable",
      figure: Number.NaN,
      unit: "msg/s",
      baselineName: null,
      baseline: null,
      baselineUnit: null,
      ratio: null,
      ratioMeaning: null,
      goal: "two instances > one",
      met: null,
      details: { skipped: true, url: redact(url), error, hint: "set BENCH_DATABASE_URL to a PostgreSQL the bench may create and drop schemas in" },
    },
  ];
}

export async function benchPostgres(ctx: BenchContext): Promise<BenchLine[]> {
  const base = process.env.BENCH_DATABASE_URL ?? DEFAULT_URL;
  const client = new pg.Client({ connectionString: urlFor(base, "public", CONTROL_APP), connectionTimeoutMillis: 3000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    ctx.progress(`postgres: SKIPPED: PostgreSQL is not reachable at ${redact(base)} (${error}); set BENCH_DATABASE_URL to run this section`);
    await client.end().catch(() => undefined);
    return skipped(base, error);
  }

  const tag = randomBytes(4).toString("hex");
  const ways: Way[] = [];
  const schemas: string[] = [];
  try {
    const count = Math.max(1000, Math.ceil((ctx.loadSeconds + WARMUP_SECONDS) * BODIES_PER_SECOND));
    ctx.progress(`postgres: ${redact(base)}; generating ${count} signed bodies of ${BATCH} messages, time-ordered`);
    const { bodies, personsPerBody } = signedBodies(count, BATCH, 20, SECRET);
    const start = async (name: WayName, label: string, mode: ServerMode, count: number) => {
      const schema = `bench_${tag}_${name}`;
      await client.query(`CREATE SCHEMA ${schema}`);
      schemas.push(schema);
      const way: Way = { name, label, schema, instances: [], cursor: { next: 0 }, turns: [], acceptedAll: 0 };
      ways.push(way);
      for (let k = 0; k < count; k++) {
        const app = `bench_pg_${tag}_${name}_${k}`;
        const server = await startServer(mode, join(ctx.tmp, `postgres-${name}-${k}.db`), { DATABASE_URL: urlFor(base, schema, app) });
        way.instances.push({ app, server });
      }
      await pauseQuiet(way.instances.map((i) => i.server), way.instances.map((i) => i.app), client);
    };
    await start("one", "1 instance", "real", 1);
    await start("two", "2 instances", "real", 2);
    await start("durable", "durable-pg", "durable-pg", 1);

    for (const way of ways) await turn(way, bodies, WARMUP_SECONDS, client);
    const seconds = ctx.loadSeconds / ROUNDS;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const way of ways) {
        const t = await turn(way, bodies, seconds, client);
        way.turns.push(t);
        const c = cores(t.cpu);
        const p99 = Math.max(...t.loads.map((l) => l.latencyP99));
        const bad = t.loads.reduce((s, l) => s + l.non2xx + l.errors, 0);
        ctx.progress(
          `postgres round ${round}/${ROUNDS} ${way.label}: ${Math.round((t.requests2xx * BATCH) / t.seconds)} msg/s (p99 ${p99} ms, non-2xx + errors ${bad}); ` +
            `cores busy ${f2(c.machineBusy)}: load generator ${f2(c.loadGenerator)}, gateway ${f2(c.serverMain)}, deriver ${f2(c.deriver)}, other server threads ${f2(c.serverOther)}, PostgreSQL ${f2(c.pgServers)} (+ ${f2(c.pgBackground)} background, ${f2(c.pgOther)} others), rest of the machine ${f2(c.rest)}`,
        );
      }
    }

    const [one, two, durable] = await Promise.all(ways.map(summarise)) as [Summary, Summary, Summary];
    for (const [way, s] of [[ways[0]!, one], [ways[1]!, two], [ways[2]!, durable]] as const) {
      if (s.non2xx > 0 || s.errors > 0) ctx.progress(`postgres ${way.label}: WARNING ${s.non2xx} non-2xx answers, ${s.errors} errors`);
      if (s.stored !== null && s.stored < s.acceptedAll) ctx.progress(`postgres ${way.label}: WARNING ${s.acceptedAll} messages acknowledged, ${s.stored} stored`);
      if (s.bodiesSent > bodies.length) ctx.progress(`postgres ${way.label}: WARNING sent ${s.bodiesSent} bodies of ${bodies.length}: the repeats measured the duplicate path`);
    }
    const oneToDurable = ratio(one.messagesPerSecond, durable.messagesPerSecond);
    const twoToOne = ratio(two.messagesPerSecond, one.messagesPerSecond);
    const met = twoToOne > 1;
    const machineCores = availableParallelism();
    ctx.progress(
      `postgres: 1 instance ${Math.round(one.messagesPerSecond)} msg/s, 2 instances ${Math.round(two.messagesPerSecond)} msg/s, durable-pg ${Math.round(durable.messagesPerSecond)} msg/s; ` +
        `one/durable ${oneToDurable.toFixed(2)}, two/one ${twoToOne.toFixed(2)}`,
    );
    const details = {
      connections: CONNECTIONS,
      connectionsPerInstanceWithTwo: Math.round(CONNECTIONS / 2),
      seconds: ctx.loadSeconds,
      rounds: ROUNDS,
      batch: BATCH,
      personsPerBody,
      database: redact(base),
      oneInstance: one,
      twoInstances: two,
      durable,
    };
    const common = { section: "postgres", unit: "msg/s", baselineUnit: "msg/s" };
    return [
      {
        ...common,
        name: "postgres, 1 instance, 100-message batches",
        figure: one.messagesPerSecond,
        baselineName: "durable-pg: node:http + one INSERT ... unnest per batch",
        baseline: durable.messagesPerSecond,
        ratio: oneToDurable,
        ratioMeaning: "of durable-pg",
        goal: null,
        met: null,
        details,
      },
      {
        ...common,
        name: "postgres, 2 instances on one database",
        figure: two.messagesPerSecond,
        baselineName: "1 instance",
        baseline: one.messagesPerSecond,
        ratio: twoToOne,
        ratioMeaning: "of 1 instance",
        goal: "two instances > one",
        met,
        details: {
          ...details,
          ...(met ? {} : { why: analysis(one, two, machineCores) }),
          ...(met ? { analysis: analysis(one, two, machineCores), margin: marginNote(one, two) } : {}),
          cpu: { twoInstances: coresText(two.cores), oneInstance: coresText(one.cores), durable: coresText(durable.cores) },
        },
      },
    ];
  } finally {
    for (const way of ways) for (const i of way.instances) await i.server.stop();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((err: unknown) => ctx.progress(`postgres: could not drop schema ${schema}: ${String(err)}`));
    await client.end().catch(() => undefined);
  }
}
