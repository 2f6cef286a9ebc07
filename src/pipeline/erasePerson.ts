import type { Store } from "../store/index.js";
import type { IdentityKind } from "../store/types.js";
import type { ValidMessage } from "../ingest/validateMessage.js";

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

/**
 * The Segment `delete` requests still stored (not applied by the deriver yet), applied in
 * arrival order: what `recompute` does last, after rebuilding from everything before them.
 */
export async function applyDeleteRequests(store: Store): Promise<number> {
  const requests = await store.raw.deleteRequests();
  for (const r of requests) await eraseByMessage(store, { userId: r.userId, anonymousId: r.anonymousId });
  return requests.length;
}

/** A Segment `delete` (user deletion request) erases the person found by its userId (else anonymousId). */
export async function eraseByMessage(store: Store, m: Pick<ValidMessage, "userId" | "anonymousId">): Promise<void> {
  const key = m.userId !== null ? ({ kind: "userId", value: m.userId } as const) : ({ kind: "anonymousId", value: m.anonymousId! } as const);
  await erasePerson(store, key);
}
