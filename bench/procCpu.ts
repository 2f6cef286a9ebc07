/**
 * CPU time from /proc (Linux), to say where the cores went during a bench round: the whole
 * machine (/proc/stat), one process (/proc/<pid>/stat utime + stime, every thread, live or
 * exited), a process's threads (/proc/<pid>/task/<tid>/stat, with their nice value: the
 * service's deriver thread lowers its own, see src/deriver/threadPriority.ts), and every
 * process of the machine (PostgreSQL's have comm "postgres"). Elsewhere every reader returns
 * null or nothing, and the bench says the split was not measured.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of utime/stime (sysconf(_SC_CLK_TCK); 100 on every Linux we run). */
export const TICKS_PER_SECOND = (() => {
  try {
    const n = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  comm: string;
  /** utime + stime, in seconds. */
  cpu: number;
  nice: number;
}

/** Fields of a /proc stat line after "pid (comm)": the comm may hold spaces and parentheses. */
function parseStat(text: string): ProcStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const rest = text.slice(close + 2).split(" ");
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  const nice = Number(rest[19 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { comm: text.slice(open + 1, close), cpu: (utime + stime) / TICKS_PER_SECOND, nice };
}

function readStat(path: string): ProcStat | null {
  try {
    return parseStat(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

export interface ThreadCpu {
  cpu: number;
  nice: number;
}

/** The live threads of a process by tid (empty when it is gone). */
export function threadsOf(pid: number): Map<number, ThreadCpu> {
  const out = new Map<number, ThreadCpu>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const s = readStat(`/proc/${pid}/task/${tid}/stat`);
    if (s) out.set(Number(tid), { cpu: s.cpu, nice: s.nice });
  }
  return out;
}

export interface ProcessCpu {
  comm: string;
  cpu: number;
}

/** Every process of the machine (that /proc shows us) by pid. */
export function processTable(): Map<number, ProcessCpu> {
  const out = new Map<number, ProcessCpu>();
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const p of pids) {
    const s = readStat(`/proc/${p}/stat`);
    if (s) out.set(Number(p), { comm: s.comm, cpu: s.cpu });
  }
  return out;
}

/** A process's command line, cut to `max` characters (its comm in brackets when unreadable, as ps does). */
export function commandLine(pid: number, comm: string, max = 100): string {
  try {
    const line = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return line === "" ? `[${comm}]` : line.length > max ? `${line.slice(0, max - 1)}…` : line;
  } catch {
    return `[${comm}]`;
  }
}

export interface MachineCpu {
  /** Seconds of all cores: busy (user, nice, system, irq, softirq, steal) and idle (idle, iowait). */
  busy: number;
  idle: number;
}

export function machineCpu(): MachineCpu | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const [, user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const t = (n: number | undefined) => (n ?? 0) / TICKS_PER_SECOND;
    return { busy: t(user) + t(nice) + t(system) + t(irq) + t(softirq) + t(steal), idle: t(idle) + t(iowait) };
  } catch {
    return null;
  }
}
