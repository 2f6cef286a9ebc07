import type { IdentityKey } from "../identity/index.js";
import type { DirtyPersons, Pipeline } from "./context.js";

/**
 * A CRM deal whose person was unknown waits with person_id NULL (credited Unattributed); when
 * one of its keys appears as an identity, it joins that person and is re-attributed.
 */
export function linkWaitingDeals(p: Pipeline, personId: number, added: IdentityKey[], dirty: DirtyPersons): void {
  const { deals, derived } = p.store;
  for (const key of added) {
    for (const deal of deals.dealsWaitingFor(key.kind, key.value)) {
      deals.setDealPerson(deal.dealId, personId);
      const conversion = derived.conversion(`deal:${deal.dealId}`);
      if (conversion) derived.upsertConversion({ ...conversion, personId });
      dirty.mark(personId);
    }
  }
}
