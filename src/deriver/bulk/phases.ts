/** Wall time per phase of a recompute, in ms (what the summary and the benchmark report). */
export class Phases {
  readonly ms: Record<string, number> = {};
  private last = performance.now();

  /** Ends the current phase under `name` (times add up when a name comes again). */
  lap(name: string): void {
    const now = performance.now();
    this.ms[name] = Math.round((this.ms[name] ?? 0) + now - this.last);
    this.last = now;
  }
}
