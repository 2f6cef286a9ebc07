import { describe, expect, test } from "vitest";
import {
  creditFirstTouch,
  creditLastNonDirect,
  creditLastTouch,
  type CreditTouch,
} from "../../../src/attribution/index.js";

const T = Date.UTC(2024, 5, 30);
const path = (...channels: string[]): CreditTouch[] => channels.map((channel, i) => ({ at: T - (channels.length - i) * 1000, channel }));

describe("first_touch", () => {
  test.each([
    { k: 0, touches: path(), expected: [] },
    { k: 1, touches: path("Email"), expected: [1] },
    { k: 2, touches: path("Email", "Direct"), expected: [1, 0] },
    { k: 3, touches: path("Email", "Direct", "Referral"), expected: [1, 0, 0] },
    { k: 6, touches: path("A", "B", "C", "D", "E", "F"), expected: [1, 0, 0, 0, 0, 0] },
  ])("k=$k gives everything to the earliest", ({ touches, expected }) => {
    expect(creditFirstTouch(touches)).toEqual(expected);
  });

  test("touches at the same time: the first in the given order wins", () => {
    const touches = [
      { at: T, channel: "Paid Search" },
      { at: T, channel: "Email" },
    ];
    expect(creditFirstTouch(touches)).toEqual([1, 0]);
  });
});

describe("last_touch", () => {
  test.each([
    { k: 0, touches: path(), expected: [] },
    { k: 1, touches: path("Email"), expected: [1] },
    { k: 2, touches: path("Email", "Direct"), expected: [0, 1] },
    { k: 3, touches: path("Email", "Direct", "Referral"), expected: [0, 0, 1] },
    { k: 6, touches: path("A", "B", "C", "D", "E", "F"), expected: [0, 0, 0, 0, 0, 1] },
  ])("k=$k gives everything to the latest", ({ touches, expected }) => {
    expect(creditLastTouch(touches)).toEqual(expected);
  });

  test("touches at the same time: the last in the given order wins", () => {
    const touches = [
      { at: T, channel: "Paid Search" },
      { at: T, channel: "Email" },
    ];
    expect(creditLastTouch(touches)).toEqual([0, 1]);
  });
});

describe("last_non_direct", () => {
  test.each([
    { name: "no touch", touches: path(), expected: [] },
    { name: "one non-direct touch", touches: path("Email"), expected: [1] },
    { name: "a Direct after the last non-direct", touches: path("Email", "Direct"), expected: [1, 0] },
    { name: "Direct before", touches: path("Direct", "Organic Search"), expected: [0, 1] },
    { name: "Directs around", touches: path("Direct", "Email", "Referral", "Direct", "Direct"), expected: [0, 0, 1, 0, 0] },
    { name: "one Direct touch", touches: path("Direct"), expected: [1] },
    { name: "every touch Direct: the latest", touches: path("Direct", "Direct", "Direct"), expected: [0, 0, 1] },
    { name: "a channel merely containing Direct is not Direct", touches: path("Email", "Direct Mail", "Direct"), expected: [0, 1, 0] },
  ])("$name", ({ touches, expected }) => {
    expect(creditLastNonDirect(touches)).toEqual(expected);
  });

  test("non-direct touches at the same time: the last in the given order wins", () => {
    const touches = [
      { at: T, channel: "Paid Search" },
      { at: T, channel: "Email" },
      { at: T, channel: "Direct" },
    ];
    expect(creditLastNonDirect(touches)).toEqual([0, 1, 0]);
  });
});
