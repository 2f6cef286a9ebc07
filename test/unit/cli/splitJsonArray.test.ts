import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { splitJsonArray, type ArrayPiece } from "../../../src/cli/splitJsonArray.js";

async function split(text: string | Buffer, chunkSizes: number[] = []): Promise<ArrayPiece[]> {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const size of chunkSizes) {
    if (offset >= bytes.length) break;
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  if (offset < bytes.length) chunks.push(bytes.subarray(offset));
  const pieces: ArrayPiece[] = [];
  for await (const piece of splitJsonArray(fromArray(chunks))) pieces.push(piece);
  return pieces;
}

async function* fromArray(chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

describe("splitJsonArray", () => {
  test("elements of every JSON kind, compact", async () => {
    expect(await split('[{"a":1},[1,2],"s",12.5,true,null,-3]')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 1, text: "[1,2]" },
      { line: 1, text: '"s"' },
      { line: 1, text: "12.5" },
      { line: 1, text: "true" },
      { line: 1, text: "null" },
      { line: 1, text: "-3" },
    ]);
  });

  test("braces, brackets, quotes and escapes inside strings do not end an element", async () => {
    const element = '{"a":"}]{[","b":"say \\"hi\\" \\\\","c":"\\\\\\"}"}';
    expect(JSON.parse(element)).toEqual({ a: "}]{[", b: 'say "hi" \\', c: '\\"}' });
    expect(await split(`[${element}, {"d":2}]`)).toEqual([
      { line: 1, text: element },
      { line: 1, text: '{"d":2}' },
    ]);
  });

  test("an empty array has no elements", async () => {
    expect(await split(" [ \n ] \n")).toEqual([]);
  });

  test("an unclosed element is an error at the line it starts", async () => {
    expect(await split('[\n{"a":1},\n{"b":\n"x"')).toEqual([
      { line: 2, text: '{"a":1}' },
      { line: 3, error: expect.stringContaining("end of file") },
    ]);
  });

  test("a missing ] is an error", async () => {
    expect(await split('[{"a":1},\n')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, error: expect.stringContaining("not closed") },
    ]);
  });

  test("content after the closing ] is an error", async () => {
    expect(await split('[{"a":1}]\n{"b":2}')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, error: expect.stringContaining("after the closing ]") },
    ]);
  });

  test("a scalar ending at the end of input is kept", async () => {
    expect(await split("[1, 2")).toEqual([
      { line: 1, text: "1" },
      { line: 1, text: "2" },
      { line: 1, error: expect.stringContaining("not closed") },
    ]);
  });

  test("any chunking of a pretty-printed array gives its elements at their start lines", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 200 }),
        fc.constantFrom(0, 2, "\t"),
        async (values, chunkSizes, indent) => {
          const texts = values.map((value) => JSON.stringify(value, null, indent));
          const body = `[\n${texts.join(",\n")}\n]\n`;
          const expected: ArrayPiece[] = [];
          let line = 2;
          for (const text of texts) {
            expected.push({ line, text });
            line += text.split("\n").length; // its own lines plus the ",\n"
          }
          expect(await split(body, chunkSizes)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("multi-byte UTF-8 cut between chunks decodes whole", async () => {
    const body = '["é€😀", {"k":"日本"}]';
    const bytes = Buffer.from(body);
    for (let cut = 1; cut < bytes.length; cut++) {
      const pieces = await split(bytes, [cut]);
      expect(pieces.map((piece) => ("text" in piece ? JSON.parse(piece.text) : piece))).toEqual([
        "é€😀",
        { k: "日本" },
      ]);
    }
  });
});
