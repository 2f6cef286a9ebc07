import { validateMessage, type ValidMessage, type Validation } from "../ingest/validateMessage.js";
import type { Store } from "../store/index.js";
import type { StoredMessage } from "../store/types.js";
import { erasePerson } from "../pipeline/erasePerson.js";

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
  ignored: number;
}

/**
 * The gateway's one write: validate each message and store it raw (or rejected, with its
 * reason), nothing derived. Several batches (concurrent webhook requests) go into one
 * transaction, in order, each with its own counts; when this resolves they are committed.
 * A Segment `delete` erases the person at once: the answer must mean it is done.
 */
export async function storeBatches(store: Store, batches: ReadonlyArray<readonly unknown[]>, receivedAt: number): Promise<IngestCounts[]> {
  return store.transaction(async () => {
    const out: IngestCounts[] = [];
    for (const items of batches) out.push(await storeItems(store, items, receivedAt));
    return out;
  });
}

async function storeItems(store: Store, items: readonly unknown[], receivedAt: number): Promise<IngestCounts> {
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
  for (const item of items) {
    const v = validateSafely(item);
    if (v.kind === "ignored") counts.ignored++;
    else if (v.kind === "rejected") {
      counts.rejected++;
      await store.raw.insertRejected(receivedAt, v.messageId, v.reason, payloadOf(item));
    } else if (v.message.type === "delete") {
      // Erase after the messages before it in the batch are stored: they are erased too.
      await flushRows();
      await eraseByMessage(store, v.message);
      counts.accepted++;
    } else rows.push(rawRow(v.message, receivedAt));
  }
  await flushRows();
  return counts;
}

/** Validation never throws on input; should it (a bug), the message is rejected, not its batch. */
function validateSafely(item: unknown): Validation {
  try {
    return validateMessage(item);
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
    receivedAt,
    payload: m.payload,
  };
}

/** A Segment `delete` (user deletion request) erases the person; the request itself is not kept. */
async function eraseByMessage(store: Store, m: ValidMessage): Promise<void> {
  const key = m.userId !== null ? ({ kind: "userId", value: m.userId } as const) : ({ kind: "anonymousId", value: m.anonymousId! } as const);
  await erasePerson(store, key);
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
