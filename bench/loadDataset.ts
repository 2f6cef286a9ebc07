import type { Pipeline } from "../src/pipeline/context.js";
import { storeBatches } from "../src/gateway/index.js";
import { generatePersons, type DatasetOptions, type SegmentMessage } from "../test/support/generateDataset.js";

export interface Loaded {
  persons: number;
  messages: number;
  ms: number;
  /** False when the time budget ran out before every person was written. */
  complete: boolean;
}

/**
 * Writes a generated dataset raw through the gateway's write (storeBatches, chunks of whole
 * persons of about `chunk` messages), stopping early — at a person boundary — when `budgetMs`
 * is spent, so a slow build still finishes the benchmark in its time budget (the line then
 * says how much was loaded). Nothing is derived: the caller recomputes or runs the deriver.
 */
export async function loadDataset(
  pipeline: Pipeline,
  opts: DatasetOptions,
  { chunk = 5000, budgetMs = Number.POSITIVE_INFINITY, progress }: { chunk?: number; budgetMs?: number; progress?: (m: string) => void },
): Promise<Loaded> {
  const started = performance.now();
  let lastReport = started;
  let persons = 0;
  let messages = 0;
  let pending: SegmentMessage[] = [];
  let complete = true;
  const flush = async () => {
    await storeBatches(pipeline.store, [pending], pipeline.now());
    messages += pending.length;
    pending = [];
  };
  for (const person of generatePersons(opts)) {
    pending.push(...person.messages);
    persons++;
    if (pending.length < chunk) continue;
    await flush();
    const now = performance.now();
    if (now - lastReport > 20_000) {
      lastReport = now;
      progress?.(`${messages.toLocaleString("en-US")} messages of ${persons.toLocaleString("en-US")} persons written (${Math.round(messages / ((now - started) / 1000))} msg/s)`);
    }
    if (now - started > budgetMs && persons < opts.persons) {
      complete = false;
      break;
    }
  }
  if (pending.length > 0) await flush();
  return { persons, messages, ms: performance.now() - started, complete };
}
