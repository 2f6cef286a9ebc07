import type { Logger } from "pino";
import type { Pipeline } from "./context.js";
import { ingestBatches, type IngestCounts } from "./ingestBatch.js";

/** Messages per group transaction: enough to amortise the commit, few enough to keep latency low. */
export const GROUP_MESSAGES = 5000;

interface Waiting {
  items: readonly unknown[];
  resolve: (counts: IngestCounts) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for the webhook: batches submitted while the event loop is busy (concurrent
 * requests) are written in one transaction on the next turn of the loop, and each request is
 * answered with its own counts once that transaction has committed. A failed transaction
 * fails every request in it (they get a 5xx and Segment retries).
 */
export function createGroupCommitter(p: Pipeline, log: Logger) {
  let waiting: Waiting[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    let size = 0;
    let n = 0;
    while (n < waiting.length && (n === 0 || size + waiting[n]!.items.length <= GROUP_MESSAGES)) size += waiting[n++]!.items.length;
    const group = waiting.slice(0, n);
    waiting = waiting.slice(n);
    if (waiting.length > 0) schedule();
    try {
      const counts = ingestBatches(p, group.map((g) => g.items), log);
      group.forEach((g, i) => g.resolve(counts[i]!));
    } catch (err) {
      for (const g of group) g.reject(err);
    }
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  return {
    submit(items: readonly unknown[]): Promise<IngestCounts> {
      return new Promise((resolve, reject) => {
        waiting.push({ items, resolve, reject });
        schedule();
      });
    },
  };
}
