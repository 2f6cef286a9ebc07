/**
 * Splits a streamed JSON array (`[ {...}, {...} ]`, compact or pretty-printed
 * over many lines) into the text of its elements, without ever holding more
 * than one element: a Segment archive can be gigabytes on a single line.
 *
 * Works on bytes, not decoded text: every structural character of JSON is
 * ASCII and UTF-8 never uses ASCII bytes inside a multi-byte character, so a
 * chunk can be scanned (and cut) anywhere and only complete elements decoded.
 * The scanner tracks string/escape state and nesting depth only to find where
 * an element ends; JSON.parse judges the element, so a broken element costs
 * that element and the scan goes on. Commas are not checked for the same
 * reason: a missing one does not make us lose neighbours.
 */
export type ArrayPiece = { line: number; text: string } | { line: number; error: string };

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
// A UTF-8 byte-order mark (EF BB BF) may precede the array.
const BOM_BYTES = new Set([0xef, 0xbb, 0xbf]);

const isSpace = (byte: number): boolean => byte === 0x20 || byte === NEWLINE || byte === 0x0d || byte === 0x09;

type State = "before" | "between" | "element" | "after";

// The bytes that end a run of plain string content. Most of a message's bytes
// are string content, so skipping runs in a tight loop is where the speed is.
const STRING_STOP = new Uint8Array(256);
STRING_STOP[QUOTE] = STRING_STOP[BACKSLASH] = STRING_STOP[NEWLINE] = 1;

export async function* splitJsonArray(chunks: AsyncIterable<Buffer>): AsyncGenerator<ArrayPiece> {
  let state: State = "before";
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let scalar = false; // a bare number/true/false/null: ends at the next delimiter
  let elementLine = 0;
  let pending: Buffer[] = []; // earlier chunks' part of an element that spans chunks

  const finish = (chunk: Buffer, start: number, end: number): ArrayPiece => {
    const text =
      pending.length === 0
        ? chunk.toString("utf8", start, end)
        : Buffer.concat([...pending, chunk.subarray(start, end)]).toString("utf8");
    pending = [];
    return { line: elementLine, text };
  };

  for await (const chunk of chunks) {
    const length = chunk.length;
    let start = 0; // where the current element starts in this chunk
    let i = 0;
    while (i < length) {
      if (state === "element" && inString) {
        if (escaped) {
          escaped = false;
          if (chunk[i++] === NEWLINE) line++;
          continue;
        }
        while (i < length && STRING_STOP[chunk[i]!] === 0) i++;
        if (i === length) break;
        const byte = chunk[i++];
        if (byte === NEWLINE) line++; // invalid JSON, but the lines after it must stay right
        else if (byte === BACKSLASH) escaped = true;
        else {
          inString = false;
          if (depth === 0) {
            yield finish(chunk, start, i);
            state = "between";
          }
        }
        continue;
      }
      const byte = chunk[i]!;
      if (state === "element" && scalar) {
        if (isSpace(byte) || byte === COMMA || byte === CLOSE_ARRAY) {
          // The delimiter belongs to the array: not consumed, looked at again.
          yield finish(chunk, start, i);
          state = "between";
        } else i++;
        continue;
      }
      i++;
      if (byte === NEWLINE) {
        line++;
        // Pretty-printed indentation: skip it in one go.
        while (i < length && chunk[i] === 0x20) i++;
        continue;
      }
      if (state === "element") {
        if (byte === QUOTE) inString = true;
        else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
        else if ((byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) && --depth === 0) {
          yield finish(chunk, start, i);
          state = "between";
        }
        continue;
      }
      if (isSpace(byte)) continue;
      if (state === "before") {
        if (byte === OPEN_ARRAY) state = "between";
        else if (!BOM_BYTES.has(byte)) {
          yield { line, error: "not a JSON array: expected [" };
          return;
        }
      } else if (state === "between") {
        if (byte === CLOSE_ARRAY) state = "after";
        else if (byte !== COMMA) {
          state = "element";
          start = i - 1;
          elementLine = line;
          inString = byte === QUOTE;
          escaped = false;
          scalar = !inString && byte !== OPEN_OBJECT && byte !== OPEN_ARRAY;
          depth = scalar || inString ? 0 : 1;
        }
      } else {
        yield { line, error: "unexpected content after the closing ]" };
        return;
      }
    }
    if (state === "element") pending.push(chunk.subarray(start));
  }

  if (state === "element") {
    if (!scalar) {
      yield { line: elementLine, error: "unexpected end of file inside an element that starts here" };
      return;
    }
    yield finish(Buffer.alloc(0), 0, 0);
    state = "between";
  }
  if (state === "between") yield { line, error: "unexpected end of file: the array is not closed with ]" };
}
