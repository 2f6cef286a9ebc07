import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { linkIdentities, type IdentityClaim } from "../../../src/identity/index.js";
import { createSqliteStore, type Store } from "../../../src/store/index.js";

let store: Store;
beforeEach(() => {
  store = createSqliteStore(":memory:");
});
afterEach(() => store.close());

const anon = (value: string) => ({ kind: "anonymousId" as const, value });
const user = (value: string) => ({ kind: "userId" as const, value });
const claim = (ids: IdentityClaim["ids"], email: string | null = null, at = 1): IdentityClaim => ({ ids, email, at });
const link = (c: IdentityClaim) => store.transaction(() => linkIdentities(store.identities, c));
const personOf = (kind: "anonymousId" | "userId" | "email", value: string) => store.identities.identity(kind, value)?.personId;

describe("linkIdentities", () => {
  test("a new anonymousId creates a person", () => {
    const r = link(claim([anon("a1")]));
    expect(r.added).toEqual([anon("a1")]);
    expect(personOf("anonymousId", "a1")).toBe(r.personId);
  });

  test("a message with both ids links them", () => {
    link(claim([anon("a1")]));
    const r = link(claim([anon("a1"), user("u1")]));
    expect(r.added).toEqual([user("u1")]);
    expect(personOf("userId", "u1")).toBe(personOf("anonymousId", "a1"));
  });

  test("a chain a1-u1, a2-u1, a2-? gathers both devices", () => {
    link(claim([anon("a1")]));
    link(claim([anon("a2")]));
    link(claim([anon("a1"), user("u1")]));
    const r = link(claim([anon("a2"), user("u1")]));
    expect(r.merged).toHaveLength(1);
    expect(personOf("anonymousId", "a1")).toBe(personOf("anonymousId", "a2"));
    expect(store.identities.identitiesOf(r.personId).map((i) => i.value).sort()).toEqual(["a1", "a2", "u1"]);
  });

  test("alias links previousId to userId", () => {
    link(claim([user("old")]));
    link(claim([user("new"), user("old")]));
    expect(personOf("userId", "old")).toBe(personOf("userId", "new"));
  });

  test("two userIds with the same email are linked as inferred", () => {
    link(claim([user("u1")], "same@example.com"));
    const r = link(claim([user("u2")], "same@example.com"));
    expect(personOf("userId", "u1")).toBe(personOf("userId", "u2"));
    const ids = store.identities.identitiesOf(r.personId);
    expect(ids.some((i) => i.inferred)).toBe(true);
    expect(ids.find((i) => i.kind === "email")?.inferred).toBe(false);
  });

  test("hard links are not inferred", () => {
    const r = link(claim([anon("a1"), user("u1")], "x@example.com"));
    expect(store.identities.identitiesOf(r.personId).every((i) => !i.inferred)).toBe(true);
  });

  test("the bigger person absorbs the smaller one, which disappears", () => {
    for (let i = 0; i < 50; i++) link(claim([anon(`big-${i}`), user("big")]));
    for (let i = 0; i < 20; i++) link(claim([anon(`small-${i}`), user("small")]));
    const big = personOf("userId", "big")!;
    const small = personOf("userId", "small")!;
    const r = link(claim([user("big"), user("small")]));
    expect(r.personId).toBe(big);
    expect(r.merged).toEqual([small]);
    expect(store.identities.identityCount(big)).toBe(72);
    expect(store.identities.identityCount(small)).toBe(0);
    expect(store.admin.stats().persons).toBe(1);
  });
});
