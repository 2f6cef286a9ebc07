import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  chooseMarkovOrder,
  globalShares,
  heldOutLogLikelihood,
  removalEffects,
  removalEffectsOfOrder,
  splitHeldOut,
  unweighted,
  type MarkovPath,
} from "../../../../src/attribution/index.js";

const conv = (...channels: string[]): MarkovPath => ({ channels, converted: true });
const lost = (...channels: string[]): MarkovPath => ({ channels, converted: false });
const times = (n: number, path: MarkovPath): MarkovPath[] => Array.from({ length: n }, () => path);

describe("removalEffectsOfOrder: hand-worked chains", () => {
  test("order 2 tells A > B (converts) from C > B (does not); order 1 cannot", () => {
    // Order 1: start→A ½, start→C ½; A→B 1, C→B 1; B→conv ½, B→null ½. P = ½.
    //   Without A: ½·½ = ¼ → effect ½; without C: the same; without B: 0 → 1.
    // Order 2: states (A), (C), (A,B), (C,B): start→(A) ½ → (A,B) → conv; start→(C) ½ → (C,B) → null.
    //   P = ½. Without A ((A) and (A,B) gone): P = 0 → effect 1. Without C: P = ½ → effect 0.
    const paths = [conv("A", "B"), lost("C", "B")];
    const first = removalEffectsOfOrder(unweighted(paths), 1);
    expect(first.conversionProbability).toBeCloseTo(0.5, 15);
    expect(first.effects).toEqual({ A: 0.5, B: 1, C: 0.5 });
    const second = removalEffectsOfOrder(unweighted(paths), 2);
    expect(second.conversionProbability).toBeCloseTo(0.5, 15);
    expect(second.effects).toEqual({ A: 1, B: 1, C: 0 });
  });

  test("order 2 with a self-loop state (A,A)", () => {
    // Paths A>A>A→conv, A>A→null, A>B→conv, B→null.
    // States (A), (B), (A,A), (A,B). start→(A) 3/4, start→(B) 1/4.
    // (A)→(A,A) 2/3, (A)→(A,B) 1/3. (A,A)→(A,A) 1/3, (A,A)→conv 1/3, (A,A)→null 1/3.
    // (A,B)→conv 1. (B)→null 1.
    // x(A,A) = ⅓·x(A,A) + ⅓ → ½. x(A) = ⅔·½ + ⅓·1 = ⅔. P = ¾·⅔ = ½.
    // Without B ((B), (A,B) gone): x(A) = ⅔·½ = ⅓, P = ¾·⅓ = ¼ → effect ½. Without A: P = 0 → 1.
    const paths = [conv("A", "A", "A"), lost("A", "A"), conv("A", "B"), lost("B")];
    const r = removalEffectsOfOrder(unweighted(paths), 2);
    expect(r.conversionProbability).toBeCloseTo(0.5, 15);
    expect(r.effects.A).toBe(1);
    expect(r.effects.B).toBeCloseTo(0.5, 15);
  });

  test("an order at least as long as every path is the empirical trie: P and effects are counts", () => {
    // Each state is a path's full prefix, so P = converting paths / paths and removing c
    // loses exactly the conversions of paths that hold c.
    const paths = [conv("A", "B", "C"), conv("B"), lost("A", "C"), conv("C", "A"), lost("B", "B", "B", "A"), conv("A", "B", "C", "D"), lost("D")];
    for (const order of [4]) {
      const r = removalEffectsOfOrder(unweighted(paths), order);
      expect(r.conversionProbability).toBeCloseTo(4 / 7, 15);
      // Conversions without A: [B] → 1 of 4 → effect 3/4; without B: [C,A] → 1/4 → 3/4;
      // without C: [B] → 3/4; without D: 3 of 4 remain → 1/4.
      expect(r.effects.A).toBeCloseTo(0.75, 15);
      expect(r.effects.B).toBeCloseTo(0.75, 15);
      expect(r.effects.C).toBeCloseTo(0.75, 15);
      expect(r.effects.D).toBeCloseTo(0.25, 15);
    }
  });

  test("weights count as repeated paths", () => {
    const a = removalEffectsOfOrder([{ path: conv("A", "B"), weight: 3 }, { path: lost("B"), weight: 2 }], 2);
    const b = removalEffectsOfOrder(unweighted([...times(3, conv("A", "B")), ...times(2, lost("B"))]), 2);
    expect(a).toEqual(b);
  });

  test.each([0, 5, 1.5])("order %s is refused", (order) => {
    expect(() => removalEffectsOfOrder([], order)).toThrow(RangeError);
  });
});

const CHANNELS = ["A", "B", "C", "D"] as const;
const pathsArb: fc.Arbitrary<MarkovPath[]> = fc.array(
  fc.record({ channels: fc.array(fc.constantFrom(...CHANNELS), { minLength: 1, maxLength: 6 }), converted: fc.boolean() }),
  { maxLength: 30 },
);

describe("removalEffectsOfOrder laws", () => {
  test("order 1 by elimination equals the dense first-order solve", () => {
    fc.assert(
      fc.property(pathsArb, (paths) => {
        const dense = removalEffects(paths);
        const sparse = removalEffectsOfOrder(unweighted(paths), 1);
        expect(sparse.conversionProbability).toBeCloseTo(dense.conversionProbability, 12);
        expect(Object.keys(sparse.effects)).toEqual(Object.keys(dense.effects));
        for (const [c, e] of Object.entries(dense.effects)) expect(sparse.effects[c]).toBeCloseTo(e, 12);
      }),
    );
  });

  test.each([1, 2, 3, 4])("order %i: P is the share of converting paths, effects in [0, 1], path order irrelevant", (order) => {
    fc.assert(
      fc.property(pathsArb, (paths) => {
        const r = removalEffectsOfOrder(unweighted(paths), order);
        const converting = paths.filter((p) => p.converted).length;
        expect(r.conversionProbability).toBeCloseTo(paths.length === 0 ? 0 : converting / paths.length, 12);
        for (const e of Object.values(r.effects)) {
          expect(e).toBeGreaterThanOrEqual(0);
          expect(e).toBeLessThanOrEqual(1);
        }
        expect(removalEffectsOfOrder(unweighted([...paths].reverse()), order)).toEqual(r);
      }),
    );
  });
});

describe("MARKOV_ORDER=auto", () => {
  test("the held-out split is every fifth path in canonical order, whatever the input order", () => {
    const paths = [conv("B"), lost("A"), conv("A"), lost("A", "B"), conv("A", "B"), conv("C"), lost("C"), conv("A")];
    const a = splitHeldOut(paths);
    const b = splitHeldOut([...paths].reverse());
    expect(a).toEqual(b);
    expect(a.heldOut).toHaveLength(1);
    expect(a.train).toHaveLength(7);
  });

  test("second-order data picks order 2", () => {
    // After A > B a journey converts, after C > B it does not: only order ≥ 2 sees it, and
    // orders 3 and 4 add nothing (no path is longer than 2) but thinner contexts.
    const paths = [...times(50, conv("A", "B")), ...times(50, lost("C", "B")), ...times(20, conv("B")), ...times(20, lost("B"))];
    const chosen = chooseMarkovOrder(paths);
    expect(chosen.order).toBe(2);
    expect(chosen.logLikelihoods[1]).toBeGreaterThan(chosen.logLikelihoods[0]!);
  });

  test("single-channel journeys: every order is the same model, ties go to order 1", () => {
    const paths = [...times(10, conv("A")), ...times(30, lost("A")), ...times(5, conv("B"))];
    const chosen = chooseMarkovOrder(paths);
    expect(new Set(chosen.logLikelihoods).size).toBe(1);
    expect(chosen.order).toBe(1);
  });

  test("held-out log-likelihood by hand: add-one smoothing over channels and both ends", () => {
    // Train: A→conv once. Symbols {A, conv, null} (v = 3). Held-out: A→null.
    // P(A | start) = (1 + 1)/(1 + 3) = ½; P(null | A) = (0 + 1)/(1 + 3) = ¼. log = ln ⅛.
    expect(heldOutLogLikelihood([conv("A")], [lost("A")], 1)).toBeCloseTo(Math.log(1 / 8), 15);
  });
});

describe("markov_global shares", () => {
  test("removal effects over their sum; none positive: no split", () => {
    expect(globalShares({ B: 0.5, A: 1, C: 0.5 })).toEqual({ A: 0.5, B: 0.25, C: 0.25 });
    expect(globalShares({ A: 0, B: 0 })).toEqual({});
    expect(globalShares({})).toEqual({});
  });
});
