import type { Pipeline } from "../../src/pipeline/context.js";
import { personView } from "../../src/reports/personView.js";

/**
 * A content snapshot of everything derived, independent of person ids and insertion order:
 * what must be equal between incremental processing and `recompute`, or across arrival orders.
 */
export async function derivedSnapshot(p: Pipeline): Promise<unknown> {
  const persons: Array<Record<string, unknown> & { identities: Array<{ type: string; value: string }> }> = [];
  for (const id of await p.store.derived.allPersonIds()) {
    const v = await personView(p.store, id);
    const { person_id: _id, traits, ...rest } = v;
    const { is_inferred_identity: _inf, ...stableTraits } = traits as Record<string, unknown>;
    persons.push({
      ...rest,
      identities: [...rest.identities].sort((a, b) => `${a.type}:${a.value}`.localeCompare(`${b.type}:${b.value}`)).map(({ type, value }) => ({ type, value })),
      traits: stableTraits,
    });
  }
  return persons.sort((a, b) => JSON.stringify(a.identities).localeCompare(JSON.stringify(b.identities)));
}
