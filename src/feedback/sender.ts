import { Analytics, FetchHTTPClient, type HTTPClient, type HTTPClientRequest, type HTTPResponse } from "@segment/analytics-node";
import type { Logger } from "pino";
import { describeError } from "./describeError.js";
import { toSegmentCall } from "./segmentCall.js";
import type { AttributionContext, OutboxRow } from "./types.js";

/**
 * `rejected`: Segment refused the request that carried the row (HTTP 400: a malformed or too
 * large message); retrying the same request cannot succeed. Other failures may pass later.
 */
export type SendResult = { id: string; ok: true } | { id: string; ok: false; error: string; rejected?: boolean };

/** What the outbox needs from a sender; the Segment sender below is the real one. */
export interface OutboxSender {
  send(rows: OutboxRow[]): Promise<SendResult[]>;
}

export interface SegmentSender extends OutboxSender {
  /** Flushes what analytics-node holds, waiting at most `timeoutMs` (default: until done). */
  close(timeoutMs?: number): Promise<void>;
}

export interface SegmentSenderOptions {
  writeKey: string;
  /** SEGMENT_HOST, e.g. https://api.segment.io; the path is analytics-node's /v1/batch. */
  host: string;
  context: AttributionContext;
  logger: Logger;
  /** Events per HTTP request. Default 100 (Segment accepts up to 500 KB a request). */
  flushAt?: number;
  /** How long a partial HTTP batch waits for more events. Default 50 ms: a send() is one burst. */
  flushInterval?: number;
  /** Per HTTP request. Default 10 s. */
  httpRequestTimeout?: number;
  /** analytics-node's own retries per HTTP batch. Default 1 (see below). */
  maxRetries?: number;
  /** A row whose delivery callback has not fired by then is reported failed. Default 60 s. */
  deliveryTimeoutMs?: number;
}

/**
 * Sends outbox rows through the real analytics-node client and reports, per row, whether
 * Segment acknowledged it (the per-call callback fired without error).
 *
 * Retries: the outbox's backoff is the retry policy (durable, visible, dead-lettered), so
 * analytics-node keeps only one internal retry (after 1–2 s) to absorb a single transient blip
 * without waiting 30 s. A 429 with Retry-After is retried inside analytics-node without counting
 * against maxRetries, so `maxRateLimitDuration` bounds that wait instead. Worst case for one
 * send() is about 2 × httpRequestTimeout + 2 s, or the rate-limit bound: keep the outbox lease
 * (leaseMs) well above `deliveryTimeoutMs`.
 */
export function createSegmentSender(opts: SegmentSenderOptions): SegmentSender {
  const deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 60_000;
  const answers = new SegmentAnswers();
  const analytics = new Analytics({
    writeKey: opts.writeKey,
    host: opts.host,
    flushAt: opts.flushAt ?? 100,
    flushInterval: opts.flushInterval ?? 50,
    httpRequestTimeout: opts.httpRequestTimeout ?? 10_000,
    maxRetries: opts.maxRetries ?? 1,
    maxTotalBackoffDuration: 30,
    maxRateLimitDuration: 15,
    httpClient: answers.client(new FetchHTTPClient()),
  });
  // Status only: the request body holds personal data and the headers the write key.
  analytics.on("http_response", (res) => {
    if (res.status >= 300) opts.logger.warn({ status: res.status }, "segment answered with an error status");
  });
  let closed = false;

  function deliver(row: OutboxRow): Promise<SendResult> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const fail = (error: string) => finish({ id: row.id, ok: false, error });
      // analytics-node always resolves a delivery, but a hung row would hold the whole run.
      const timer = setTimeout(() => fail(`no delivery report within ${deliveryTimeoutMs} ms`), deliveryTimeoutMs);
      const callback = (err?: unknown, ctx?: { failedDelivery(): { reason: unknown } | undefined }) => {
        const failure = err ?? ctx?.failedDelivery()?.reason;
        const answer = answers.take(row.id);
        if (failure === undefined) return finish({ id: row.id, ok: true });
        const error = describeError(failure);
        // analytics-node reports a 400 as "[400] Bad Request"; Segment's body says why.
        if (/^\[400\]/.test(error)) finish({ id: row.id, ok: false, error: answer ? `${error}: ${answer}` : error, rejected: true });
        else fail(error);
      };

      const call = toSegmentCall(row, opts.context);
      try {
        if (call.kind === "track") analytics.track(call.params, callback);
        else if (call.kind === "identify") analytics.identify(call.params, callback);
        else fail(call.error);
      } catch (err) {
        // analytics-node validates synchronously (e.g. a missing event name) and throws.
        fail(describeError(err));
      }
    });
  }

  return {
    async send(rows) {
      // After closeAndFlush analytics-node drops calls without ever calling back.
      if (closed) return rows.map((row) => ({ id: row.id, ok: false as const, error: "sender is closed" }));
      return Promise.all(rows.map(deliver));
    },
    async close(timeoutMs) {
      if (closed) return;
      closed = true;
      await analytics.closeAndFlush(timeoutMs === undefined ? undefined : { timeout: timeoutMs });
    },
  };
}

/** Of Segment's answer to a refused request, this much is kept (it goes into `last_error`). */
const ANSWER_CHARS = 500;

/**
 * Keeps the body of Segment's 400 answers per messageId: analytics-node reports only the
 * status line, and an operator looking at a dead row wants to know what Segment objected to.
 */
class SegmentAnswers {
  private readonly byMessage = new Map<string, string>();

  client(inner: HTTPClient): HTTPClient {
    return {
      makeRequest: async (req: HTTPClientRequest): Promise<HTTPResponse> => {
        const res = await inner.makeRequest(req);
        if (res.status === 400 && typeof res.text === "function") {
          const body = (await res.text().catch(() => "")).replace(/\s+/g, " ").trim().slice(0, ANSWER_CHARS);
          if (body !== "") for (const id of messageIdsOf(req.body)) this.byMessage.set(id, body);
        }
        return res;
      },
    };
  }

  take(messageId: string): string | undefined {
    const answer = this.byMessage.get(messageId);
    this.byMessage.delete(messageId);
    return answer;
  }
}

function messageIdsOf(body: string): string[] {
  try {
    const batch = (JSON.parse(body) as { batch?: Array<{ messageId?: unknown }> }).batch ?? [];
    return batch.map((m) => m.messageId).filter((id): id is string => typeof id === "string");
  } catch {
    return [];
  }
}
