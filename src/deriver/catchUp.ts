import type { Logger } from "pino";
import type { Pipeline } from "../pipeline/context.js";
import { applyNextRaw, derivePendingPersons, type UnitLimits } from "./deriveUnit.js";
import { recreditChunk } from "./refit.js";

/** Units for a batch catch-up (a CLI import): larger than the serving deriver's, no one waits on them. */
export const CATCH_UP_UNIT: UnitLimits = { messages: 5000, hits: 1000, budgetMs: 1000 };

/**
 * Derives everything not derived yet, then exits: what `import` runs after storing, so that a
 * database imported without a server running is current. Safe beside a running server's
 * deriver: each unit reads the cursor inside its own write transaction.
 */
export async function catchUp(p: Pipeline, log: Logger, onProgress?: (derived: number, lag: number) => void): Promise<number> {
  let derived = 0;
  for (;;) {
    const u = await applyNextRaw(p, log, CATCH_UP_UNIT);
    if (u.messages + u.hits === 0) break;
    derived += u.messages + u.hits;
    onProgress?.(derived, await p.store.cursor.lag());
  }
  // Every person once, after all their rows are applied.
  while ((await derivePendingPersons(p, log, CATCH_UP_UNIT)) > 0);
  while (await recreditChunk(p, log, 1000));
  await p.store.transaction(() => p.store.reports.refreshDirtyDays(Number.MAX_SAFE_INTEGER));
  return derived;
}
