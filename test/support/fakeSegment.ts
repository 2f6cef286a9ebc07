import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Segment's HTTP tracking API, for tests that drive the real
 * analytics-node client. Only POST /v1/batch exists, as analytics-node posts nothing else.
 */

/** One message as it arrives on the wire (analytics-node adds context.library, _metadata, ...). */
export interface WireMessage {
  type: string;
  messageId: string;
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  event?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  integrations?: Record<string, unknown>;
  context?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RecordedBatch {
  /** What the fake answered: only 2xx batches count as delivered. */
  status: number;
  authorization: string | undefined;
  /** analytics-node's X-Retry-Count header: how many times it had already tried this batch. */
  retryCount: number;
  messages: WireMessage[];
}

export interface FakeSegment {
  /** Base URL to give analytics-node as `host`. */
  url: string;
  /** Every request, accepted or not, in arrival order. */
  batches: RecordedBatch[];
  /** Messages of accepted (2xx) batches, flattened: what Segment would have ingested. */
  messages(): WireMessage[];
  /** Answer the next `n` requests with `status` (503 by default). */
  failNext(n: number, status?: number): void;
  /** Answer every request with `code` until called with null. */
  setStatus(code: number | null): void;
  /**
   * Answer 400 with `body` to every request carrying one of these messageIds (the whole
   * request is refused, as Segment does for a malformed message).
   */
  rejectMessages(ids: Iterable<string>, body?: string): void;
  close(): Promise<void>;
}

export async function startFakeSegment(): Promise<FakeSegment> {
  const batches: RecordedBatch[] = [];
  let failures: { left: number; status: number } = { left: 0, status: 503 };
  let forcedStatus: number | null = null;
  const poison = new Set<string>();
  let poisonBody = "";

  function statusForNextRequest(): number {
    if (failures.left > 0) {
      failures = { ...failures, left: failures.left - 1 };
      return failures.status;
    }
    return forcedStatus ?? 200;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST" || req.url !== "/v1/batch") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ success: false }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const batch = (parsed as { batch?: unknown }).batch;
    const poisoned = Array.isArray(batch) && (batch as WireMessage[]).some((m) => poison.has(m.messageId));
    const status = !Array.isArray(batch) || poisoned ? 400 : statusForNextRequest();
    batches.push({
      status,
      authorization: req.headers.authorization,
      retryCount: Number(req.headers["x-retry-count"] ?? 0),
      messages: Array.isArray(batch) ? (batch as WireMessage[]) : [],
    });
    const answer = poisoned ? poisonBody : JSON.stringify({ success: status < 300 });
    res.writeHead(status, { "content-type": "application/json" }).end(answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    batches,
    messages: () => batches.filter((b) => b.status >= 200 && b.status < 300).flatMap((b) => b.messages),
    failNext(n, status = 503) {
      failures = { left: n, status };
    },
    setStatus(code) {
      forcedStatus = code;
    },
    rejectMessages(ids, body = JSON.stringify({ success: false, message: "Invalid message" })) {
      for (const id of ids) poison.add(id);
      poisonBody = body;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // fetch keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
