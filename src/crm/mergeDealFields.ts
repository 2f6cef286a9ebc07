import { isNewer } from "./currentDealState.js";
import type { StoredCrmHit } from "./types.js";

export type DealFields = Pick<StoredCrmHit, "amount" | "currency" | "createdAt" | "userId" | "email" | "anonymousId">;

/**
 * The deal's fields as of its newest hit, where a field that hit left out (a refund hit with no
 * amount, a status-only update) comes from the newest hit that has it. Taken over all hits, so
 * the result does not depend on the order they arrived in.
 */
export function mergeDealFields(hits: readonly StoredCrmHit[]): DealFields | undefined {
  const newestFirst = [...hits].sort((a, b) => (isNewer(a, b) ? -1 : isNewer(b, a) ? 1 : 0));
  const newest = newestFirst[0];
  if (!newest) return undefined;
  const pick = <K extends keyof DealFields>(key: K): StoredCrmHit[K] => {
    for (const h of newestFirst) if (h[key] !== null) return h[key];
    return newest[key];
  };
  return {
    amount: pick("amount"),
    currency: pick("currency"),
    userId: pick("userId"),
    email: pick("email"),
    anonymousId: pick("anonymousId"),
    createdAt: newestFirst.find((h) => h.createdAtGiven)?.createdAt ?? newest.createdAt,
  };
}
