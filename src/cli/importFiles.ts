import { stat } from "node:fs/promises";
import { basename } from "node:path";
import cliProgress from "cli-progress";
import type { Pipeline } from "../pipeline/context.js";
import { storeBatches, type IngestCounts } from "../gateway/index.js";
import { readExport } from "./readExport.js";

/** Messages per transaction: big enough to amortise the commit, small enough to keep the heap small. */
export const IMPORT_CHUNK = 500;

export interface ImportSummary extends IngestCounts {
  files: number;
  badLines: Array<{ file: string; line: number; error: string }>;
}

/**
 * Replays Segment export files through the same gateway as the webhook (validate, store raw),
 * in chunks, so a second import of the same files only finds duplicates. Derivation follows
 * from the deriver's cursor, as for webhook traffic. A line that is not JSON is counted
 * as rejected (kept in the rejected table with its file and line) and reading goes on.
 */
export async function importFiles(p: Pipeline, files: string[], opts: { progress: boolean }): Promise<ImportSummary> {
  const total: ImportSummary = { files: 0, accepted: 0, duplicates: 0, rejected: 0, ignored: 0, badLines: [] };
  const add = (c: IngestCounts) => {
    total.accepted += c.accepted;
    total.duplicates += c.duplicates;
    total.rejected += c.rejected;
    total.ignored += c.ignored;
    if (c.deleted !== undefined) total.deleted = (total.deleted ?? 0) + c.deleted;
  };
  for (const file of files) {
    const size = (await stat(file).catch(() => null))?.size;
    if (size === undefined) throw new Error(`cannot read export file ${file}: no such file`);
    const bar = opts.progress
      ? new cliProgress.SingleBar(
          { format: `${basename(file)} [{bar}] {percentage}% | {messages} messages | {eta_formatted} left`, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        )
      : null;
    bar?.start(size, 0, { messages: 0 });
    let read = 0;
    let seen = 0;
    let chunk: unknown[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      add((await storeBatches(p.store, [chunk], p.now()))[0]!);
      seen += chunk.length;
      chunk = [];
      bar?.update(read, { messages: seen });
    };
    for await (const item of readExport(file, { onBytes: (n) => (read += n) })) {
      if ("error" in item) {
        total.rejected++;
        total.badLines.push({ file, line: item.line, error: item.error });
        // Rejected rows are kept once per payload: the file and line make a bad line's own (a
        // second import of the file does not add it again).
        await p.store.raw.insertRejected(p.now(), null, `${file}:${item.line}: ${item.error}`, JSON.stringify({ file, line: item.line, error: item.error }));
        continue;
      }
      chunk.push(item.message);
      if (chunk.length >= IMPORT_CHUNK) await flush();
    }
    await flush();
    bar?.update(size, { messages: seen });
    bar?.stop();
    total.files++;
  }
  return total;
}
