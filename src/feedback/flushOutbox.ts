import type { Logger } from "pino";
import { nextAttemptDelay } from "./backoff.js";
import { describeError } from "./describeError.js";
import type { OutboxSender, SendResult } from "./sender.js";
import type { OutboxQueue, OutboxRow } from "./types.js";

export interface FlushOutboxOptions {
  now: () => number;
  batchSize: number;
  /** Must exceed the sender's worst-case send time, or another worker may claim rows in flight. */
  leaseMs: number;
  logger: Logger;
}

/** `failed`: rescheduled with backoff; `dead`: parked after the last allowed attempt. */
export interface FlushOutboxResult {
  sent: number;
  failed: number;
  dead: number;
}

/**
 * Claims due rows in batches until none are due, sends them, and records each outcome.
 * A row is marked sent only when the sender reported it delivered; everything else (an error,
 * a thrown sender, a missing result) is a failure that follows the backoff schedule.
 * Store errors propagate: they are bugs or a broken disk, not Segment being down.
 */
export async function flushOutbox(
  queue: OutboxQueue,
  sender: OutboxSender,
  opts: FlushOutboxOptions,
): Promise<FlushOutboxResult> {
  const totals: FlushOutboxResult = { sent: 0, failed: 0, dead: 0 };
  // Each row at most once per run: in a long run (or a jumping clock) a failed row may fall due
  // again, and re-sending it in the same run would hammer a Segment that is down.
  const handled = new Set<string>();

  for (;;) {
    const claimed = await queue.claimDue(opts.batchSize, opts.now(), opts.leaseMs);
    const rows = claimed.filter((row) => !handled.has(row.id));
    if (rows.length === 0) break;
    for (const row of rows) handled.add(row.id);

    const results = await sendIsolatingRejects(sender, rows);
    const doneAt = opts.now();
    const sentIds = rows.filter((row) => results.get(row.id)?.ok === true).map((row) => row.id);
    if (sentIds.length > 0) await queue.markSent(sentIds, doneAt);
    totals.sent += sentIds.length;

    const errors = new Map<string, number>();
    for (const row of rows) {
      const result = results.get(row.id);
      if (result?.ok === true) continue;
      const error = result === undefined ? "sender returned no result for the row" : result.error;
      const attempts = row.attempts + 1;
      // Segment refused this very message (isolated below): retrying cannot help.
      const delay = result?.rejected === true ? null : nextAttemptDelay(attempts);
      await queue.markFailed(row.id, error, attempts, delay === null ? null : doneAt + delay);
      errors.set(error, (errors.get(error) ?? 0) + 1);
      if (delay === null) {
        totals.dead += 1;
        opts.logger.error(
          { outboxId: row.id, attempts, error },
          result?.rejected === true ? "outbox row refused by Segment: dead" : "outbox row is dead after its last attempt",
        );
      } else {
        totals.failed += 1;
      }
    }
    // One line per distinct error, not per row: an outage fails thousands of rows the same way.
    for (const [error, rowCount] of errors) opts.logger.warn({ rowCount, error }, "outbox rows failed to send");

    // Claimed rows already handled this run mean we wrapped around; they wait for their lease.
    if (rows.length < claimed.length) break;
  }

  if (totals.sent + totals.failed + totals.dead > 0) opts.logger.info(totals, "outbox flushed");
  return totals;
}

/**
 * Sends per run at most. analytics-node calls back no sooner than 300 ms after a call, so a
 * round costs that at least: 64 rounds (~20 s) isolate a handful of poison rows in a batch of
 * 500, and stay far inside the outbox lease.
 */
export const MAX_ISOLATION_ROUNDS = 64;

/**
 * Sends the rows; when Segment refuses a request (400) every row in it fails alike, though one
 * bad message is enough. Those rows are bisected and sent again, half by half, until each
 * refusal is pinned on single rows: only they come back `rejected` (and are dead-lettered with
 * Segment's answer), the innocent ones are delivered. Before this, 6 poison rows took 230
 * innocent rows dead, batched together with them on every retry.
 */
export async function sendIsolatingRejects(sender: OutboxSender, rows: OutboxRow[], maxRounds = MAX_ISOLATION_ROUNDS): Promise<Map<string, SendResult>> {
  const results = new Map<string, SendResult>();
  let rounds = 0;
  const round = async (group: OutboxRow[]): Promise<void> => {
    if (rounds++ >= maxRounds) {
      // Out of budget: an ordinary failure (backoff), isolated further on the next run.
      for (const row of group) results.set(row.id, { id: row.id, ok: false, error: "[400] refused by Segment; culprit not isolated yet" });
      return;
    }
    const got = new Map((await sendSafely(sender, group)).map((r) => [r.id, r] as const));
    const refused: OutboxRow[] = [];
    for (const row of group) {
      const r = got.get(row.id);
      if (r !== undefined && r.ok === false && r.rejected === true) refused.push(row);
      else if (r !== undefined) results.set(row.id, r);
    }
    if (refused.length === 0) return;
    if (refused.length === 1 && group.length === 1) {
      results.set(refused[0]!.id, got.get(refused[0]!.id)!);
      return;
    }
    // Alone it is the culprit even if it was refused beside others: one more round proves it.
    const half = Math.ceil(refused.length / 2);
    await round(refused.slice(0, half));
    if (half < refused.length) await round(refused.slice(half));
  };
  await round(rows);
  return results;
}

async function sendSafely(sender: OutboxSender, rows: OutboxRow[]): Promise<SendResult[]> {
  try {
    return await sender.send(rows);
  } catch (err) {
    const error = describeError(err);
    return rows.map((row) => ({ id: row.id, ok: false as const, error }));
  }
}
