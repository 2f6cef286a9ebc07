import type { CrmHit } from "./types.js";

/** What orders two hits of one deal: DESIGN "the greatest updatedAt wins (ties: the later received)". */
export type DealHitOrder = Pick<CrmHit, "updatedAt" | "receivedAt"> & { seq: number };

/**
 * Whether `a` supersedes `b`: greater updatedAt; on a tie the later received;
 * on a tie again the later stored (`seq`), since two hits can arrive in the
 * same millisecond. Strict, so a hit never supersedes itself, and total as
 * long as seq is unique, which makes the current state independent of the
 * order hits are looked at (recompute equals incremental).
 */
export function isNewer(a: DealHitOrder, b: DealHitOrder): boolean {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
  if (a.receivedAt !== b.receivedAt) return a.receivedAt > b.receivedAt;
  return a.seq > b.seq;
}

/** The hit that describes the deal now, or undefined when there is none. */
export function currentDealState<T extends DealHitOrder>(hits: readonly T[]): T | undefined {
  let current: T | undefined;
  for (const hit of hits) {
    if (current === undefined || isNewer(hit, current)) current = hit;
  }
  return current;
}
