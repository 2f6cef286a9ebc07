/**
 * The import benchmark's baseline: streams a JSON-lines file and JSON.parses each line, nothing
 * else. Prints {"messages": N} on stdout.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

const file = process.argv[2];
if (!file) throw new Error("usage: parseLines.ts FILE");
let messages = 0;
for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
  if (line.trim() === "") continue;
  if ((JSON.parse(line) as { type?: unknown }).type !== undefined) messages++;
}
process.stdout.write(`${JSON.stringify({ messages })}\n`);
