import type { Logger } from "pino";
import { validateMessage, type ValidMessage } from "../ingest/validateMessage.js";
import { applyMessage } from "./applyMessage.js";
import { DirtyPersons, currentRemovalEffects, type Pipeline } from "./context.js";
import { derivePerson } from "./derivePerson.js";
import { erasePerson } from "./erasePerson.js";

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
  ignored: number;
}

/**
 * The one orchestrator of Segment ingest: validate, store raw, derive. Everything happens in one
 * transaction, so when this returns the accepted messages are committed. Person-level
 * derivation runs in a savepoint: if it fails (a bug), the raw messages still commit and the
 * persons are left marked dirty for `repairDirtyPersons` or `recompute`.
 */
export function ingestBatch(p: Pipeline, items: readonly unknown[], log: Logger): IngestCounts {
  return ingestBatches(p, [items], log)[0]!;
}

/**
 * Several batches (e.g. concurrent webhook requests) in one transaction, in order, each with its
 * own counts: one commit and one derivation per person for all of them.
 */
export function ingestBatches(p: Pipeline, batches: ReadonlyArray<readonly unknown[]>, log: Logger): IngestCounts[] {
  const receivedAt = p.now();
  return p.store.transaction(() => {
    const dirty = new DirtyPersons();
    const counts = batches.map((items) => storeItems(p, items, receivedAt, dirty));
    deriveDirty(p, dirty, log);
    return counts;
  });
}

function storeItems(p: Pipeline, items: readonly unknown[], receivedAt: number, dirty: DirtyPersons): IngestCounts {
  const counts: IngestCounts = { accepted: 0, duplicates: 0, rejected: 0, ignored: 0 };
  for (const item of items) {
    const v = validateMessage(item);
    if (v.kind === "ignored") counts.ignored++;
    else if (v.kind === "rejected") {
      counts.rejected++;
      p.store.raw.insertRejected(receivedAt, v.messageId, v.reason, safeStringify(item));
    } else if (v.message.type === "delete") {
      eraseByMessage(p, v.message);
      counts.accepted++;
    } else if (storeRaw(p, v.message, receivedAt)) {
      counts.accepted++;
      applyMessage(p, v.message, dirty);
    } else counts.duplicates++;
  }
  return counts;
}

function storeRaw(p: Pipeline, m: ValidMessage, receivedAt: number): boolean {
  return p.store.raw.insertMessage({
    messageId: m.messageId,
    type: m.type,
    anonymousId: m.anonymousId,
    userId: m.userId,
    deviceId: m.anonymousId ?? m.userId!,
    event: m.event,
    timestamp: m.timestamp,
    receivedAt,
    payload: JSON.stringify(m.raw),
  });
}

/** A Segment `delete` (user deletion request) erases the person; the request itself is not kept. */
function eraseByMessage(p: Pipeline, m: ValidMessage): void {
  const key = m.userId !== null ? ({ kind: "userId", value: m.userId } as const) : ({ kind: "anonymousId", value: m.anonymousId! } as const);
  erasePerson(p.store, key);
}

/**
 * Derives the marked persons inside one savepoint. Should one of them fail (a bug), the
 * savepoint is rolled back and each person is retried in a savepoint of its own, so only the
 * failing ones are left marked dirty; the raw messages commit either way.
 */
export function deriveDirty(p: Pipeline, dirty: DirtyPersons, log: Logger): void {
  if (dirty.size === 0) return;
  const effects = currentRemovalEffects(p.store);
  try {
    p.store.transaction(() => {
      for (const [personId, newTouches] of dirty.entries()) derivePerson(p, personId, newTouches, effects);
    });
    return;
  } catch (err) {
    log.warn({ err }, "batch derivation failed; retrying person by person");
  }
  for (const [personId, newTouches] of dirty.entries()) {
    try {
      p.store.transaction(() => derivePerson(p, personId, newTouches, effects));
    } catch (err) {
      log.error({ err, personId }, "person derivation failed; left dirty for repair");
      p.store.derived.markDirty(personId);
    }
  }
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "null";
  } catch {
    return String(v);
  }
}
