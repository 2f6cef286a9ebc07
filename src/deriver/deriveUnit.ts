import type { Logger } from "pino";
import { DirtyPersons, currentFits, type Pipeline } from "../pipeline/context.js";
import { applyMessage } from "../pipeline/applyMessage.js";
import { applyCrmHit, readStoredHit } from "../pipeline/applyCrmHit.js";
import { derivePerson } from "../pipeline/derivePerson.js";
import { fromStored } from "../pipeline/storedMessage.js";
import { eraseByMessage } from "../pipeline/erasePerson.js";
import type { CrmHitRow, StoredMessage } from "../store/types.js";

export interface UnitLimits {
  /** Raw rows (messages; hits) read per unit at most. */
  messages: number;
  hits: number;
  /** A unit stops taking more rows (or persons) after this long, so the write lock is held briefly. */
  budgetMs?: number;
}

export const DEFAULT_UNIT: UnitLimits = { messages: 500, hits: 200, budgetMs: 15 };

export interface AppliedUnit {
  messages: number;
  hits: number;
  persons: number;
  failed: number;
}

type RawRow = { source: "messages"; row: StoredMessage & { seq: number } } | { source: "crm_hits"; row: CrmHitRow };

/**
 * Step one of derivation, in one short transaction: the next raw rows after the cursor
 * (arrival order) are applied (identity links, touchpoints, conversions, deals), the persons
 * they touched are queued for person-level derivation, and the cursor moves past them. The
 * cursor moves with the rows it derived, so each raw row is applied exactly once, across
 * crashes too.
 */
export async function applyNextRaw(p: Pipeline, log: Logger, limits: UnitLimits = DEFAULT_UNIT): Promise<AppliedUnit> {
  return p.store.transaction(async () => {
    const cursor = await p.store.cursor.cursor();
    const messages = await p.store.cursor.messagesAfter(cursor.messages, limits.messages);
    const hits = await p.store.cursor.hitsAfter(cursor.hits, limits.hits);
    const rows: RawRow[] = [
      ...messages.map((row) => ({ source: "messages" as const, row })),
      ...hits.map((row) => ({ source: "crm_hits" as const, row })),
    ];
    if (rows.length === 0) return { messages: 0, hits: 0, persons: 0, failed: 0 };
    const { applied, failed, dirty } = await applyRows(p, rows, log, limits.budgetMs ?? Number.POSITIVE_INFINITY);
    const done = rows.slice(0, applied);
    const now = p.now();
    for (const m of dirty.marks()) await p.store.cursor.markPending(m.personId, m.touches, m.rows, now);
    const lastOf = (source: RawRow["source"], fallback: number) => done.filter((r) => r.source === source).at(-1)?.row.seq ?? fallback;
    await p.store.cursor.advanceCursor({ messages: lastOf("messages", cursor.messages), hits: lastOf("crm_hits", cursor.hits) });
    return {
      messages: done.filter((r) => r.source === "messages").length,
      hits: done.filter((r) => r.source === "crm_hits").length,
      persons: dirty.size,
      failed,
    };
  });
}

/**
 * Step two, in one short transaction: the persons waiting longest are derived (credits of
 * every model, traits, feedback), each once however many rows touched it meanwhile. Returns
 * how many were derived (0: none waits).
 */
export async function derivePendingPersons(p: Pipeline, log: Logger, limits: UnitLimits = DEFAULT_UNIT): Promise<number> {
  return p.store.transaction(async () => {
    const ids = await p.store.cursor.pendingPersons(Math.max(1, Math.ceil(limits.messages / 4)));
    if (ids.length === 0) return 0;
    const effects = await currentFits(p.store);
    const budget = limits.budgetMs ?? Number.POSITIVE_INFINITY;
    const started = performance.now();
    const derive = async (id: number) => {
      await derivePerson(p, id, new Set(await p.store.cursor.pendingTouchesOf(id)), effects);
      await p.store.cursor.clearPending(id);
    };
    let taken = 0;
    try {
      // All in one savepoint (the common case); a failure redoes them one by one below.
      await p.store.transaction(async () => {
        for (const id of ids) {
          await derive(id);
          taken++;
          if (performance.now() - started > budget) break;
        }
      });
      return taken;
    } catch (err) {
      log.warn({ err }, "persons failed to derive together; deriving them one by one");
    }
    const count = Math.min(ids.length, taken + 1);
    for (const id of ids.slice(0, count)) {
      try {
        await p.store.transaction(() => derive(id));
      } catch (err) {
        log.error({ err, personId: id }, "person derivation failed; left dirty for repair");
        await p.store.derived.markDirty(id);
        await p.store.cursor.clearPending(id);
      }
    }
    return count;
  });
}

/** Applies one raw row; true when it was a Segment `delete` (the unit ends there). */
async function applyRow(p: Pipeline, r: RawRow, dirty: DirtyPersons): Promise<boolean> {
  dirty.nextRow();
  if (r.source === "messages") {
    const m = fromStored(r.row);
    if (m?.type === "delete") {
      // Everything that arrived before the request is applied now: the erasure sees every id.
      await eraseByMessage(p.store, m);
      return true;
    }
    if (m) await applyMessage(p, m, dirty);
    return false;
  }
  const hit = readStoredHit(r.row);
  if (hit) await applyCrmHit(p, hit, dirty, true);
  return false;
}

/**
 * Applies rows in order until the time budget is spent (at least one), in one savepoint;
 * should that fail (a bug in a step), the same rows are applied each in a savepoint of its
 * own, so that one bad row never holds up the others: it is recorded in derive_failures and
 * skipped. Returns how many rows were taken (applied or failed).
 */
async function applyRows(
  p: Pipeline,
  rows: RawRow[],
  log: Logger,
  budgetMs: number,
): Promise<{ applied: number; failed: number; dirty: DirtyPersons }> {
  const started = performance.now();
  let taken = 0;
  const marks = new DirtyPersons();
  try {
    await p.store.transaction(async () => {
      for (const r of rows) {
        const erased = await applyRow(p, r, marks);
        taken++;
        // Rows after an erasure were read before it: the next unit reads what is left of them.
        if (erased || performance.now() - started > budgetMs) break;
      }
    });
    return { applied: taken, failed: 0, dirty: marks };
  } catch (err) {
    log.warn({ err }, "rows failed to apply together; applying them one by one");
  }
  let failed = 0;
  const dirty = new DirtyPersons();
  const count = Math.max(1, taken + 1); // the rows taken before the failure, and the one that failed
  for (const r of rows.slice(0, count)) {
    try {
      // A row rolled back may leave marks behind: they only cause an extra re-derivation.
      if (await p.store.transaction(() => applyRow(p, r, dirty))) return { applied: rows.indexOf(r) + 1, failed, dirty };
    } catch (err) {
      failed++;
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log.error({ err, source: r.source, seq: r.row.seq }, "raw row could not be derived; recorded in derive_failures");
      await p.store.cursor.recordFailure(r.source, r.row.seq, error, p.now());
    }
  }
  return { applied: Math.min(count, rows.length), failed, dirty };
}
