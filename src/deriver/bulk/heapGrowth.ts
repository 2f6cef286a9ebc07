import { setFlagsFromString } from "node:v8";

/**
 * V8 lets the old generation grow to several times the live data before collecting it (a
 * throughput heuristic); a bulk recompute holds ~80 bytes of live state per message and
 * promotes a steady stream of short-lived objects (person traits above all), so its heap, and
 * with it the process's resident size, would end up at 3–4× what it needs. For the duration of
 * the recompute the old generation may grow by `percent` % between full collections, which
 * keeps the heap near its live size at the cost of a few more (mostly concurrent) collections.
 * V8 reads this flag each time it sets the next limit; 0 is its default (the heuristic).
 * Returns the function that puts the default back.
 */
export function boundHeapGrowth(percent = 10): () => void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return () => setFlagsFromString("--heap-growing-percent=0");
}
