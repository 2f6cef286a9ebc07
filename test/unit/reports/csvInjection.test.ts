import { describe, expect, test } from "vitest";
import { neutraliseFormula, reportCsv, toCsv } from "../../../src/reports/csv.js";

describe("CSV formula injection (OWASP)", () => {
  test.each([
    ["=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"],
    ["+1+1", "'+1+1"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
    ["\r=1", "'\r=1"],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
  ])("the text cell %j gets a leading quote", (input, expected) => {
    expect(neutraliseFormula(input)).toBe(expected);
  });

  test.each([["google"], ["(direct)"], ["a=b"], [""], ["'already"]])("the ordinary text %j is unchanged", (input) => {
    expect(neutraliseFormula(input)).toBe(input);
  });

  test.each([[-3], [0], [1.5], [null], [undefined]])("the non-text value %j stays as it is", (v) => {
    expect(neutraliseFormula(v)).toBe(v);
  });

  test("toCsv neutralises every text cell, keeps negative numbers numbers, and quotes what needs it", () => {
    const csv = toCsv(["key", "n"], [
      ["=1+1", -3],
      ["@x,y", 2],
      ["-\"q\"", -0.5],
    ]);
    expect(csv).toBe("key,n\r\n'=1+1,-3\r\n\"'@x,y\",2\r\n\"'-\"\"q\"\"\",-0.5\r\n");
  });

  test("report CSVs (one model and model=all) neutralise hostile keys", () => {
    const rows = [{ key: "=HYPERLINK(\"http://evil\")", conversions: 1, revenue: -3 }];
    expect(reportCsv({ groupBy: "campaign", rows }).split("\r\n")[1]).toBe("\"'=HYPERLINK(\"\"http://evil\"\")\",1,-3");
    const all = reportCsv({ groupBy: "campaign", models: { linear: { rows } } });
    expect(all.split("\r\n")[1]!.startsWith("\"'=HYPERLINK")).toBe(true);
  });
});
