import { describe, expect, test } from "vitest";
import { creditMarkov, type CreditTouch, type RemovalEffects } from "../../../../src/attribution/index.js";

const path = (...channels: string[]): CreditTouch[] => channels.map((channel, i) => ({ at: i * 1000, channel }));

describe("creditMarkov", () => {
  test("the textbook example's converting path: effects 0.5, 1, 1 give 0.2, 0.4, 0.4", () => {
    expect(creditMarkov(path("C1", "C2", "C3"), { C1: 0.5, C2: 1, C3: 1 })).toEqual([0.2, 0.4, 0.4]);
  });

  test("a channel's share is split evenly over its touches", () => {
    // A 0.5 / 1.5 = 1/3 over two touches; B 2/3.
    const credits = creditMarkov(path("A", "B", "A"), { A: 0.5, B: 1 });
    expect(credits[0]).toBeCloseTo(0.166666666666666667, 15);
    expect(credits[1]).toBeCloseTo(0.666666666666666667, 15);
    expect(credits[2]).toBeCloseTo(0.166666666666666667, 15);
  });

  test("a channel with effect 0 gets 0 while others have effects", () => {
    expect(creditMarkov(path("A", "C"), { A: 1, C: 0 })).toEqual([1, 0]);
  });

  test.each<{ name: string; effects: RemovalEffects | undefined }>([
    { name: "all effects 0", effects: { A: 0, B: 0 } },
    { name: "effects unknown", effects: {} },
    { name: "no effects at all", effects: undefined },
    { name: "unusable values", effects: { A: Number.NaN, B: -0.5 } },
  ])("$name: linear over the distinct channels", ({ effects }) => {
    // Two distinct channels, A twice: A 0.5 over two touches, B 0.5.
    expect(creditMarkov(path("A", "B", "A"), effects)).toEqual([0.25, 0.5, 0.25]);
  });

  test("inherited object keys are not effects", () => {
    expect(creditMarkov(path("constructor", "B"), { B: 0.5 })).toEqual([0, 1]);
  });

  test("no touches: no credits", () => {
    expect(creditMarkov([], { A: 1 })).toEqual([]);
  });
});
