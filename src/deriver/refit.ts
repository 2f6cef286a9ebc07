import type { Logger } from "pino";
import { currentFits, type Pipeline } from "../pipeline/context.js";
import type { CreditBootstrap } from "../attribution/index.js";
import { BOOTSTRAP_CHUNK, fitMarkovModel } from "../pipeline/refreshMarkov.js";
import { derivePerson } from "../pipeline/derivePerson.js";

/** A chunk of a re-credit stops after this long, so the write lock is never held for long. */
export const RECREDIT_CHUNK_MS = 40;
const CHUNK_PERSONS = 500;

/**
 * Starts a Markov refit: fits the model on every person's paths (a read, outside any write
 * transaction), stores it, and records that every person must be re-credited from the first
 * one on. The re-credit itself runs in chunks (`recreditChunk`) between units of new input.
 */
export async function startRefit(p: Pipeline): Promise<{ paths: number; solveMs: number; bootstrap: PendingBootstrap | null }> {
  const { model, solveMs, bootstrap } = await fitMarkovModel(p, "deferred");
  await p.store.transaction(async () => {
    await p.store.derived.putMarkovModel(model);
    await p.store.cursor.putRefitProgress(0, p.now());
  });
  return { paths: model.paths, solveMs, bootstrap: bootstrap && { bootstrap, computedAt: model.computedAt } };
}

/** The bootstrap of the fit stored at `computedAt`, still to be run. */
export interface PendingBootstrap {
  bootstrap: CreditBootstrap;
  computedAt: number;
}

/**
 * Runs BOOTSTRAP_CHUNK more resamples of a refit's bootstrap (pure work, no lock held); once
 * all are done, stores the intervals with the fit they belong to (not if a newer fit replaced
 * it meanwhile). Returns whether the bootstrap is finished.
 */
export async function bootstrapChunk(p: Pipeline, log: Logger, pending: PendingBootstrap): Promise<boolean> {
  if (!pending.bootstrap.step(BOOTSTRAP_CHUNK)) return false;
  const intervals = pending.bootstrap.intervals();
  await p.store.transaction(async () => {
    const current = await p.store.derived.markovModel();
    if (current?.fit === undefined || current.computedAt !== pending.computedAt) return;
    await p.store.derived.putMarkovModel({ ...current, fit: { ...current.fit, intervals } });
  });
  log.info({ resamples: pending.bootstrap.resamples }, "bootstrap intervals stored");
  return true;
}

/**
 * Re-credits the next persons of a refit in progress, in one short transaction bounded by
 * time; returns false when there is nothing (more) to do.
 */
export async function recreditChunk(p: Pipeline, log: Logger, budgetMs = RECREDIT_CHUNK_MS): Promise<boolean> {
  return p.store.transaction(async () => {
    const progress = await p.store.cursor.refitProgress();
    if (!progress || progress.nextPersonId === null) return false;
    const ids = await p.store.cursor.personIdsFrom(progress.nextPersonId, CHUNK_PERSONS);
    const effects = await currentFits(p.store);
    const none = new Set<string>();
    const started = performance.now();
    let next: number | null = null;
    for (const [i, id] of ids.entries()) {
      try {
        await p.store.transaction(() => derivePerson(p, id, none, effects));
      } catch (err) {
        log.error({ err, personId: id }, "person re-credit failed; left dirty for repair");
        await p.store.derived.markDirty(id);
      }
      if (performance.now() - started > budgetMs && i < ids.length - 1) {
        next = id + 1;
        break;
      }
    }
    if (next === null && ids.length === CHUNK_PERSONS) next = ids[ids.length - 1]! + 1;
    await p.store.cursor.putRefitProgress(next, progress.startedAt);
    if (next === null) log.info({ ms: p.now() - progress.startedAt }, "markov re-credit done");
    return true;
  });
}

/** Retries persons whose derivation failed earlier; returns how many. */
export async function repairDirtyPersons(p: Pipeline, log: Logger, limit = 200): Promise<number> {
  const ids = await p.store.derived.dirtyPersons(limit);
  if (ids.length === 0) return 0;
  const effects = await currentFits(p.store);
  const none = new Set<string>();
  for (const id of ids) {
    try {
      await p.store.transaction(async () => {
        await p.store.derived.markClean(id);
        await derivePerson(p, id, none, effects);
      });
    } catch (err) {
      log.error({ err, personId: id }, "person repair failed; still dirty");
    }
  }
  return ids.length;
}
