import { open, type FileHandle } from "node:fs/promises";
import { pipeline, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { parseExportText, type ExportItem } from "./exportItem.js";
import { readJsonLines } from "./readJsonLines.js";
import { splitJsonArray } from "./splitJsonArray.js";

export type { ExportItem } from "./exportItem.js";

export interface ReadExportOptions {
  /**
   * Called with the size of every chunk read from disk (compressed bytes for
   * a .gz file), so the sum runs up to the file's size: a progress bar
   * started at `fs.stat(file).size` ends exactly full.
   */
  onBytes?: (bytes: number) => void;
}

// Larger than fs's 64 KiB default: fewer chunks, fewer async hops per message.
const READ_CHUNK_BYTES = 1 << 20;
const GZIP_MAGIC = [0x1f, 0x8b] as const;
const OPEN_ARRAY = 0x5b;

/**
 * Streams the Segment messages of an export in constant memory (one message
 * at a time): JSON-lines, a JSON array (`[` as first non-blank character), a
 * line of `{"batch":[...]}`, each optionally gzip-compressed (recognised by
 * its magic bytes, whatever the file is named). Bad JSON yields
 * `{ line, error }` and reading goes on; an unreadable file throws an Error
 * naming it.
 */
export async function* readExport(filePath: string, options: ReadExportOptions = {}): AsyncGenerator<ExportItem> {
  const { handle, gzipped } = await openExportFile(filePath);
  const raw = handle.createReadStream({ start: 0, highWaterMark: READ_CHUNK_BYTES });
  const counted = countBytes(raw, options.onBytes);
  // pipeline (not .pipe) so that a read or gunzip error reaches the reader
  // below through the gunzip stream; the callback has nothing left to do.
  const decoded: AsyncIterable<Buffer> = gzipped ? pipeline(counted, createGunzip(), () => {}) : counted;
  const chunks = decoded[Symbol.asyncIterator]();
  try {
    const { head, first } = await peekFirstByte(chunks);
    if (first === undefined) return; // empty or blank file: no messages
    const all = replay(head, chunks);
    if (first === OPEN_ARRAY) {
      for await (const piece of splitJsonArray(all)) {
        yield "text" in piece ? parseExportText(piece.line, piece.text) : piece;
      }
    } else {
      yield* readJsonLines(all);
    }
  } catch (error) {
    throw new Error(`cannot read export file ${filePath}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  } finally {
    // Also runs when the consumer stops early. Readers only pull, so nothing
    // is in flight here: ending the chunk iterator ends the file stream;
    // destroy() then only matters for gzip, whose pipeline reads ahead (any
    // error from that goes to the pipeline callback, not to an 'error' event).
    await chunks.return?.();
    raw.destroy();
  }
}

async function openExportFile(filePath: string): Promise<{ handle: FileHandle; gzipped: boolean }> {
  let handle: FileHandle;
  try {
    handle = await open(filePath, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read export file ${filePath}: ${reason}`, { cause: error });
  }
  try {
    if (!(await handle.stat()).isFile()) throw new Error("not a regular file");
    return { handle, gzipped: await startsWith(handle, GZIP_MAGIC) };
  } catch (error) {
    await handle.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read export file ${filePath}: ${reason}`, { cause: error });
  }
}

async function startsWith(handle: FileHandle, magic: readonly number[]): Promise<boolean> {
  const buffer = Buffer.alloc(magic.length);
  const { bytesRead } = await handle.read(buffer, 0, magic.length, 0);
  return bytesRead === magic.length && magic.every((byte, i) => buffer[i] === byte);
}

async function* countBytes(source: Readable, onBytes: ((bytes: number) => void) | undefined): AsyncGenerator<Buffer> {
  for await (const chunk of source as AsyncIterable<Buffer>) {
    onBytes?.(chunk.length);
    yield chunk;
  }
}

/** Reads chunks until the first byte that is neither whitespace nor a byte-order mark. */
async function peekFirstByte(chunks: AsyncIterator<Buffer>): Promise<{ head: Buffer[]; first: number | undefined }> {
  const head: Buffer[] = [];
  for (;;) {
    const next = await chunks.next();
    if (next.done) return { head, first: undefined };
    head.push(next.value);
    const first = next.value.find((byte) => !SKIPPED_AT_START.has(byte));
    if (first !== undefined) return { head, first };
  }
}

// Whitespace and the UTF-8 byte-order mark EF BB BF.
const SKIPPED_AT_START = new Set([0x20, 0x0a, 0x0d, 0x09, 0xef, 0xbb, 0xbf]);

async function* replay(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}
