import type { Store } from "../store/index.js";
import type { IdentityKind } from "../store/types.js";

/**
 * Erases a person found by any of its identities: raw messages, CRM hits, identities and every
 * derived row, and pending feedback. Returns false when no such person is known (raw rows that
 * name the value are still erased).
 */
export async function erasePerson(store: Store, key: { kind: IdentityKind; value: string }): Promise<boolean> {
  const row = await store.identities.identity(key.kind, key.value);
  if (!row) {
    await store.admin.erasePerson(-1, [key.value]);
    return false;
  }
  const values = (await store.identities.identitiesOf(row.personId)).map((i) => i.value);
  await store.admin.erasePerson(row.personId, values);
  return true;
}
