/**
 * Where the cores went during one bench turn: two snapshots of /proc (procCpu.ts) around the
 * load, split into the load generator (this process), the servers' threads (main = gateway,
 * niced = deriver, the rest), PostgreSQL's processes (by who they serve) and the rest of the
 * machine (other sessions' work on a shared machine), with the processes that used most of it.
 */
import { commandLine, machineCpu, processTable, threadsOf, type MachineCpu, type ProcessCpu, type ThreadCpu } from "./procCpu.js";

/** What a PostgreSQL pid is to the turn: a session of the measured servers, a background process, or someone else's session. */
export type PgRole = "server" | "background" | "other";

/** Cores (CPU seconds per wall second) used during the measured turns. */
export interface CpuCores {
  machineBusy: number | null;
  /** The bench process: autocannon (and this sampler). */
  loadGenerator: number | null;
  /** Main threads of the servers: the gateway (HTTP, verify, validate, store raw). */
  serverMain: number;
  /** The service's deriver worker threads (they run niced). */
  deriver: number;
  /** Every other thread of the servers: GC helpers, libuv pool, the tsx loader. */
  serverOther: number;
  /** PostgreSQL backends of these servers (gateway and deriver connections). */
  pgServers: number | null;
  /** WAL writer, checkpointer, background writer, autovacuum, postmaster. */
  pgBackground: number | null;
  /** PostgreSQL sessions of others on this machine (not this bench), and this bench's control session. */
  pgOther: number | null;
  /** Machine busy time not in any of the above: other processes (other sessions' tests, ...), kernel work. */
  rest: number | null;
  /** The processes that used most of `rest`. */
  restTop: Array<{ command: string; cores: number }>;
}

export interface CpuSeconds extends Omit<CpuCores, "restTop"> {
  wall: number;
  restTop: Array<{ command: string; seconds: number }>;
}

export interface Snapshot {
  at: number;
  machine: MachineCpu | null;
  processes: Map<number, ProcessCpu>;
  /** The threads of each server process. */
  threads: Map<number, Map<number, ThreadCpu>>;
}

export function snapshot(pids: readonly number[]): Snapshot {
  return { at: performance.now(), machine: machineCpu(), processes: processTable(), threads: new Map(pids.map((p) => [p, threadsOf(p)])) };
}

export function cpuBetween(a: Snapshot, b: Snapshot, roles: Map<number, PgRole>): CpuSeconds {
  const wall = (b.at - a.at) / 1000;
  // A thread or process started during the turn: all of its time is the turn's.
  const used = (after: number, before: number | undefined) => after - (before ?? 0);
  let serverMain = 0;
  let deriver = 0;
  let serverOther = 0;
  for (const [pid, after] of b.threads) {
    const before = a.threads.get(pid);
    for (const [tid, t] of after) {
      const d = used(t.cpu, before?.get(tid)?.cpu);
      if (tid === pid) serverMain += d;
      else if (t.nice > 0) deriver += d;
      else serverOther += d;
    }
  }
  let pgSeen = false;
  let pgServers = 0;
  let pgBackground = 0;
  let pgOther = 0;
  let loadGenerator: number | null = null;
  const elsewhere: Array<{ pid: number; comm: string; seconds: number }> = [];
  for (const [pid, p] of b.processes) {
    const d = used(p.cpu, a.processes.get(pid)?.cpu);
    if (pid === process.pid) loadGenerator = d;
    else if (b.threads.has(pid)) continue;
    else if (p.comm === "postgres") {
      pgSeen = true;
      // The postmaster is not in pg_stat_activity: background.
      const role = roles.get(pid) ?? "background";
      if (role === "server") pgServers += d;
      else if (role === "background") pgBackground += d;
      else pgOther += d;
    } else if (d > 0) elsewhere.push({ pid, comm: p.comm, seconds: d });
  }
  const machineBusy = a.machine && b.machine ? b.machine.busy - a.machine.busy : null;
  const named = (loadGenerator ?? 0) + serverMain + deriver + serverOther + pgServers + pgBackground + pgOther;
  return {
    wall,
    machineBusy,
    loadGenerator,
    serverMain,
    deriver,
    serverOther,
    pgServers: pgSeen ? pgServers : null,
    pgBackground: pgSeen ? pgBackground : null,
    pgOther: pgSeen ? pgOther : null,
    rest: machineBusy === null ? null : Math.max(0, machineBusy - named),
    restTop: elsewhere
      .sort((x, y) => y.seconds - x.seconds)
      .slice(0, 3)
      .map((e) => ({ command: commandLine(e.pid, e.comm), seconds: e.seconds })),
  };
}

export function cores(c: CpuSeconds): CpuCores {
  const per = (n: number | null) => (n === null ? null : n / c.wall);
  return {
    machineBusy: per(c.machineBusy),
    loadGenerator: per(c.loadGenerator),
    serverMain: c.serverMain / c.wall,
    deriver: c.deriver / c.wall,
    serverOther: c.serverOther / c.wall,
    pgServers: per(c.pgServers),
    pgBackground: per(c.pgBackground),
    pgOther: per(c.pgOther),
    rest: per(c.rest),
    restTop: c.restTop.map((t) => ({ command: t.command, cores: t.seconds / c.wall })),
  };
}

export function addCpu(a: CpuSeconds, b: CpuSeconds): CpuSeconds {
  const plus = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y);
  return {
    wall: a.wall + b.wall,
    machineBusy: plus(a.machineBusy, b.machineBusy),
    loadGenerator: plus(a.loadGenerator, b.loadGenerator),
    serverMain: a.serverMain + b.serverMain,
    deriver: a.deriver + b.deriver,
    serverOther: a.serverOther + b.serverOther,
    pgServers: plus(a.pgServers, b.pgServers),
    pgBackground: plus(a.pgBackground, b.pgBackground),
    pgOther: plus(a.pgOther, b.pgOther),
    rest: plus(a.rest, b.rest),
    restTop: mergeTop(a.restTop, b.restTop),
  };
}

function mergeTop(a: CpuSeconds["restTop"], b: CpuSeconds["restTop"]): CpuSeconds["restTop"] {
  const by = new Map<string, number>();
  for (const t of [...a, ...b]) by.set(t.command, (by.get(t.command) ?? 0) + t.seconds);
  return [...by]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([command, seconds]) => ({ command, seconds }));
}

export const f2 = (n: number | null) => (n === null ? "?" : n.toFixed(2));

export function coresText(c: CpuCores): string {
  return (
    `load generator ${f2(c.loadGenerator)}, gateway threads ${f2(c.serverMain)}, deriver threads ${f2(c.deriver)}, ` +
    `other server threads ${f2(c.serverOther)}, PostgreSQL backends of the service ${f2(c.pgServers)}, ` +
    `PostgreSQL background ${f2(c.pgBackground)}, other PostgreSQL sessions ${f2(c.pgOther)}, the rest of the machine ${f2(c.rest)}` +
    (c.restTop.length === 0 ? "" : ` (most: ${c.restTop.map((t) => `${t.command} ${t.cores.toFixed(2)}`).join("; ")})`)
  );
}
