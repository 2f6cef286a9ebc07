import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  CoalitionValues,
  MAX_SHAPLEY_CHANNELS,
  coalitionsOf,
  creditConversion,
  creditShapley,
  shapleyValues,
  type MarkovPath,
} from "../../../../src/attribution/index.js";

const DAY = 86_400_000;
const T = Date.UTC(2024, 5, 1);
const SETTINGS = { lookbackDays: 30, decayHalfLifeDays: 7 };

/** `journeys` journeys with exactly these channels, `conversions` of them converted. */
function journeys(channels: string[], total: number, conversions: number): MarkovPath[] {
  return Array.from({ length: total }, (_, i) => ({ channels, converted: i < conversions }));
}

/**
 * An independent reference: the Shapley value as the average, over all n! orders in which the
 * players join, of each player's marginal contribution when it joins (Shapley 1953's original
 * definition), instead of the subset-weight formula the module uses.
 */
function shapleyByPermutations(players: string[], v: (set: string[]) => number): Map<string, number> {
  const out = new Map(players.map((p) => [p, 0]));
  let orders = 0;
  const permute = (rest: string[], prefix: string[]) => {
    if (rest.length === 0) {
      orders++;
      const joined: string[] = [];
      for (const p of prefix) {
        const before = v(joined);
        joined.push(p);
        out.set(p, out.get(p)! + v(joined) - before);
      }
      return;
    }
    rest.forEach((p, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...prefix, p]));
  };
  permute(players, []);
  for (const p of players) out.set(p, out.get(p)! / orders);
  return out;
}

describe("shapley: hand-worked datasets", () => {
  test("two channels: A 1/3, B 2/3", () => {
    // v(A) = 1/4 (4 journeys, 1 converted), v(B) = 1/2 (2, 1), v(AB) = 3/4 (4, 3), v(∅) = 0.
    // φ_A = ½·(v(A) − v(∅)) + ½·(v(AB) − v(B)) = ½·¼ + ½·¼ = 1/4
    // φ_B = ½·(v(B) − v(∅)) + ½·(v(AB) − v(A)) = ½·½ + ½·½ = 1/2
    // φ_A + φ_B = 3/4 = v(AB) (efficiency); normalised: A 1/3, B 2/3.
    const values = new CoalitionValues(coalitionsOf([...journeys(["A"], 4, 1), ...journeys(["B"], 2, 1), ...journeys(["B", "A"], 4, 3)]));
    expect(values.value(["A"])).toBe(0.25);
    expect(values.value(["B", "A"])).toBe(0.75);
    const phi = shapleyValues(["A", "B"], (s) => values.value(s));
    expect(phi[0]).toBeCloseTo(0.25, 15);
    expect(phi[1]).toBeCloseTo(0.5, 15);
    const shares = values.sharesOf(["B", "A"])!;
    expect(shares.get("A")).toBeCloseTo(1 / 3, 15);
    expect(shares.get("B")).toBeCloseTo(2 / 3, 15);
    // A conversion A, B, A: A's 1/3 is split over its two touches.
    const credits = creditShapley([{ at: 1, channel: "A" }, { at: 2, channel: "B" }, { at: 3, channel: "A" }], values);
    expect(credits[0]).toBeCloseTo(1 / 6, 15);
    expect(credits[1]).toBeCloseTo(2 / 3, 15);
    expect(credits[2]).toBeCloseTo(1 / 6, 15);
    // A single-channel journey gets everything: φ_A = v(A).
    expect(creditShapley([{ at: 1, channel: "A" }], values)).toEqual([1]);
  });

  test("three channels, one never alone: A 35/120, B 62/120, C 23/120", () => {
    // v(A) = .2, v(B) = .4, v(C) = 0 (no journey), v(AB) = .5, v(AC) = .25, v(BC) = .5, v(ABC) = 1.
    // Weights for n = 3: |S| = 0 → 1/3, |S| = 1 → 1/6, |S| = 2 → 1/3.
    // φ_A = ⅓·.2 + ⅙·(.5 − .4) + ⅙·(.25 − 0) + ⅓·(1 − .5) = 8/120 + 2/120 + 5/120 + 20/120 = 35/120
    // φ_B = ⅓·.4 + ⅙·(.5 − .2) + ⅙·(.5 − 0) + ⅓·(1 − .25) = 16/120 + 6/120 + 10/120 + 30/120 = 62/120
    // φ_C = ⅓·0 + ⅙·(.25 − .2) + ⅙·(.5 − .4) + ⅓·(1 − .5) = 0 + 1/120 + 2/120 + 20/120 = 23/120
    // Sum 120/120 = v(ABC).
    const paths = [
      ...journeys(["A"], 5, 1),
      ...journeys(["B"], 5, 2),
      ...journeys(["A", "B"], 4, 2),
      ...journeys(["C", "A"], 4, 1),
      ...journeys(["B", "C"], 2, 1),
      ...journeys(["C", "B", "A"], 2, 2),
    ];
    const values = new CoalitionValues(coalitionsOf(paths));
    const shares = values.sharesOf(["A", "B", "C"])!;
    expect(shares.get("A")).toBeCloseTo(35 / 120, 14);
    expect(shares.get("B")).toBeCloseTo(62 / 120, 14);
    expect(shares.get("C")).toBeCloseTo(23 / 120, 14);
    const reference = shapleyByPermutations(["A", "B", "C"], (s) => values.value(s));
    for (const [p, phi] of reference) expect(shares.get(p)).toBeCloseTo(phi, 14);
  });

  test("a channel that lowers the rate gets a negative share; the shares still sum to 1", () => {
    // v(A) = .8, v(B) = .2, v(AB) = .3. φ_A = ½·.8 + ½·(.3 − .2) = .45; φ_B = ½·.2 + ½·(.3 − .8) = −.15.
    // Sum .3 = v(AB); normalised A 1.5, B −0.5 (kept: the README says why).
    const values = new CoalitionValues(coalitionsOf([...journeys(["A"], 5, 4), ...journeys(["B"], 5, 1), ...journeys(["A", "B"], 10, 3)]));
    const shares = values.sharesOf(["A", "B"])!;
    expect(shares.get("A")).toBeCloseTo(1.5, 14);
    expect(shares.get("B")).toBeCloseTo(-0.5, 14);
  });

  test.each([
    ["no fit at all", undefined],
    ["a set that never converted (v(N) = 0)", new CoalitionValues(coalitionsOf(journeys(["A", "B"], 3, 0)))],
  ])("linear over distinct channels with %s", (_, values) => {
    expect(creditShapley([{ at: 1, channel: "A" }, { at: 2, channel: "B" }, { at: 3, channel: "B" }], values)).toEqual([0.5, 0.25, 0.25]);
  });

  test("a set never seen whose Shapley values sum to rounding noise, not 0: linear", () => {
    // Only v(A) = 1 is known; for N = {A, B, D, E}, Σφ = v(N) = 0, but summed in floating point it
    // came out 1e-17 and the shares blew up (found by the property below).
    const values = new CoalitionValues(coalitionsOf([{ channels: ["A"], converted: true }]));
    const credits = creditShapley(["D", "B", "E", "A"].map((channel, at) => ({ at, channel })), values);
    expect(credits).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  test(`more than ${MAX_SHAPLEY_CHANNELS} distinct channels: linear`, () => {
    const channels = Array.from({ length: MAX_SHAPLEY_CHANNELS + 1 }, (_, i) => `C${i}`);
    const values = new CoalitionValues(coalitionsOf(journeys(channels, 2, 1)));
    expect(values.sharesOf(channels)).toBeNull();
    const credits = creditShapley(channels.map((channel, at) => ({ at, channel })), values);
    for (const c of credits) expect(c).toBeCloseTo(1 / channels.length, 15);
    // At the cap it is still enumerated exactly: one set only, so φ is symmetric.
    const atCap = channels.slice(0, MAX_SHAPLEY_CHANNELS);
    const capValues = new CoalitionValues(coalitionsOf(journeys(atCap, 2, 1)));
    expect(capValues.sharesOf(atCap)?.get("C0")).toBeCloseTo(1 / MAX_SHAPLEY_CHANNELS, 14);
  });

  test("creditConversion: shapley over the eligible touches only", () => {
    const values = new CoalitionValues(coalitionsOf([...journeys(["A"], 4, 1), ...journeys(["B"], 2, 1), ...journeys(["A", "B"], 4, 3)]));
    const touches = [
      { at: T - 40 * DAY, channel: "Email" }, // outside the lookback
      { at: T - 2 * DAY, channel: "A" },
      { at: T - DAY, channel: "B" },
    ];
    const rows = creditConversion("shapley", touches, T, SETTINGS, undefined, values);
    expect(rows.map((r) => r.touch)).toEqual([1, 2]);
    expect(rows[0]!.credit).toBeCloseTo(1 / 3, 15);
    expect(rows[1]!.credit).toBeCloseTo(2 / 3, 15);
  });
});

const CHANNELS = ["A", "B", "C", "D", "E"] as const;
const pathsArb: fc.Arbitrary<MarkovPath[]> = fc.array(
  fc.record({ channels: fc.array(fc.constantFrom(...CHANNELS), { minLength: 1, maxLength: 5 }), converted: fc.boolean() }),
  { maxLength: 40 },
);

describe("shapley laws", () => {
  test("subset formula equals the permutation definition; a conversion's credits sum to 1", () => {
    fc.assert(
      fc.property(pathsArb, fc.array(fc.constantFrom(...CHANNELS), { minLength: 1, maxLength: 6 }), (paths, journey) => {
        const values = new CoalitionValues(coalitionsOf(paths));
        const players = [...new Set(journey)].sort();
        const phi = shapleyValues(players, (s) => values.value(s));
        const reference = shapleyByPermutations(players, (s) => values.value(s));
        players.forEach((p, i) => expect(phi[i]).toBeCloseTo(reference.get(p)!, 12));
        const credits = creditShapley(journey.map((channel, at) => ({ at, channel })), values);
        expect(Math.abs(credits.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-9);
      }),
    );
  });

  test("the order of the journeys does not change a bit", () => {
    fc.assert(
      fc.property(pathsArb, (paths) => {
        const a = new CoalitionValues(coalitionsOf(paths));
        const b = new CoalitionValues(coalitionsOf([...paths].reverse()));
        expect(b.coalitions).toEqual(a.coalitions);
        for (const c of a.coalitions) expect(b.sharesOf(c.channels)).toEqual(a.sharesOf(c.channels));
      }),
    );
  });
});
