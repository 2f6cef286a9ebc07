import { applyNextRaw, bootstrapChunk, derivePendingPersons, DEFAULT_UNIT, recompute as recomputeAll, recreditChunk, startRefit, type UnitLimits } from "../../src/deriver/index.js";
import { storeBatches, type IngestCounts } from "../../src/gateway/index.js";
import type { Pipeline } from "../../src/pipeline/context.js";
import { silentLog } from "./testApp.js";

/** Runs the deriver's steps in this test until everything committed is derived (and re-credited). */
export async function deriveAll(p: Pipeline, unit: UnitLimits = DEFAULT_UNIT): Promise<void> {
  // As the deriver loop does: rows and waiting persons take turns.
  for (;;) {
    const u = await applyNextRaw(p, silentLog, unit);
    const persons = await derivePendingPersons(p, silentLog, unit);
    if (u.messages + u.hits + persons === 0) break;
  }
  while (await recreditChunk(p, silentLog));
}

/** What a webhook request does (the gateway's write), then the deriver catching up. */
export async function ingest(p: Pipeline, items: readonly unknown[], unit?: UnitLimits): Promise<IngestCounts> {
  const [counts] = await storeBatches(p.store, [items], p.now());
  await deriveAll(p, unit);
  return counts!;
}

/** The scheduled Markov refit, run to its end: the model, every person re-credited, then the bootstrap. */
export async function refitMarkov(p: Pipeline): Promise<void> {
  const { bootstrap } = await startRefit(p);
  while (await recreditChunk(p, silentLog));
  if (bootstrap) while (!(await bootstrapChunk(p, silentLog, bootstrap)));
}

export const recompute = (p: Pipeline) => recomputeAll(p, silentLog);
