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
const personOf = async (kind: "anonymousId" | "userId" | "email", value: string) => (await store.identities.identity(kind, value))?.personId;

describe("linkIdentities", () => {
  test("a new anonymousId creates a person", async () => {
    const r = await link(claim([anon("a1")]));
    expect(r.added).toEqual([anon("a1")]);
    expect(await personOf("anonymousId", "a1")).toBe(r.personId);
  });

  test("a message with both ids links them", async () => {
    await link(claim([anon("a1")]));
    const r = await link(claim([anon("a1"), user("u1")]));
    expect(r.added).toEqual([user("u1")]);
    expect(await personOf("userId", "u1")).toBe(await personOf("anonymousId", "a1"));
  });

  test("a chain a1-u1, a2-u1, a2-? gathers both devices", async () => {
    await link(claim([anon("a1")]));
    await link(claim([anon("a2")]));
    await link(claim([anon("a1"), user("u1")]));
    const r = await link(claim([anon("a2"), user("u1")]));
    expect(r.merged).toHaveLength(1);
    expect(await personOf("anonymousId", "a1")).toBe(await personOf("anonymousId", "a2"));
    expect((await store.identities.identitiesOf(r.personId)).map((i) => i.value).sort()).toEqual(["a1", "a2", "u1"]);
  });

  test("alias links previousId to userId", async () => {
    await link(claim([user("old")]));
    await link(claim([user("new"), user("old")]));
    expect(await personOf("userId", "old")).toBe(await personOf("userId", "new"));
  });

  test("an alias's previousId is not a device until it sends a message of its own, and says so once", async () => {
    await link(claim([user("u1")]));
    const aliased = await link(claim([user("u1"), { ...anon("a9"), viaAlias: true }]));
    expect(aliased.becameDevices).toEqual([]);
    expect((await store.identities.identity("anonymousId", "a9"))?.aliasOnly).toBe(true);
    // Named by an alias again: still not a device.
    expect((await link(claim([user("u1"), { ...anon("a9"), viaAlias: true }]))).becameDevices).toEqual([]);
    const own = await link(claim([anon("a9"), user("u1")]));
    expect(own.added).toEqual([]);
    expect(own.becameDevices).toEqual([anon("a9")]);
    expect((await store.identities.identity("anonymousId", "a9"))?.aliasOnly).not.toBe(true);
    expect((await link(claim([anon("a9")]))).becameDevices).toEqual([]);
  });

  test("two userIds with the same email are linked as inferred", async () => {
    await link(claim([user("u1")], "same@example.com"));
    const r = await link(claim([user("u2")], "same@example.com"));
    expect(await personOf("userId", "u1")).toBe(await personOf("userId", "u2"));
    const ids = await store.identities.identitiesOf(r.personId);
    expect(ids.some((i) => i.inferred)).toBe(true);
    expect(ids.find((i) => i.kind === "email")?.inferred).toBe(false);
  });

  test("hard links are not inferred", async () => {
    const r = await link(claim([anon("a1"), user("u1")], "x@example.com"));
    expect((await store.identities.identitiesOf(r.personId)).every((i) => !i.inferred)).toBe(true);
  });

  test("the bigger person absorbs the smaller one, which disappears", async () => {
    for (let i = 0; i < 50; i++) await link(claim([anon(`big-${i}`), user("big")]));
    for (let i = 0; i < 20; i++) await link(claim([anon(`small-${i}`), user("small")]));
    const big = (await personOf("userId", "big"))!;
    const small = (await personOf("userId", "small"))!;
    const r = await link(claim([user("big"), user("small")]));
    expect(r.personId).toBe(big);
    expect(r.merged).toEqual([small]);
    expect(await store.identities.identityCount(big)).toBe(72);
    expect(await store.identities.identityCount(small)).toBe(0);
    expect((await store.admin.stats()).persons).toBe(1);
  });
});
