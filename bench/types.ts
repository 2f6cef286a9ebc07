/** One line of the benchmark table: our figure, the baseline measured in the same run, their ratio. */
export interface BenchLine {
  /** The section it belongs to (what `npm run bench -- <section>` selects). */
  section: string;
  name: string;
  figure: number;
  unit: string;
  /** What the baseline is, e.g. "bare Express 5". */
  baselineName: string | null;
  baseline: number | null;
  baselineUnit: string | null;
  /** figure / baseline (same unit); its meaning is in `ratioMeaning`. */
  ratio: number | null;
  ratioMeaning: string | null;
  goal: string | null;
  /** null when the line has no goal. */
  met: boolean | null;
  /** Everything else measured (counts, durations, parameters), for results.json. */
  details: Record<string, unknown>;
}

export interface BenchContext {
  /** 1 = the sizes the issue asks for (100k persons / 1M messages); smaller for a quick run. */
  scale: number;
  /** A temp directory for this run (removed at the end). */
  tmp: string;
  /** Seconds per autocannon run. */
  loadSeconds: number;
  /**
   * Time budget of a data-building step, in ms: the step stops early (and says so) when it is
   * spent, so the whole run stays near 10 minutes while the service is slower than its goals.
   * Infinite with --full.
   */
  budgetMs(seconds: number): number;
  /** Figures one section measured that a later one can use (e.g. to size its data). */
  measured: { bulkIngestMsgPerSec?: number };
  progress(message: string): void;
}

export type BenchSection = (ctx: BenchContext) => Promise<BenchLine[]>;

export const ratio = (figure: number, baseline: number): number => (baseline === 0 ? Number.NaN : figure / baseline);

/** Runs fn and returns its result with the wall time in milliseconds. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * With BENCH_CPU_PROF=DIR, child processes (servers, cli import) write V8 CPU profiles there
 * (`node --cpu-prof`); summarise them with `npx tsx bench/profileSummary.ts FILE.cpuprofile`.
 */
export function profileFlags(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  // One directory per run: every thread (tsx's loader runs in a worker) writes its own profile.
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}/${name}-${Date.now()}`] : [];
}
