import type { Logger } from "pino";
import { DirtyPersons, currentRemovalEffects, type Pipeline } from "../pipeline/context.js";
import { derivePerson } from "../pipeline/derivePerson.js";
import { refreshMarkovModel } from "../pipeline/refreshMarkov.js";
import { replayCrmHits } from "../pipeline/applyCrmHit.js";
import { replayDevices } from "../pipeline/replayDevices.js";

export interface RecomputeSummary {
  messages: number;
  hits: number;
  persons: number;
  markovPaths: number;
  markovSolveMs: number;
}

/**
 * Rebuilds everything derived from the raw messages and CRM hits, in one transaction (readers
 * see the old data until it commits), and moves the deriver's cursor to the newest raw row, so
 * that a running deriver goes on from there. Messages are replayed device by device through
 * the same steps as the deriver (identity links are order-free, visits are per device), so the
 * result equals incremental derivation. Touchpoints found again are not new: no "Visitor
 * Source Identified" is queued; traits that differ from what Segment last got are.
 */
export async function recompute(p: Pipeline, log: Logger): Promise<RecomputeSummary> {
  return p.store.transaction(async () => {
    await p.store.admin.resetDerived();
    const heads = await p.store.cursor.heads();
    const dirty = new DirtyPersons();
    const messages = await replayDevices(p, dirty);
    const hits = await replayCrmHits(p);
    const markov = await refreshMarkovModel(p);
    const effects = await currentRemovalEffects(p.store);
    const none = new Set<string>();
    const persons = await p.store.derived.allPersonIds();
    for (const id of persons) {
      try {
        await p.store.transaction(() => derivePerson(p, id, none, effects));
      } catch (err) {
        log.error({ err, personId: id }, "person derivation failed; left dirty for repair");
        await p.store.derived.markDirty(id);
      }
    }
    await p.store.reports.refreshDirtyDays(Number.MAX_SAFE_INTEGER);
    await p.store.cursor.advanceCursor(heads);
    return { messages, hits, persons: persons.length, markovPaths: markov.paths, markovSolveMs: markov.solveMs };
  });
}
