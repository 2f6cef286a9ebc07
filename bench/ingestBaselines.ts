/**
 * The two bare baselines of the ingest benchmark, plain `node:http` handlers of
 * `POST /webhooks/segment` with nothing of the service in them (no Express, no signature
 * check, no validation, no derivation):
 *
 * - `parse`: reads the body and JSON.parses it: what the HTTP stack and the parser cost.
 * - `durable`: also stores every message raw in SQLite (WAL, synchronous=NORMAL, as the
 *   service) in one transaction per request before the 200: what the disk allows.
 * - `durable-pg`: stores every message raw in PostgreSQL in ONE statement per request (an
 *   INSERT ... SELECT FROM unnest, committed before the 200): what the database allows.
 *
 * The SQL lives here, not in src/store, because this is a yardstick beside the service, not
 * part of it.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import Database from "better-sqlite3";
import pg from "pg";

/** As the service's SEGMENT_BODY_LIMIT: Segment batches hold up to 4000 events of up to 32 KB. */
const BODY_LIMIT = 20 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on("end", () => resolve(size <= BODY_LIMIT ? Buffer.concat(chunks, size) : null));
    req.on("error", reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) });
  res.end(json);
}

/** One message, an array, or {"batch": [...]}, as the service accepts them. */
function messagesOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const batch = typeof body === "object" && body !== null ? (body as { batch?: unknown }).batch : undefined;
  return Array.isArray(batch) ? batch : [body];
}

type Counts = Record<string, number>;

/** Routes POST /webhooks/segment's parsed messages to `handle`; everything else is a 404. */
function webhookListener(handle: (messages: unknown[]) => Counts | Promise<Counts>): RequestListener {
  return (req, res) => {
    if (req.method !== "POST" || req.url !== "/webhooks/segment") return answer(res, 404, { error: { code: "not_found", message: "only POST /webhooks/segment" } });
    readBody(req).then(
      (raw) => {
        if (raw === null) return answer(res, 413, { error: { code: "too_large", message: "body over 20 MB" } });
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString("utf8"));
        } catch {
          return answer(res, 400, { error: { code: "malformed_json", message: "request body is not valid JSON" } });
        }
        const failed = (err: unknown) => answer(res, 500, { error: { code: "baseline_failed", message: err instanceof Error ? err.message : String(err) } });
        let counts: Counts | Promise<Counts>;
        try {
          counts = handle(messagesOf(parsed));
        } catch (err) {
          return failed(err);
        }
        if (counts instanceof Promise) counts.then((c) => answer(res, 200, c), failed);
        else answer(res, 200, counts);
      },
      () => res.destroy(),
    );
  };
}

/** The `parse` baseline: read, JSON.parse, 200 `{"accepted": N}`. */
export function parseBaseline(): RequestListener {
  return webhookListener((messages) => ({ accepted: messages.length }));
}

export interface DurableBaseline {
  listener: RequestListener;
  /** Rows in `messages`. */
  stored(): number;
  close(): void;
}

/** The `durable` baseline: read, JSON.parse, INSERT OR IGNORE every message raw in one transaction, 200. */
export function durableBaseline(path: string): DurableBaseline {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, message_id TEXT UNIQUE, payload TEXT)");
  const insert = db.prepare<[string | null, string]>("INSERT OR IGNORE INTO messages (message_id, payload) VALUES (?, ?)");
  const count = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM messages");
  const insertAll = db.transaction((messages: unknown[]) => {
    let accepted = 0;
    for (const m of messages) {
      const id = typeof m === "object" && m !== null ? (m as { messageId?: unknown }).messageId : undefined;
      accepted += insert.run(typeof id === "string" ? id : null, JSON.stringify(m)).changes;
    }
    return { accepted, duplicates: messages.length - accepted };
  });
  return { listener: webhookListener(insertAll), stored: () => count.get()!.n, close: () => db.close() };
}

const messageIdOf = (m: unknown): string | null => {
  const id = typeof m === "object" && m !== null ? (m as { messageId?: unknown }).messageId : undefined;
  // PostgreSQL text holds no NUL (a payload's is escaped by JSON.stringify).
  return typeof id === "string" ? id.replace(/\u0000/g, "\uFFFD") : null;
};

export interface DurablePostgresBaseline {
  listener: RequestListener;
  /** Rows in `messages`. */
  stored(): Promise<number>;
  close(): Promise<void>;
}

/** One round trip and one commit per request: the batch's ids and payloads as two arrays. */
const INSERT_BATCH = `
  INSERT INTO messages (message_id, payload)
  SELECT message_id, payload FROM unnest($1::text[], $2::text[]) AS m (message_id, payload)
  ON CONFLICT (message_id) DO NOTHING`;

/**
 * The `durable-pg` baseline: read, JSON.parse, one autocommitted INSERT ... SELECT FROM unnest
 * of the whole batch into `messages` (in the search_path of `url`, e.g. `?options=-c
 * search_path=bench_x`), 200 once it is committed. `poolSize` connections, as many as the
 * load's, so no request waits for a connection.
 */
export async function durablePostgresBaseline(url: string, poolSize = 10): Promise<DurablePostgresBaseline> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on("error", () => undefined);
  await pool.query("CREATE TABLE IF NOT EXISTS messages (seq bigserial PRIMARY KEY, message_id text UNIQUE, payload text)");
  const insertAll = async (messages: unknown[]): Promise<Counts> => {
    const r = await pool.query(INSERT_BATCH, [messages.map(messageIdOf), messages.map((m) => JSON.stringify(m))]);
    const accepted = r.rowCount ?? 0;
    return { accepted, duplicates: messages.length - accepted };
  };
  return {
    listener: webhookListener(insertAll),
    stored: async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM messages")).rows[0]!.n),
    close: () => pool.end(),
  };
}
