import fc from "fast-check";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { Float64Column, Int32Column, PackedStrings, StringTable } from "../../../src/deriver/bulk/columns.js";
import { compareBinary } from "../../../src/deriver/bulk/binaryOrder.js";
import { keyOf } from "../../../src/deriver/bulk/collect.js";

describe("bulk recompute's compact columns", () => {
  test("typed columns keep every value pushed, across growth", () => {
    const ints = new Int32Column(2);
    const doubles = new Float64Column(2);
    for (let i = 0; i < 5000; i++) ints.push(i * 3 - 7), doubles.push(i + 0.5);
    expect(ints.length).toBe(5000);
    expect([ints.get(0), ints.get(4999), doubles.get(4999)]).toEqual([-7, 14990, 4999.5]);
    ints.set(10, 42);
    expect(ints.view()[10]).toBe(42);
  });

  test("packed strings give back each string as pushed, read before or after later pushes", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 40 }), { maxLength: 3000 }), (strings) => {
        const packed = new PackedStrings();
        for (const [i, s] of strings.entries()) {
          packed.push(s);
          if (i % 97 === 0) expect(packed.get(i)).toBe(s);
        }
        expect(strings.map((_, i) => packed.get(i))).toEqual(strings);
      }),
      { numRuns: 30 },
    );
  });

  test("a string table numbers each distinct string once, null as -1", () => {
    const t = new StringTable();
    expect([t.id("a"), t.id("b"), t.id("a"), t.id(null)]).toEqual([0, 1, 0, -1]);
    expect([t.get(1), t.get(-1)]).toEqual(["b", null]);
  });

  test("keys of string tuples never collide, whatever characters the strings hold", () => {
    expect(keyOf("a", "bc")).not.toBe(keyOf("ab", "c"));
    expect(keyOf(null, "x")).not.toBe(keyOf("-", "x"));
    expect(keyOf("1:a")).not.toBe(keyOf("a", null));
  });
});

describe("compareBinary", () => {
  test("orders strings as SQLite's BINARY collation (UTF-8 bytes) does, surrogate pairs included", () => {
    const db = new Database(":memory:");
    try {
      db.exec("CREATE TABLE t (s TEXT)");
      const insert = db.prepare("INSERT INTO t VALUES (?)");
      const samples = ["m1", "m10", "m2", "mé", "m\uFF21", "m\u{1F600}", "m\uE000", "m\u07FF", "m", "M", "m\u{10FFFF}", "m\uD7FF"];
      for (const s of samples) insert.run(s);
      const sqlite = (db.prepare("SELECT s FROM t ORDER BY s").pluck().all() as string[]);
      expect([...samples].sort(compareBinary)).toEqual(sqlite);
      // UTF-16 order would put the emoji first: the case compareBinary exists for
      expect([...samples].sort()).not.toEqual(sqlite);
    } finally {
      db.close();
    }
  });
});
