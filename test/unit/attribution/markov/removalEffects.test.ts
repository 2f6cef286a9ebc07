import { describe, expect, test } from "vitest";
import { removalEffects, type MarkovPath } from "../../../../src/attribution/index.js";

const conv = (...channels: string[]): MarkovPath => ({ channels, converted: true });
const lost = (...channels: string[]): MarkovPath => ({ channels, converted: false });

function expectEffects(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const [channel, effect] of Object.entries(expected)) expect(actual[channel]).toBeCloseTo(effect, 12);
}

describe("removalEffects", () => {
  test("the textbook three-path example: C1 0.5, C2 1, C3 1", () => {
    // start→C1 2/3, start→C2 1/3; C1→C2 1/2, C1→null 1/2; C2→C3 1; C3→conv 1/2, C3→null 1/2.
    // x(C3) = 1/2, x(C2) = 1/2, x(C1) = 1/4, P = 2/3·1/4 + 1/3·1/2 = 1/3.
    // Without C1: P = 1/3·1/2 = 1/6, effect 1/2. Without C2 or C3: P = 0, effect 1.
    const result = removalEffects([conv("C1", "C2", "C3"), lost("C1"), lost("C2", "C3")]);
    expect(result.conversionProbability).toBeCloseTo(0.333333333333333333, 12);
    expectEffects(result.effects, { C1: 0.5, C2: 1, C3: 1 });
  });

  test("[A,B]→conv, [A]→null, [B]→conv", () => {
    // start→A 2/3, start→B 1/3; A→B 1/2, A→null 1/2; B→conv 1. P = 2/3·1/2 + 1/3 = 2/3.
    // Without A: P = 1/3, effect 1 − (1/3)/(2/3) = 1/2. Without B: P = 0, effect 1.
    const result = removalEffects([conv("A", "B"), lost("A"), conv("B")]);
    expect(result.conversionProbability).toBeCloseTo(0.666666666666666667, 12);
    expectEffects(result.effects, { A: 0.5, B: 1 });
  });

  test("self-loops from consecutive repeats are kept in the chain", () => {
    // start→A 1/2, start→B 1/2; A→A 1/3, A→B 1/3, A→null 1/3; B→conv 2/4, B→B 1/4, B→null 1/4.
    // x(B) = 1/2 + x(B)/4 → 2/3; x(A) = x(A)/3 + x(B)/3 → 1/3; P = 1/6 + 1/3 = 1/2.
    // Without A: P = 1/2·2/3 = 1/3, effect 1/3. Without B: x(A) = x(A)/3 → 0, effect 1.
    const result = removalEffects([conv("A", "A", "B"), lost("A"), lost("B", "B"), conv("B")]);
    expect(result.conversionProbability).toBeCloseTo(0.5, 12);
    expectEffects(result.effects, { A: 0.333333333333333333, B: 1 });
  });

  test("a channel seen only at the end of null paths has effect exactly 0", () => {
    // start→A 2/3, start→C 1/3; A→conv 1/2, A→C 1/2; C→null 1. P = 1/3; C leads nowhere.
    const result = removalEffects([conv("A"), lost("A", "C"), lost("C")]);
    expect(result.conversionProbability).toBeCloseTo(0.333333333333333333, 12);
    expect(result.effects).toEqual({ A: 1, C: 0 });
  });

  test("a channel seen only on null paths still counts when it leads into converting channels", () => {
    // start→C 1/2, start→A 1/2; C→A 1; A→null 1/2, A→conv 1/2. P = 1/2.
    // Without C: P = 1/2·1/2 = 1/4, effect 1/2. Without A: P = 0, effect 1.
    const result = removalEffects([lost("C", "A"), conv("A")]);
    expect(result.conversionProbability).toBeCloseTo(0.5, 12);
    expectEffects(result.effects, { A: 1, C: 0.5 });
  });

  test("a loop between channels is solved exactly, not walked", () => {
    // start→A 1; A→B 2/4, A→conv 2/4; B→A 1/2, B→null 1/2.
    // x(A) = 1/2 + x(B)/2, x(B) = x(A)/2 → x(A) = 1/2 + x(A)/4 → 2/3. P = 2/3.
    // Without B: x(A) = 1/2, effect 1 − (1/2)/(2/3) = 1/4. Without A: P = 0, effect 1.
    const result = removalEffects([conv("A", "B", "A"), lost("A", "B"), conv("A")]);
    expect(result.conversionProbability).toBeCloseTo(0.666666666666666667, 12);
    expectEffects(result.effects, { A: 1, B: 0.25 });
  });

  test("no converting path: P = 0 and every effect 0", () => {
    expect(removalEffects([lost("A", "B"), lost("B")])).toEqual({ conversionProbability: 0, effects: { A: 0, B: 0 } });
  });

  test("no paths at all", () => {
    expect(removalEffects([])).toEqual({ conversionProbability: 0, effects: {} });
  });

  test("channels come out sorted, whatever the order they were seen in", () => {
    const result = removalEffects([conv("Referral", "Email"), lost("Direct"), conv("Affiliates")]);
    expect(Object.keys(result.effects)).toEqual(["Affiliates", "Direct", "Email", "Referral"]);
  });

  test("a channel named like an object key is data", () => {
    const result = removalEffects([conv("__proto__"), conv("constructor"), lost("constructor")]);
    expect(Object.keys(result.effects)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(result.effects)).toBe(Object.prototype);
  });

  test("shuffling the paths gives bit-identical results", () => {
    const paths = [
      conv("Paid Search", "Email", "Email", "Direct"),
      lost("Organic Social"),
      conv("Organic Search"),
      lost("Paid Search", "Organic Search", "Paid Search"),
      conv("Email", "Referral"),
      lost("Referral", "Referral"),
      conv("Direct", "Paid Search"),
      lost("Email", "Organic Social", "Direct"),
      conv("Organic Social", "Email"),
    ];
    const baseline = removalEffects(paths);
    let seed = 12345;
    for (let round = 0; round < 20; round++) {
      const shuffled = [...paths];
      for (let i = shuffled.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const j = seed % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j] as MarkovPath, shuffled[i] as MarkovPath];
      }
      expect(removalEffects(shuffled)).toEqual(baseline);
    }
  });
});
