import { parseExportText, type ExportItem } from "./exportItem.js";

const NEWLINE = 0x0a;
const OPEN_OBJECT = 0x7b;

/**
 * JSON-lines: one Segment message per line. Like `POST /webhooks/segment`, a
 * line may also hold `{"batch":[...]}` (how Segment's HTTP API and some
 * archives write a batch) or an array; their messages are yielded one by one
 * under that line's number. Blank lines are skipped but still counted, so
 * the numbers match an editor's.
 *
 * Lines are cut from Buffer chunks with indexOf rather than with readline:
 * readline reads ahead through a stream of its own, and stopping early (or
 * a read error) then surfaces as an unhandled 'error' event; a pull-only
 * generator cleans up through return(). It is also faster, and splitting on
 * the byte 0x0A is safe in UTF-8 (no multi-byte character contains it).
 */
export async function* readJsonLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<ExportItem> {
  let line = 0;
  let carry: Buffer[] = []; // the start of a line that continues in the next chunk
  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const text =
        carry.length === 0
          ? chunk.toString("utf8", start, end)
          : Buffer.concat([...carry, chunk.subarray(start, end)]).toString("utf8");
      carry = [];
      start = end + 1;
      yield* lineItems(++line, text);
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length > 0) yield* lineItems(++line, Buffer.concat(carry).toString("utf8"));
}

/** The items of one line: none when blank, several for a batch. An array, not a generator: this runs per line. */
function lineItems(line: number, raw: string): ExportItem[] {
  // A UTF-8 byte-order mark survives decoding as U+FEFF and breaks JSON.parse;
  // \r is the rest of a Windows line end.
  let text = line === 1 && raw.startsWith("\uFEFF") ? raw.slice(1) : raw;
  if (text.endsWith("\r")) text = text.slice(0, -1);
  // Most lines start with "{": only the rest need the (allocating) blank check.
  if (text.charCodeAt(0) !== OPEN_OBJECT && text.trim() === "") return [];
  const item = parseExportText(line, text);
  if ("error" in item) return [item];
  const value = item.message;
  if (Array.isArray(value)) return value.map((message: unknown) => ({ line, message }));
  if (isBatch(value)) return value.batch.map((message) => ({ line, message }));
  return [item];
}

function isBatch(value: unknown): value is { batch: unknown[] } {
  return typeof value === "object" && value !== null && Array.isArray((value as { batch?: unknown }).batch);
}
