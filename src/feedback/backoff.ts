/**
 * Retry schedule of the outbox. Deterministic (no jitter): rows are claimed by the store's
 * clock in batches, so they spread out by themselves, and a fixed schedule is testable and
 * explainable to an operator ("the next try is at ...").
 *
 * 30 s, 1 min, 2 min, ... doubling, capped at 1 h; after MAX_ATTEMPTS failures the row is dead
 * (about 5 h 20 min of Segment being unreachable). Dead rows wait for `requeueDead`.
 */
export const FIRST_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 3_600_000;
export const MAX_ATTEMPTS = 12;

/** Delay before the next try after `attempts` failures (1 = first failure), or null: dead. */
export function nextAttemptDelay(attempts: number): number | null {
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`attempts must be a whole number >= 1, got ${attempts}`);
  }
  if (attempts >= MAX_ATTEMPTS) return null;
  // Clamp the exponent first so a huge count cannot overflow to Infinity.
  return Math.min(FIRST_DELAY_MS * 2 ** Math.min(attempts - 1, 30), MAX_DELAY_MS);
}
