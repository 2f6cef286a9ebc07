import type { DealOutcome } from "./types.js";

/** DESIGN defaults for `CRM_WON_STATUSES`. */
export const DEFAULT_WON_STATUSES: readonly string[] = Object.freeze([
  "won", "closed_won", "closedwon", "paid", "completed", "received", "shipped", "delivered",
]);

/** DESIGN defaults for `CRM_LOST_STATUSES`. */
export const DEFAULT_LOST_STATUSES: readonly string[] = Object.freeze([
  "lost", "closed_lost", "closedlost", "refunded", "cancelled", "canceled", "returned",
]);

/**
 * Maps a CRM status to a deal outcome, case-insensitively, ignoring surrounding spaces (lists
 * come from comma-separated env values) and treating inner spaces and hyphens as underscores,
 * so Salesforce's "Closed Won" matches `closed_won`.
 * A status in both lists is lost: counting revenue that may have been
 * refunded is the worse mistake.
 */
export function statusOutcome(
  status: string,
  won: readonly string[] = DEFAULT_WON_STATUSES,
  lost: readonly string[] = DEFAULT_LOST_STATUSES,
): DealOutcome {
  const wanted = normalise(status);
  if (lost.some((entry) => normalise(entry) === wanted)) return "lost";
  if (won.some((entry) => normalise(entry) === wanted)) return "won";
  return "open";
}

function normalise(status: string): string {
  return status.trim().toLowerCase().replace(/[\s-]+/g, "_");
}
