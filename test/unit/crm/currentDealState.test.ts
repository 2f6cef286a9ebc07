import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { currentDealState, isNewer, mergeDealFields, type StoredCrmHit } from "../../../src/crm/index.js";

function hit(seq: number, updatedAt: number, receivedAt: number, status = `s${seq}`): StoredCrmHit {
  return {
    seq, updatedAt, receivedAt, status,
    dealId: "D", idField: "dealId", amount: null, currency: null,
    userId: "u", email: null, anonymousId: null, createdAt: 0, createdAtGiven: true,
  };
}

describe("currentDealState", () => {
  test("no hits → undefined", () => {
    expect(currentDealState([])).toBeUndefined();
  });

  test("the greatest updatedAt wins even when it arrived first", () => {
    const late = hit(1, 300, 10, "won");
    const stale = hit(2, 100, 20, "open");
    expect(currentDealState([late, stale])).toBe(late);
    expect(currentDealState([stale, late])).toBe(late);
  });

  test("equal updatedAt: the later received wins", () => {
    const first = hit(2, 100, 10, "open");
    const second = hit(1, 100, 20, "lost");
    expect(currentDealState([first, second])).toBe(second);
    expect(currentDealState([second, first])).toBe(second);
  });

  test("equal updatedAt and receivedAt: the later stored (seq) wins", () => {
    const a = hit(1, 100, 10, "won");
    const b = hit(2, 100, 10, "refunded");
    expect(currentDealState([a, b])).toBe(b);
    expect(currentDealState([b, a])).toBe(b);
  });

  test.each([
    [hit(1, 200, 0), hit(2, 100, 99), true],
    [hit(2, 100, 99), hit(1, 200, 0), false],
    [hit(1, 100, 20), hit(2, 100, 10), true],
    [hit(1, 100, 10), hit(2, 100, 10), false],
    [hit(2, 100, 10), hit(1, 100, 10), true],
  ])("isNewer(%o, %o) = %s", (a, b, expected) => {
    expect(isNewer(a, b)).toBe(expected);
  });

  test("a hit is never newer than itself", () => {
    const a = hit(1, 100, 10);
    expect(isNewer(a, a)).toBe(false);
  });

  test("incremental updates with isNewer agree with currentDealState", () => {
    fc.assert(
      fc.property(hitsArbitrary, (hits) => {
        let kept: StoredCrmHit | undefined;
        for (const next of hits) if (kept === undefined || isNewer(next, kept)) kept = next;
        expect(kept).toBe(currentDealState(hits));
      }),
    );
  });

  test("any permutation of the same hits yields the same current state", () => {
    fc.assert(
      fc.property(
        hitsArbitrary.chain((hits) => fc.tuple(fc.constant(hits), fc.shuffledSubarray(hits, { minLength: hits.length }))),
        ([hits, shuffled]) => {
          expect(currentDealState(shuffled)).toBe(currentDealState(hits));
        },
      ),
    );
  });
});

// Few distinct timestamps so that ties on updatedAt and receivedAt are common.
const hitsArbitrary = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 12 })
  .map((times) => times.map(([updatedAt, receivedAt], seq) => hit(seq, updatedAt, receivedAt)));

describe("mergeDealFields", () => {
  const full = (seq: number, updatedAt: number, extra: Partial<StoredCrmHit> = {}): StoredCrmHit => ({
    ...hit(seq, updatedAt, 1000),
    amount: 100,
    currency: "EUR",
    email: "a@b.c",
    createdAt: 5,
    ...extra,
  });

  test("fields the newest hit left out come from the newest hit that has them", () => {
    const merged = mergeDealFields([
      full(1, 10, { amount: 100, createdAt: 5 }),
      full(2, 20, { amount: 250, createdAt: 5 }),
      full(3, 30, { amount: null, currency: null, createdAt: 30, createdAtGiven: false }),
    ]);
    expect(merged).toEqual({ amount: 250, currency: "EUR", userId: "u", email: "a@b.c", anonymousId: null, createdAt: 5 });
  });

  test("is the same for any order of the hits", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ updatedAt: fc.integer({ min: 0, max: 50 }), amount: fc.option(fc.integer({ min: 1, max: 9 })), createdAtGiven: fc.boolean() }),
          { minLength: 1, maxLength: 8, selector: (h) => h.updatedAt },
        ),
        fc.func(fc.integer()),
        (specs, key) => {
          const hits = specs.map((s, i) => full(i + 1, s.updatedAt, { amount: s.amount, createdAtGiven: s.createdAtGiven, createdAt: s.updatedAt }));
          const shuffled = [...hits].sort((a, b) => key(a) - key(b));
          expect(mergeDealFields(shuffled)).toEqual(mergeDealFields(hits));
        },
      ),
    );
  });

  test("no hits → undefined", () => {
    expect(mergeDealFields([])).toBeUndefined();
  });
});
