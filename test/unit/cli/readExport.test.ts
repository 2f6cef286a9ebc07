import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readExport, type ExportItem, type ReadExportOptions } from "../../../src/cli/readExport.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "read-export-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function collect(path: string, options?: ReadExportOptions): Promise<ExportItem[]> {
  const items: ExportItem[] = [];
  for await (const item of readExport(path, options)) items.push(item);
  return items;
}

const PRETTY_ARRAY = `[
  {
    "type": "track",
    "event": "Order {Completed}",
    "properties": { "note": "he said \\"hi\\" }]", "path": "C:\\\\dir\\\\" }
  },
  {
    "type": "page",
    "name": "multi\\nline\\n{\\"nested\\": [1,2]}"
  },
  { "type": "identify", "traits": { "tags": ["a", "b]"], "x": {} } }
]
`;

const PRETTY_MESSAGES = [
  { type: "track", event: "Order {Completed}", properties: { note: 'he said "hi" }]', path: "C:\\dir\\" } },
  { type: "page", name: 'multi\nline\n{"nested": [1,2]}' },
  { type: "identify", traits: { tags: ["a", "b]"], x: {} } },
];

describe("readExport", () => {
  test("JSON-lines: bad lines are reported at their line and reading goes on", async () => {
    const path = await file(
      "bad.jsonl",
      ['{"messageId":"m1"}', "", "{not json", "   ", '{"messageId":"m2"}\r', '{"messageId":', '{"messageId":"m3"}'].join(
        "\n",
      ),
    );
    expect(await collect(path)).toEqual([
      { line: 1, message: { messageId: "m1" } },
      { line: 3, error: expect.stringMatching(/^invalid JSON/) },
      { line: 5, message: { messageId: "m2" } },
      { line: 6, error: expect.stringMatching(/^invalid JSON/) },
      { line: 7, message: { messageId: "m3" } },
    ]);
  });

  test('a {"batch":[...]} line or an array line yields each message under that line', async () => {
    const path = await file(
      "batch.jsonl",
      '{"batch":[{"messageId":"a"},{"messageId":"b"}],"sentAt":"2024-01-01T00:00:00Z"}\n{"messageId":"c"}\n',
    );
    expect(await collect(path)).toEqual([
      { line: 1, message: { messageId: "a" } },
      { line: 1, message: { messageId: "b" } },
      { line: 2, message: { messageId: "c" } },
    ]);
  });

  test("a pretty-printed array with tricky strings yields each element at its first line", async () => {
    const path = await file("pretty.json", PRETTY_ARRAY);
    expect(await collect(path)).toEqual([
      { line: 2, message: PRETTY_MESSAGES[0] },
      { line: 7, message: PRETTY_MESSAGES[1] },
      { line: 11, message: PRETTY_MESSAGES[2] },
    ]);
  });

  test("a bad array element is reported and the elements after it are read", async () => {
    const path = await file("bad-array.json", '[\n  {"a":1},\n  {"b":},\n  {"c":3}\n]');
    expect(await collect(path)).toEqual([
      { line: 2, message: { a: 1 } },
      { line: 3, error: expect.stringMatching(/^invalid JSON/) },
      { line: 4, message: { c: 3 } },
    ]);
  });

  test("a truncated array reports where it breaks off", async () => {
    const path = await file("truncated.json", '[{"a":1},\n{"b":2');
    expect(await collect(path)).toEqual([
      { line: 1, message: { a: 1 } },
      { line: 2, error: expect.stringContaining("end of file") },
    ]);
  });

  test("a byte-order mark is ignored in both formats", async () => {
    const jsonl = await file("bom.jsonl", '\uFEFF{"messageId":"m1"}\n');
    const array = await file("bom.json", '\uFEFF [{"messageId":"m1"}]');
    expect(await collect(jsonl)).toEqual([{ line: 1, message: { messageId: "m1" } }]);
    expect(await collect(array)).toEqual([{ line: 1, message: { messageId: "m1" } }]);
  });

  test.each([
    ["jsonl.gz", '{"messageId":"m1"}\n\n{"messageId":"m2"}\n', [
      { line: 1, message: { messageId: "m1" } },
      { line: 3, message: { messageId: "m2" } },
    ]],
    ["json.gz", PRETTY_ARRAY, PRETTY_MESSAGES.map((message, i) => ({ line: [2, 7, 11][i], message }))],
    ["export-without-extension", '[{"messageId":"m1"}]', [{ line: 1, message: { messageId: "m1" } }]],
  ])("gzip (%s) is recognised by its magic bytes and decompressed", async (name, content, expected) => {
    const path = await file(name, gzipSync(content));
    expect(await collect(path)).toEqual(expected);
  });

  test("onBytes adds up to the size on disk (compressed for gzip)", async () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => JSON.stringify({ messageId: `m${i}`, type: "track" }));
    for (const [name, content] of [
      ["count.jsonl", lines.join("\n")],
      ["count.jsonl.gz", gzipSync(lines.join("\n"))],
    ] as const) {
      const path = await file(name, content);
      let bytes = 0;
      const items = await collect(path, { onBytes: (n) => (bytes += n) });
      expect(items).toHaveLength(5_000);
      expect(bytes).toBe((await stat(path)).size);
    }
  });

  test.each([["empty.jsonl", ""], ["blank.json", " \n\n\t \r\n"]])("%s yields nothing", async (name, content) => {
    expect(await collect(await file(name, content))).toEqual([]);
  });

  test("a missing file throws an error naming it", async () => {
    const path = join(dir, "nope", "missing.jsonl");
    await expect(collect(path)).rejects.toThrow(path);
  });

  test("a directory throws an error naming it", async () => {
    await expect(collect(dir)).rejects.toThrow(dir);
  });

  test("a corrupt gzip file throws an error naming it", async () => {
    const whole = gzipSync('{"messageId":"m1"}\n'.repeat(1000));
    const path = await file("corrupt.jsonl.gz", whole.subarray(0, whole.length - 30));
    await expect(collect(path)).rejects.toThrow(path);
  });

  // An early stop must end the file stream quietly: a stream left reading
  // would surface as an unhandled 'error' event, which fails the run.
  test.each([
    ["early.jsonl", (text: string) => text],
    ["early.json", (text: string) => `[${text.trim().split("\n").join(",")}]`],
    ["early.jsonl.gz", (text: string) => gzipSync(text)],
  ])("stopping early after the first message of %s ends the read cleanly", async (name, encode) => {
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ a: i, pad: "x".repeat(100) }));
    const path = await file(name, encode(`${lines.join("\n")}\n`));
    const seen: ExportItem[] = [];
    for await (const item of readExport(path)) {
      seen.push(item);
      break;
    }
    expect(seen).toEqual([{ line: 1, message: { a: 0, pad: "x".repeat(100) } }]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let any stray stream event fire
    expect(await collect(path)).toHaveLength(20_000);
  });

  test.each([
    ["big.jsonl", (i: number) => `${JSON.stringify(message(i))}\n`, "", ""],
    ["big.json", (i: number) => `${i === 0 ? "" : ",\n"}${JSON.stringify(message(i), null, 2)}`, "[\n", "\n]\n"],
  ])("a 50k-message %s streams with every message in order", async (name, render, prefix, suffix) => {
    const path = join(dir, name);
    const out = createWriteStream(path);
    out.write(prefix);
    for (let i = 0; i < 50_000; i++) out.write(render(i));
    out.write(suffix);
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));

    const rssBefore = process.memoryUsage().rss;
    let count = 0;
    let peakRss = rssBefore;
    for await (const item of readExport(path)) {
      if (!("message" in item)) throw new Error(`line ${item.line}: ${item.error}`);
      expect((item.message as { messageId: string }).messageId).toBe(`m${count}`);
      count++;
      if (count % 5_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    expect(count).toBe(50_000);
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    console.log(`${name}: ${mb((await stat(path)).size)} MB file, rss ${mb(rssBefore)} → peak ${mb(peakRss)} MB`);
  });
});

function message(i: number) {
  return {
    messageId: `m${i}`,
    type: "page",
    anonymousId: `anon-${i % 977}`,
    timestamp: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    context: { page: { url: `https://example.com/p/${i}?utm_source=x`, referrer: "https://google.com/" } },
  };
}
