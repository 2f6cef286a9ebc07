import { validateMessage } from "../ingest/validateMessage.js";
import type { Store } from "../store/index.js";
import type { RejectedRow } from "../store/sqlite/rawQueries.js";
import { storeBatches } from "./storeBatch.js";

/** Rejected rows examined per transaction. */
export const REPLAY_CHUNK = 500;

export interface ReplaySummary {
  /** Rejected rows looked at. */
  examined: number;
  /** Now valid and stored as messages (new). */
  accepted: number;
  /** Now valid but stored already (a copy arrived since): removed from rejected all the same. */
  duplicates: number;
  /** Now recognised as our own feedback: removed, nothing stored. */
  ignored: number;
  /** Delete requests among the accepted ones (applied as on the webhook). */
  deleted: number;
  /** Still invalid (or not a message: a bad import line, a truncated head): left as they are. */
  still_rejected: number;
}

/**
 * `rejected replay`: re-validates every stored rejected message with the current rules and
 * sends those now valid through the gateway's normal write (storeBatches: stored raw, erasure
 * for deletes, derived later from the cursor), removing them from rejected in the same
 * transaction. Rows still invalid are left untouched, so a second run changes nothing
 * (idempotent). Each message keeps the time it was first received (its time of receipt, when
 * it carries no time of its own).
 */
export async function replayRejected(store: Store): Promise<ReplaySummary> {
  const summary: ReplaySummary = { examined: 0, accepted: 0, duplicates: 0, ignored: 0, deleted: 0, still_rejected: 0 };
  let after = 0;
  for (;;) {
    const rows = await store.raw.rejectedAfter(after, REPLAY_CHUNK);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    summary.examined += rows.length;
    const replayable: Array<{ row: RejectedRow; message: unknown }> = [];
    for (const row of rows) {
      const message = messageOf(row);
      if (message !== undefined && validateMessage(message, row.receivedAt).kind !== "rejected") replayable.push({ row, message });
      else summary.still_rejected++;
    }
    if (replayable.length === 0) continue;
    await store.transaction(async () => {
      // One gateway write per time of receipt, in the order they arrived.
      const byReceipt = new Map<number, unknown[]>();
      for (const r of replayable) byReceipt.set(r.row.receivedAt, [...(byReceipt.get(r.row.receivedAt) ?? []), r.message]);
      for (const [receivedAt, items] of [...byReceipt].sort((a, b) => a[0] - b[0])) {
        const [c] = await storeBatches(store, [items], receivedAt);
        summary.accepted += c!.accepted;
        summary.duplicates += c!.duplicates;
        summary.ignored += c!.ignored;
        summary.deleted += c!.deleted ?? 0;
        summary.still_rejected += c!.rejected; // validated just now: none, unless the rules changed mid-run
      }
      await store.raw.deleteRejected(replayable.map((r) => r.row.id));
    });
  }
  return summary;
}

/** The message a rejected row kept, or undefined when the row holds no message (not JSON, a head of a huge one). */
function messageOf(row: RejectedRow): unknown {
  let value: unknown;
  try {
    value = JSON.parse(row.payload);
  } catch {
    return undefined;
  }
  return value;
}
