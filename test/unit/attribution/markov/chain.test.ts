import { describe, expect, test } from "vitest";
import { solveLinearSystem } from "../../../../src/attribution/markov/solve.js";
import { countTransitions } from "../../../../src/attribution/markov/transitions.js";

describe("countTransitions", () => {
  test("keeps consecutive repeats as self-loops and orders channels by code unit", () => {
    // States: 0 start, 1 "B", 2 "a" ("B" < "a" in UTF-16), 3 conversion, 4 null.
    const chain = countTransitions([
      { channels: ["a", "a", "B"], converted: true },
      { channels: ["a"], converted: false },
    ]);
    expect(chain.channels).toEqual(["B", "a"]);
    expect(chain.counts).toEqual([
      [0, 0, 2, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 1, 1, 0, 1],
    ]);
    expect(chain.rowTotals).toEqual([2, 1, 3]);
  });
});

describe("solveLinearSystem", () => {
  test("pivots past a zero on the diagonal", () => {
    // 0x + 2y + z = 7, x + y + z = 6, 2x + y + 0z = 4 → x = 1, y = 2, z = 3.
    const x = solveLinearSystem(
      [
        [0, 2, 1],
        [1, 1, 1],
        [2, 1, 0],
      ],
      [7, 6, 4],
    );
    expect(x[0]).toBeCloseTo(1, 12);
    expect(x[1]).toBeCloseTo(2, 12);
    expect(x[2]).toBeCloseTo(3, 12);
  });

  test("leaves its inputs untouched", () => {
    const matrix = [
      [2, 1],
      [1, 3],
    ];
    const rhs = [3, 5];
    // 2x + y = 3, x + 3y = 5 → x = 4/5, y = 7/5.
    const x = solveLinearSystem(matrix, rhs);
    expect(x[0]).toBeCloseTo(0.8, 12);
    expect(x[1]).toBeCloseTo(1.4, 12);
    expect(matrix).toEqual([
      [2, 1],
      [1, 3],
    ]);
    expect(rhs).toEqual([3, 5]);
  });

  test("a singular matrix is a bug and throws", () => {
    expect(() => solveLinearSystem([[1, 2], [2, 4]], [1, 2])).toThrow(/singular/);
  });
});
