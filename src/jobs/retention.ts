import type { Logger } from "pino";
import type { Pipeline } from "../pipeline/context.js";

export const DAY_MS = 86_400_000;

/**
 * RETENTION_DAYS: raw messages older than the window are purged; derived data (touchpoints,
 * conversions, credits, traits) stays, so reports keep their history. A later `recompute` can
 * only rebuild from what is left.
 */
export async function purgeExpiredMessages(p: Pipeline, days: number, log: Logger): Promise<number> {
  const purged = await p.store.admin.purgeMessagesBefore(p.now() - days * DAY_MS);
  log.info({ purged, days }, "retention: raw messages purged");
  return purged;
}
