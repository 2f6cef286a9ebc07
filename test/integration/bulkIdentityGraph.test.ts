import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { IdentityGraph, KINDS } from "../../src/deriver/bulk/identityGraph.js";
import { linkIdentities, type IdentityKey } from "../../src/identity/index.js";
import type { IdentityKind } from "../../src/store/types.js";
import { testPipeline } from "../support/testApp.js";

const HOUR = 3_600_000;
const code = (kind: IdentityKind) => KINDS.indexOf(kind);

const claim = fc.record({
  ids: fc.uniqueArray(
    fc.record({ kind: fc.constantFrom<IdentityKind>("anonymousId", "userId"), value: fc.constantFrom("a", "b", "c", "d", "e", "f") }),
    { minLength: 1, maxLength: 3, selector: (k) => `${k.kind}:${k.value}` },
  ),
  email: fc.option(fc.constantFrom("x@e.com", "y@e.com", "z@e.com"), { freq: 2 }),
  // hours and a bit: last_seen's hour precision decides which touches count
  at: fc.integer({ min: 0, max: 12 * HOUR }),
});

/** The identities table as linkIdentities leaves it in the store. */
async function storeIdentities(claims: Array<{ ids: IdentityKey[]; email: string | null; at: number }>) {
  const p = testPipeline({}, () => 0, {}, "sqlite");
  try {
    for (const c of claims) await p.store.transaction(() => linkIdentities(p.store.identities, c));
    const rows = [];
    for (const id of await p.store.derived.allPersonIds()) {
      for (const r of await p.store.identities.identitiesOf(id)) rows.push({ ...r });
    }
    return rows.sort((x, y) => `${x.kind}:${x.value}`.localeCompare(`${y.kind}:${y.value}`));
  } finally {
    await p.cleanup();
  }
}

function memoryIdentities(claims: Array<{ ids: IdentityKey[]; email: string | null; at: number }>) {
  const g = new IdentityGraph();
  for (const c of claims) {
    g.link(
      c.ids.map((k) => code(k.kind)),
      c.ids.map((k) => k.value),
      c.email,
      c.at,
    );
  }
  const rows = [];
  for (const personId of g.persons()) {
    for (const id of g.identitiesOf(personId)) {
      rows.push({ kind: KINDS[g.kind.get(id)]!, value: g.value[id]!, personId: g.person.get(id), inferred: g.inferred.get(id) === 1, lastSeen: g.lastSeen.get(id) });
    }
  }
  return rows.sort((x, y) => `${x.kind}:${x.value}`.localeCompare(`${y.kind}:${y.value}`));
}

describe("the in-memory identity graph of bulk recompute", () => {
  test("links, merges, flags inferred ids, touches last_seen and numbers persons exactly as linkIdentities on the store", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(claim, { minLength: 1, maxLength: 25 }), async (claims) => {
        expect(memoryIdentities(claims)).toEqual(await storeIdentities(claims));
      }),
      { numRuns: 150 },
    );
  });

  test("an email on a smaller person flags that person's ids, not the email itself", async () => {
    const claims = [
      { ids: [{ kind: "userId" as const, value: "u1" }], email: "x@e.com", at: 0 },
      { ids: [{ kind: "anonymousId" as const, value: "a2" }, { kind: "userId" as const, value: "u2" }], email: null, at: 1 },
      { ids: [{ kind: "anonymousId" as const, value: "a3" }, { kind: "userId" as const, value: "u2" }], email: "x@e.com", at: 2 },
    ];
    const rows = memoryIdentities(claims);
    expect(rows.filter((r) => r.inferred).map((r) => r.value)).toEqual(["u1"]);
    expect(rows).toEqual(await storeIdentities(claims));
  });

  test("a person id freed at the top by a merge is handed out again, as SQLite's rowid is", async () => {
    const claims = [
      { ids: [{ kind: "anonymousId" as const, value: "a" }], email: null, at: 0 },
      { ids: [{ kind: "anonymousId" as const, value: "b" }], email: null, at: 0 },
      { ids: [{ kind: "anonymousId" as const, value: "a" }, { kind: "anonymousId" as const, value: "b" }], email: null, at: 0 },
      { ids: [{ kind: "anonymousId" as const, value: "c" }], email: null, at: 0 },
    ];
    const rows = memoryIdentities(claims);
    expect(rows.map((r) => [r.value, r.personId])).toEqual([["a", 1], ["b", 1], ["c", 2]]);
    expect(rows).toEqual(await storeIdentities(claims));
  });

  test("a claim naming one new id twice changes nothing (the live step fails on it)", () => {
    const g = new IdentityGraph();
    expect(g.link([0, 0], ["a", "a"], null, 0)).toBeNull();
    expect(g.size).toBe(0);
    expect([...g.persons()]).toEqual([]);
  });
});
