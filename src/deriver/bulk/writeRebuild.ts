import { withReporting } from "../../money/reportingMoney.js";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { NO_FITS, modelFitsOf } from "../../attribution/index.js";
import { changedTraits, identifyTraits, type MessageTarget } from "../../feedback/index.js";
import type { Pipeline } from "../../pipeline/context.js";
import { creditsOf } from "../../pipeline/derivePerson.js";
import type { BulkFeedbackState, BulkIdentity, BulkOutboxRow, BulkStore } from "../../store/index.js";
import type { CreditRow, DealRow, MarkovModelRow, StoredTouchpoint, VisitState } from "../../store/types.js";
import type { Collected } from "./collect.js";
import { KINDS } from "./identityGraph.js";
import { compareBinary } from "./binaryOrder.js";
import { storedTouch, type PersonIndex } from "./personIndex.js";
import { personRows, type PersonRows } from "./personRows.js";
import type { Phases } from "./phases.js";

// Small batches: their rows die young, in the young generation, instead of being promoted and collected later.
const BATCH = 500;
/** Persons derived per round of feedback reads and writes. */
const PERSON_BATCH = 100;
const ID_BATCH = 25_000;

export interface RebuildInput {
  collected: Collected;
  index: PersonIndex;
  deals: readonly DealRow[];
  markov: MarkovModelRow;
}

/**
 * The write half of a bulk recompute, inside the caller's transaction: every derived table
 * emptied, its secondary indexes dropped, the rows inserted as sets, then each person derived
 * (credits, traits) and its identify queued when its traits differ from what Segment last got,
 * as src/pipeline/derivePerson.ts does (recompute finds no touchpoint new: no "Visitor Source
 * Identified"); the indexes are built again at the end. Returns how many persons there are.
 */
export async function writeRebuild(p: Pipeline, bulk: BulkStore, input: RebuildInput, log: Logger, phases: Phases): Promise<number> {
  const { store } = p;
  const { collected: c, index } = input;
  const { graph } = c;
  await store.admin.resetDerived();
  await bulk.beginRebuild();
  phases.lap("write:reset");

  let persons = 0;
  const personBatch: Array<{ personId: number; createdAt: number }> = [];
  for (const personId of graph.persons()) {
    personBatch.push({ personId, createdAt: graph.createdAtOf(personId) });
    persons++;
    if (personBatch.length >= BATCH) await bulk.insertPersons(personBatch.splice(0));
  }
  await bulk.insertPersons(personBatch);
  phases.lap("write:persons");

  // In primary-key order, so that the WITHOUT ROWID table is appended to.
  const order = Array.from({ length: graph.size }, (_, i) => i);
  order.sort((x, y) => graph.kind.get(x) - graph.kind.get(y) || compareBinary(graph.value[x]!, graph.value[y]!));
  for (let i = 0; i < order.length; i += BATCH) {
    const rows: BulkIdentity[] = order.slice(i, i + BATCH).map((id) => ({
      kind: KINDS[graph.kind.get(id)]!,
      value: graph.value[id]!,
      personId: graph.person.get(id),
      inferred: graph.inferred.get(id) === 1,
      lastSeen: graph.lastSeen.get(id),
      aliasOnly: graph.aliasOnly.get(id) === 1,
    }));
    await bulk.insertIdentities(rows);
  }

  phases.lap("write:identities");

  // The latest calls' messageIds read back in large sets: the store looks them up in seq order.
  for (let i = 0; i < c.deviceId.length; i += ID_BATCH) {
    const end = Math.min(c.deviceId.length, i + ID_BATCH);
    const seqs: number[] = [];
    for (let d = i; d < end; d++) seqs.push(c.deviceLastSeq.get(d));
    const ids = await bulk.messageIds(seqs);
    for (let from = i; from < end; from += BATCH) {
      const rows: Array<{ deviceId: string; state: VisitState }> = [];
      for (let d = from; d < Math.min(end, from + BATCH); d++) rows.push({ deviceId: c.deviceId[d]!, state: c.visitState(d, ids.get(c.deviceLastSeq.get(d))!) });
      await bulk.insertDevices(rows);
    }
  }
  phases.lap("write:devices");

  await bulk.insertConversions(index.allConversions.map((c) => withReporting(p.money, c)));
  await bulk.insertDeals(input.deals);
  // A deal with no person is credited Unattributed (applyCrmHit); the others with their person.
  const unowned: CreditRow[] = [];
  for (const conv of index.allConversions) if (conv.personId === null) unowned.push(...creditsOf(p, conv, [], NO_FITS));
  await bulk.insertCredits(unowned);

  // Person by person, in batches: their touchpoints (numbered in this order, so that the table
  // is appended to), then what derivePerson writes.
  const fits = modelFitsOf(input.markov);
  let touchId = 0;
  let batch: number[] = [];
  const flush = async () => {
    phases.lap("write:persons-rows");
    const touchRows: StoredTouchpoint[] = [];
    const derived: PersonRows[] = [];
    const failed: number[] = [];
    for (const personId of batch) {
      const touches = Array.from(index.touchesOf(personId), (t) => storedTouch(c, t, personId, ++touchId));
      for (const t of touches) touchRows.push(t);
      try {
        derived.push(personRows(p, index, personId, touches, fits, p.now()));
      } catch (err) {
        log.error({ err, personId }, "person derivation failed; left dirty for repair");
        failed.push(personId);
      }
    }
    phases.lap("derive:persons");
    await bulk.insertTouchpoints(touchRows);
    for (const personId of failed) await store.derived.markDirty(personId);
    await writePersons(p, bulk, derived);
    batch = [];
  };
  for (const personId of graph.persons()) {
    batch.push(personId);
    if (batch.length >= PERSON_BATCH) await flush();
  }
  await flush();
  phases.lap("write:persons-rows");
  await store.derived.putMarkovModel(input.markov);
  await bulk.finishRebuild();
  phases.lap("write:indexes");
  await store.reports.refreshDirtyDays(Number.MAX_SAFE_INTEGER);
  phases.lap("write:report-days");
  return persons;
}

/**
 * One batch of persons: credits and traits written, and for each person with a target the
 * identify derivePerson would queue: none when the traits equal what feedback_state holds
 * (the stored JSON is compared first: the same text is the same traits), else the full set,
 * merged into the target's still-unsent identify when there is one.
 */
async function writePersons(p: Pipeline, bulk: BulkStore, rows: readonly PersonRows[]): Promise<void> {
  if (rows.length === 0) return;
  const now = p.now();
  const credits: CreditRow[] = [];
  for (const r of rows) for (const c of r.credits) credits.push(c);
  await bulk.insertCredits(credits);
  await bulk.insertTraits(rows.map((r) => ({ personId: r.personId, traits: r.traitsJson, updatedAt: now })));

  const targeted = rows.filter((r) => r.key !== null);
  const last = await bulk.feedbackStates(targeted.map((r) => r.key!));
  const outbox: BulkOutboxRow[] = [];
  const states: BulkFeedbackState[] = [];
  const queued: BulkFeedbackState[] = [];
  for (const [i, r] of targeted.entries()) {
    const prev = last[i];
    if (prev !== undefined && prev.traits === r.traitsJson) continue;
    const changed = changedTraits(prev === undefined ? null : (JSON.parse(prev.traits) as Record<string, unknown>), r.traits);
    if (!changed) continue;
    const key = r.key!;
    const target = r.target!;
    if (prev?.outboxSeq != null) {
      // Still unsent: update that identify in place (full trait set, so nothing is lost).
      const pending = await p.store.outbox.pendingMessage(prev.outboxSeq);
      const merged = pending?.type === "identify" ? { ...pending.traits, ...changed } : null;
      if (pending && merged && (await p.store.outbox.replacePendingMessage(prev.outboxSeq, r.personId, identifyTraits(pending.messageId, target, merged, r.at), now))) {
        states.push({ target: key, traits: r.traitsJson, queuedAt: now, outboxSeq: prev.outboxSeq });
        continue;
      }
    }
    const id = randomUUID();
    outbox.push({ id, personId: r.personId, message: identifyJson(id, target, changed, r), createdAt: now });
    queued.push({ target: key, traits: r.traitsJson, queuedAt: now, outboxSeq: null });
  }
  const seqs = await bulk.insertOutbox(outbox);
  for (const [i, s] of queued.entries()) s.outboxSeq = seqs[i] ?? null;
  await bulk.putFeedbackStates([...states, ...queued]);
}

/**
 * JSON.stringify(identifyTraits(id, target, changed, at)), reusing the traits' JSON when the
 * changed set is the traits themselves (no key of the previous set went away: the common case,
 * and always for a first identify), so that a large traits object is serialised once.
 */
function identifyJson(id: string, target: MessageTarget, changed: Record<string, unknown>, r: PersonRows): string {
  let defined = 0;
  for (const v of Object.values(r.traits)) if (v !== undefined) defined++;
  if (Object.keys(changed).length !== defined) return JSON.stringify(identifyTraits(id, target, changed, r.at));
  const empty = JSON.stringify(identifyTraits(id, target, {}, r.at));
  return `${empty.slice(0, -3)}${r.traitsJson}}`;
}
