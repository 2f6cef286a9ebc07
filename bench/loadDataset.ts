import type { Pipeline } from "../src/pipeline/context.js";
import { ingestBatch } from "../src/pipeline/ingestBatch.js";
import { pino } from "pino";
import { generatePersons, type DatasetOptions, type SegmentMessage } from "../test/support/generateDataset.js";

const silent = pino({ level: "silent" });

export interface Loaded {
  persons: number;
  messages: number;
  ms: number;
  /** False when the time budget ran out before every person was written. */
  complete: boolean;
}

/**
 * Writes a generated dataset through the ingest path (ingestBatch, chunks of whole persons of
 * about `chunk` messages), stopping early — at a person boundary — when `budgetMs` is spent, so
 * a slow build still finishes the benchmark in its time budget (the line then says how much
 * was loaded).
 */
export function loadDataset(
  pipeline: Pipeline,
  opts: DatasetOptions,
  { chunk = 5000, budgetMs = Number.POSITIVE_INFINITY, progress }: { chunk?: number; budgetMs?: number; progress?: (m: string) => void },
): Loaded {
  const started = performance.now();
  let lastReport = started;
  let persons = 0;
  let messages = 0;
  let pending: SegmentMessage[] = [];
  let complete = true;
  const flush = () => {
    ingestBatch(pipeline, pending, silent);
    messages += pending.length;
    pending = [];
  };
  for (const person of generatePersons(opts)) {
    pending.push(...person.messages);
    persons++;
    if (pending.length < chunk) continue;
    flush();
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
  if (pending.length > 0) flush();
  return { persons, messages, ms: performance.now() - started, complete };
}
