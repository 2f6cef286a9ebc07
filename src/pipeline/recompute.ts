import type { Logger } from "pino";
import { DirtyPersons, currentRemovalEffects, type Pipeline } from "./context.js";
import { derivePerson } from "./derivePerson.js";
import { refreshMarkovModel } from "./refreshMarkov.js";
import { replayCrmHits } from "./applyCrmHit.js";
import { replayDevices } from "./replayDevices.js";

export interface RecomputeSummary {
  messages: number;
  hits: number;
  persons: number;
  markovPaths: number;
  markovSolveMs: number;
}

/**
 * Rebuilds everything derived from the raw messages and CRM hits, in one transaction (readers
 * see the old data until it commits). Messages are replayed device by device through the same
 * steps as live ingest (identity links are order-free, visits are per device), so the result
 * equals incremental processing. Touchpoints found again
 * are not new: no "Visitor Source Identified" is queued; traits that differ from what Segment
 * last got are.
 */
export function recompute(p: Pipeline, log: Logger): RecomputeSummary {
  return p.store.transaction(() => {
    p.store.admin.resetDerived();
    const dirty = new DirtyPersons();
    const messages = replayDevices(p, dirty);
    const hits = replayCrmHits(p);
    const markov = refreshMarkovModel(p);
    derivePersons(p, p.store.derived.allPersonIds(), log);
    return { messages, hits, persons: dirty.size, markovPaths: markov.paths, markovSolveMs: markov.solveMs };
  });
}

/** Re-derives the given persons with the current Markov model (no new touchpoints to report). */
export function derivePersons(p: Pipeline, personIds: readonly number[], log: Logger): void {
  const effects = currentRemovalEffects(p.store);
  const none = new Set<string>();
  for (const id of personIds) {
    try {
      p.store.transaction(() => derivePerson(p, id, none, effects));
    } catch (err) {
      log.error({ err, personId: id }, "person derivation failed; left dirty for repair");
      p.store.derived.markDirty(id);
    }
  }
}

/** The hourly job: refit Markov on all paths, then re-credit and re-trait every person. */
export function recomputeMarkov(p: Pipeline, log: Logger): { paths: number; solveMs: number } {
  return p.store.transaction(() => {
    const r = refreshMarkovModel(p);
    derivePersons(p, p.store.derived.allPersonIds(), log);
    return { paths: r.paths, solveMs: r.solveMs };
  });
}

/** Retries persons whose derivation failed earlier. */
export function repairDirtyPersons(p: Pipeline, log: Logger): number {
  const ids = p.store.derived.dirtyPersons(1000);
  for (const id of ids) {
    p.store.transaction(() => {
      p.store.derived.markClean(id);
      derivePersons(p, [id], log);
    });
  }
  return ids.length;
}
