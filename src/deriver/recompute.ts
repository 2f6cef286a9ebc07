import type { Logger } from "pino";
import { DirtyPersons, currentFits, type Pipeline } from "../pipeline/context.js";
import { derivePerson } from "../pipeline/derivePerson.js";
import { refreshMarkovModel } from "../pipeline/refreshMarkov.js";
import { replayCrmHits } from "../pipeline/applyCrmHit.js";
import { replayDevices } from "../pipeline/replayDevices.js";
import { applyDeleteRequests } from "../pipeline/erasePerson.js";
import type { BulkStore, RawVersion } from "../store/index.js";
import { boundHeapGrowth } from "./bulk/heapGrowth.js";
import { readRaw, type RawRead, type ReadOptions } from "./bulk/readRaw.js";
import { writeRebuild } from "./bulk/writeRebuild.js";

export interface RecomputeSummary {
  messages: number;
  hits: number;
  persons: number;
  markovPaths: number;
  markovSolveMs: number;
  /** Wall time of each phase in ms (reading, deriving, writing), for the benchmark. */
  phasesMs?: Record<string, number>;
}

const sameVersion = (a: RawVersion, b: RawVersion) =>
  a.messagesEver === b.messagesEver && a.messageCount === b.messageCount && a.hitsEver === b.hitsEver && a.hitCount === b.hitCount;

/**
 * Rebuilds everything derived from the raw messages and CRM hits and moves the deriver's
 * cursor to the newest raw row, so that a running deriver goes on from there. The result equals
 * incremental derivation (test/integration/recomputeProperties.test.ts): touchpoints found
 * again are not new, so no "Visitor Source Identified" is queued; traits that differ from what
 * Segment last got are.
 *
 * In bulk (src/deriver/bulk): the raw input is read first, outside the write lock, on a
 * snapshot of its own (device by device, only the payload parts derivation reads), and
 * everything is derived in memory in compact form: the identity graph, touchpoints, deals, the
 * Markov model. Then, in one write transaction (readers see the old data until it commits),
 * the derived tables are rewritten as sets and each person's credits, traits and feedback are
 * derived and written, with the same pure steps as the deriver. Should the raw input have
 * changed between the snapshot and the write lock (a webhook stored a message meanwhile), the
 * read is done again under the lock, so the write lock is held only for the writes in the
 * common case and never for a result that is out of date.
 */
export async function recompute(p: Pipeline, log: Logger, opts: ReadOptions = {}): Promise<RecomputeSummary> {
  const bulk = p.store.bulk;
  if (!bulk) return recomputeLive(p, log);
  const restoreHeap = boundHeapGrowth();
  try {
    let read: RawRead | null = await readRaw(p, bulk, log, opts);
    const done = await p.store.transaction(async () => {
      if (!sameVersion(await bulk.rawVersion(), read!.version)) return null;
      return write(p, bulk, read!, log);
    });
    if (done) return done;
    read = null; // out of date: let it go before reading again
    log.info("raw input changed while recompute read it; reading it again under the write lock");
    return await p.store.transaction(async () => write(p, bulk, await readRaw(p, bulk, log, opts), log));
  } finally {
    restoreHeap();
  }
}

async function write(p: Pipeline, bulk: BulkStore, read: RawRead, log: Logger): Promise<RecomputeSummary> {
  read.phases.lap("wait-for-lock");
  const heads = await p.store.cursor.heads();
  const persons = await writeRebuild(p, bulk, read, log, read.phases);
  await eraseRequested(p);
  await p.store.cursor.advanceCursor(heads);
  const phasesMs = read.phases.ms;
  log.info({ messages: read.collected.messages, persons, ms: Math.round(performance.now() - read.startedAt), phasesMs }, "recompute done");
  return { messages: read.collected.messages, hits: read.hits, persons, markovPaths: read.markov.paths, markovSolveMs: read.solveMs, phasesMs };
}

/**
 * Segment delete requests still stored are applied last, after the rebuild from everything
 * (the deriver applies each once it has derived what arrived before it; recompute derived it
 * all); the report days their erasures touch are summed again.
 */
async function eraseRequested(p: Pipeline): Promise<void> {
  if ((await applyDeleteRequests(p.store)) > 0) await p.store.reports.refreshDirtyDays(Number.MAX_SAFE_INTEGER);
}

/**
 * For a store without bulk methods: every message replayed device by device through the live
 * steps, in one transaction.
 */
export async function recomputeLive(p: Pipeline, log: Logger): Promise<RecomputeSummary> {
  return p.store.transaction(async () => {
    await p.store.admin.resetDerived();
    const heads = await p.store.cursor.heads();
    const dirty = new DirtyPersons();
    const messages = await replayDevices(p, dirty);
    const hits = await replayCrmHits(p);
    const markov = await refreshMarkovModel(p);
    const effects = await currentFits(p.store);
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
    await eraseRequested(p);
    await p.store.cursor.advanceCursor(heads);
    return { messages, hits, persons: persons.length, markovPaths: markov.paths, markovSolveMs: markov.solveMs };
  });
}
