import type { Logger } from "pino";
import { StoreBusyError, StoreUnavailableError, type Store } from "../store/index.js";
import { storeBatches, type IngestCounts } from "./storeBatch.js";

/** Messages per group transaction: enough to amortise the commit, few enough to keep latency low. */
export const GROUP_MESSAGES = 5000;

interface Waiting {
  items: readonly unknown[];
  resolve: (counts: IngestCounts) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  now: () => number;
  /** Called after every commit that stored something (wakes the deriver). */
  onCommit?: () => void;
}

/**
 * Group commit for the webhook: batches submitted while a commit is in flight (concurrent
 * requests) are written together in the next transaction, and each request is answered with
 * its own counts once that transaction has committed. Should a group transaction fail, its
 * requests are retried one by one, so that one request cannot fail the others.
 */
export function createGroupCommitter(store: Store, log: Logger, opts: GroupCommitOptions) {
  let waiting: Waiting[] = [];
  let running = false;

  const commit = async (group: Waiting[]) => {
    try {
      const counts = await storeBatches(store, group.map((g) => g.items), opts.now());
      group.forEach((g, i) => g.resolve(counts[i]!));
    } catch (err) {
      // The store cannot write now: one by one would not help; every request gets its 503.
      if (group.length === 1 || err instanceof StoreBusyError || err instanceof StoreUnavailableError) {
        for (const g of group) g.reject(err);
        return;
      }
      log.warn({ err, requests: group.length }, "group commit failed; committing its requests one by one");
      for (const g of group) await commit([g]);
    }
    opts.onCommit?.();
  };

  const drain = async () => {
    running = true;
    try {
      while (waiting.length > 0) {
        let size = 0;
        let n = 0;
        while (n < waiting.length && (n === 0 || size + waiting[n]!.items.length <= GROUP_MESSAGES)) size += waiting[n++]!.items.length;
        const group = waiting.slice(0, n);
        waiting = waiting.slice(n);
        await commit(group);
      }
    } finally {
      running = false;
    }
  };

  return {
    submit(items: readonly unknown[]): Promise<IngestCounts> {
      return new Promise((resolve, reject) => {
        waiting.push({ items, resolve, reject });
        // Start on the next turn of the event loop so that requests parsed meanwhile join the group.
        if (!running) {
          running = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
