import type { IdentityKey } from "../identity/index.js";
import type { DirtyPersons, Pipeline } from "./context.js";

/**
 * A CRM deal whose person was unknown waits with person_id NULL (credited Unattributed); when
 * one of its keys appears as an identity, it joins that person and is re-attributed.
 */
export async function linkWaitingDeals(p: Pipeline, personId: number, added: IdentityKey[], dirty: DirtyPersons): Promise<void> {
  const { deals, derived } = p.store;
  for (const key of added) {
    for (const deal of await deals.dealsWaitingFor(key.kind, key.value)) {
      await deals.setDealPerson(deal.dealId, personId);
      const conversion = await derived.conversion(`deal:${deal.dealId}`);
      if (conversion) await derived.upsertConversion({ ...conversion, personId });
      dirty.mark(personId);
    }
  }
}
