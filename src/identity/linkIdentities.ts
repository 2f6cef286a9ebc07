import type { IdentityKind, IdentityRow } from "../store/types.js";

/** The part of the store the identity graph needs. */
export interface IdentityGraph {
  identity(kind: IdentityKind, value: string): Promise<IdentityRow | undefined>;
  insertIdentity(kind: IdentityKind, value: string, personId: number, inferred: boolean, seenAt: number, aliasOnly?: boolean): Promise<void>;
  /** The anonymousId sent a message of its own: it is a device now. */
  clearAliasOnly(kind: IdentityKind, value: string): Promise<void>;
  touchIdentity(kind: IdentityKind, value: string, seenAt: number): Promise<void>;
  identityCount(personId: number): Promise<number>;
  createPerson(now: number): Promise<number>;
  markInferred(personId: number): Promise<void>;
  mergePersonInto(from: number, to: number): Promise<void>;
}

export interface IdentityKey {
  kind: IdentityKind;
  value: string;
  /** Named only as an alias's previousId, not as the message's own id. */
  viaAlias?: boolean;
}

/** What one message says about identity: ids it links for sure, and an email trait that links by inference. */
export interface IdentityClaim {
  ids: IdentityKey[];
  email: string | null;
  at: number;
}

export interface LinkResult {
  personId: number;
  /** Persons that ceased to exist, merged into `personId`. */
  merged: number[];
  /** Identities seen for the first time (deals may be waiting for them). */
  added: IdentityKey[];
  /**
   * anonymousIds known so far only as an alias's previousId that now sent a message of their
   * own: they count as devices from now on, so the person's device_count changed.
   */
  becameDevices: IdentityKey[];
}

/**
 * Union by size: the person with more identities absorbs the others, so a merge costs the size
 * of the smaller side, never a rescan. Links through a shared email trait are inferred: the
 * absorbed side's ids are flagged.
 */
export async function linkIdentities(graph: IdentityGraph, claim: IdentityClaim): Promise<LinkResult> {
  const merged: number[] = [];
  const added: IdentityKey[] = [];
  const becameDevices: IdentityKey[] = [];
  const persons = new Set<number>();
  const missing: IdentityKey[] = [];
  for (const k of claim.ids) {
    const row = await graph.identity(k.kind, k.value);
    if (!row) {
      missing.push(k);
      continue;
    }
    persons.add(row.personId);
    await touch(graph, k, row.lastSeen, claim.at);
    if (row.aliasOnly === true && k.viaAlias !== true) {
      await graph.clearAliasOnly(k.kind, k.value);
      becameDevices.push({ kind: k.kind, value: k.value });
    }
  }
  const personId = persons.size === 0 ? await graph.createPerson(claim.at) : await absorb(graph, [...persons], false, merged);
  for (const k of missing) {
    await graph.insertIdentity(k.kind, k.value, personId, false, claim.at, k.viaAlias === true && k.kind === "anonymousId");
    added.push({ kind: k.kind, value: k.value });
  }
  if (claim.email !== null) {
    const row = await graph.identity("email", claim.email);
    if (!row) {
      await graph.insertIdentity("email", claim.email, personId, false, claim.at);
      added.push({ kind: "email", value: claim.email });
    } else {
      await touch(graph, { kind: "email", value: claim.email }, row.lastSeen, claim.at);
      if (row.personId !== personId) return { personId: await absorb(graph, [personId, row.personId], true, merged), merged, added, becameDevices };
    }
  }
  return { personId, merged, added, becameDevices };
}

/**
 * `last_seen` only picks which id feedback goes to (the most recently seen), so an hour's
 * precision is enough and spares an UPDATE per id on most messages.
 */
const LAST_SEEN_PRECISION_MS = 3_600_000;

async function touch(graph: IdentityGraph, k: IdentityKey, lastSeen: number, at: number): Promise<void> {
  if (at > lastSeen + LAST_SEEN_PRECISION_MS) await graph.touchIdentity(k.kind, k.value, at);
}

async function absorb(graph: IdentityGraph, persons: number[], inferred: boolean, merged: number[]): Promise<number> {
  if (persons.length === 1) return persons[0]!;
  const sized: Array<{ p: number; n: number }> = [];
  for (const p of persons) sized.push({ p, n: await graph.identityCount(p) });
  sized.sort((a, b) => b.n - a.n || a.p - b.p);
  const winner = sized[0]!.p;
  for (const { p } of sized.slice(1)) {
    if (inferred) await graph.markInferred(p);
    await graph.mergePersonInto(p, winner);
    merged.push(p);
  }
  return winner;
}
