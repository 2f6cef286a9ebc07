/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time per function and per source line,
 * and total (inclusive) time of the heaviest functions. Usage:
 *   npx tsx bench/profileSummary.ts FILE.cpuprofile [--top=N] [--filter=TEXT]
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: Array<{ line: number; ticks: number }>;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
if (!file) throw new Error("usage: profileSummary.ts FILE.cpuprofile [--top=N] [--filter=TEXT]");
const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 30);
const filter = args.find((a) => a.startsWith("--filter="))?.slice(9);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample: the delta to the next sample.
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const short = (url: string) => url.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "~/").replace(/^.*\/work\/main\//, "");
const key = (f: CallFrame) => `${f.functionName || "(anonymous)"}  ${short(f.url)}:${f.lineNumber + 1}`;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const lines = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  self.set(key(node.callFrame), (self.get(key(node.callFrame)) ?? 0) + us);
  // Per-line self time, split by the node's position ticks.
  const ticks = node.positionTicks ?? [];
  const tickSum = ticks.reduce((a, t) => a + t.ticks, 0);
  for (const t of ticks) {
    const k = `${short(node.callFrame.url)}:${t.line}  (${node.callFrame.functionName || "(anonymous)"})`;
    lines.set(k, (lines.get(k) ?? 0) + (us * t.ticks) / tickSum);
  }
  // Inclusive: every distinct function on the stack gets the sample once.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur)!.callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const show = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  const rows = [...m].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, us] of rows) process.stdout.write(`${pct(us)} ${ms(us)}  ${k}\n`);
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
show("self time by function", self);
show("total (inclusive) time by function", inclusive);
show("self time by source line", lines);
