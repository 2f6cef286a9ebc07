import type { Config } from "../../config/index.js";
import { currentDealState, mergeDealFields, statusOutcome, type StoredCrmHit } from "../../crm/index.js";
import { DEAL_CONVERSION_NAME, readStoredHit } from "../../pipeline/applyCrmHit.js";
import type { ConversionRow, CrmHitRow, DealRow } from "../../store/types.js";
import { ANON, EMAIL, USER, type IdentityGraph } from "./identityGraph.js";

export interface BulkDeals {
  /** Valid hits applied (what replayCrmHits counts). */
  hits: number;
  deals: DealRow[];
  conversions: ConversionRow[];
}

/**
 * Every deal's current state from its valid stored hits, as replaying them in arrival order
 * through src/pipeline/applyCrmHit.ts ends: the newest hit (greatest updatedAt, then the later
 * received, then the later stored) decides status and outcome, the fields come from all its
 * hits (mergeDealFields), and the person is found, once every identity is known, by userId,
 * else email, else anonymousId. A won deal is a conversion at its createdAt.
 */
export function bulkDeals(rows: readonly CrmHitRow[], graph: IdentityGraph, config: Pick<Config, "crmWonStatuses" | "crmLostStatuses">): BulkDeals {
  const byDeal = new Map<string, StoredCrmHit[]>();
  let hits = 0;
  for (const row of rows) {
    const hit = readStoredHit(row);
    if (!hit) continue;
    hits++;
    const list = byDeal.get(hit.dealId);
    if (list) list.push(hit);
    else byDeal.set(hit.dealId, [hit]);
  }
  const personOf = (kind: number, value: string | null): number | null => {
    if (value === null) return null;
    const id = graph.lookup(kind, value);
    return id < 0 ? null : graph.person.get(id);
  };
  const deals: DealRow[] = [];
  const conversions: ConversionRow[] = [];
  for (const [dealId, list] of [...byDeal].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const hit = currentDealState(list)!;
    const fields = mergeDealFields(list) ?? hit;
    const personId = personOf(USER, fields.userId) ?? personOf(EMAIL, fields.email) ?? personOf(ANON, fields.anonymousId);
    const outcome = statusOutcome(hit.status, config.crmWonStatuses, config.crmLostStatuses);
    deals.push({
      amount: fields.amount,
      currency: fields.currency,
      userId: fields.userId,
      email: fields.email,
      anonymousId: fields.anonymousId,
      createdAt: fields.createdAt,
      dealId,
      status: hit.status,
      outcome,
      updatedAt: hit.updatedAt,
      receivedAt: hit.receivedAt,
      hitSeq: hit.seq,
      personId,
    });
    if (outcome === "won") {
      conversions.push({
        id: `deal:${dealId}`,
        personId,
        name: DEAL_CONVERSION_NAME,
        at: fields.createdAt,
        revenue: fields.amount ?? 0,
        currency: fields.currency,
        origin: "crm",
      });
    }
  }
  return { hits, deals, conversions };
}
