import { validateMessage, type ValidMessage, type Validation } from "../ingest/validateMessage.js";
import type { Store } from "../store/index.js";
import type { StoredMessage } from "../store/types.js";
import { eraseByMessage } from "../pipeline/erasePerson.js";

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
  ignored: number;
  /**
   * Segment `delete` requests applied (the person erased, or nothing known to erase): present
   * only when the batch held one. A delete is also counted in accepted (or duplicates).
   */
  deleted?: number;
}

/** What one message asks of the store, decided before the transaction starts. */
type Action =
  | { kind: "store"; row: StoredMessage }
  | { kind: "reject"; messageId: string | null; reason: string; payload: string }
  | { kind: "erase"; message: ValidMessage; row: StoredMessage }
  | { kind: "ignore" };

/**
 * The gateway's one write: validate each message and store it raw (or rejected, with its
 * reason), nothing derived. Several batches (concurrent webhook requests) go into one
 * transaction, in order, each with its own counts; when this resolves they are committed.
 * Everything is validated and serialised first, outside the transaction, so the write lock
 * is held only for the inserts.
 */
export async function storeBatches(store: Store, batches: ReadonlyArray<readonly unknown[]>, receivedAt: number): Promise<IngestCounts[]> {
  const planned = batches.map((items) => items.map((item) => plan(item, receivedAt)));
  return store.transaction(async () => {
    const out: IngestCounts[] = [];
    for (const actions of planned) out.push(await apply(store, actions, receivedAt));
    return out;
  });
}

function plan(item: unknown, receivedAt: number): Action {
  const v = validateSafely(item, receivedAt);
  if (v.kind === "ignored") return { kind: "ignore" };
  if (v.kind === "rejected") return { kind: "reject", messageId: v.messageId, reason: v.reason, payload: payloadOf(item) };
  const row = rawRow(v.message, receivedAt);
  return v.message.type === "delete" ? { kind: "erase", message: v.message, row } : { kind: "store", row };
}

async function apply(store: Store, actions: readonly Action[], receivedAt: number): Promise<IngestCounts> {
  const counts: IngestCounts = { accepted: 0, duplicates: 0, rejected: 0, ignored: 0 };
  let rows: StoredMessage[] = [];
  const flushRows = async () => {
    if (rows.length === 0) return;
    for (const stored of await store.raw.insertMessages(rows)) {
      if (stored) counts.accepted++;
      else counts.duplicates++;
    }
    rows = [];
  };
  for (const a of actions) {
    if (a.kind === "ignore") counts.ignored++;
    else if (a.kind === "reject") {
      counts.rejected++;
      await store.raw.insertRejected(receivedAt, a.messageId, a.reason, a.payload);
    } else if (a.kind === "erase") {
      // Erase what is known now, after the messages before it in the batch are stored (they are
      // erased too); and keep the request raw so that the deriver erases again once it has
      // applied everything that arrived before it (an identify not derived yet may link ids the
      // erasure cannot see now). The deriver's erasure removes the request itself.
      await flushRows();
      await eraseByMessage(store, a.message);
      counts.deleted = (counts.deleted ?? 0) + 1;
      rows.push(a.row);
      await flushRows();
    } else rows.push(a.row);
  }
  await flushRows();
  return counts;
}

/** Validation never throws on input; should it (a bug), the message is rejected, not its batch. */
function validateSafely(item: unknown, receivedAt: number): Validation {
  try {
    return validateMessage(item, receivedAt);
  } catch (err) {
    return { kind: "rejected", reason: `message could not be validated: ${err instanceof Error ? err.message : String(err)}`, messageId: null };
  }
}

function rawRow(m: ValidMessage, receivedAt: number): StoredMessage {
  return {
    messageId: m.messageId,
    type: m.type,
    anonymousId: m.anonymousId,
    userId: m.userId,
    deviceId: m.anonymousId ?? m.userId!,
    event: m.event,
    timestamp: m.timestamp,
    timestampSource: m.timestampSource ?? "timestamp",
    receivedAt,
    payload: m.payload,
  };
}


/** A rejected message is kept whole up to this size; past it, its head (enough to see what it was). */
export const MAX_REJECTED_PAYLOAD = 64 * 1024;

/** What is kept of a rejected message: its JSON (its head when huge), or a note when it cannot be serialised. */
function payloadOf(v: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(v) ?? "null";
  } catch (err) {
    return JSON.stringify({ unserialisable: err instanceof Error ? err.message : String(err) });
  }
  if (json.length <= MAX_REJECTED_PAYLOAD) return json;
  return JSON.stringify({ truncated: true, length: json.length, head: json.slice(0, MAX_REJECTED_PAYLOAD) });
}
