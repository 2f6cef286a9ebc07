import express, { Router, type Response } from "express";
import type { Logger } from "pino";
import { authenticateSegmentRequest, type SegmentAuthConfig } from "../ingest/signature.js";
import { createGroupCommitter } from "../gateway/index.js";
import type { Pipeline } from "../pipeline/context.js";
import { bearerMatches } from "./bearer.js";
import { sendError } from "./errors.js";
import type { Metrics } from "./metrics.js";

/** Segment batches hold up to 4000 events of up to 32 KB; 20 MB leaves room. */
export const SEGMENT_BODY_LIMIT = "20mb";

function messagesOf(body: unknown): unknown[] | null {
  if (Array.isArray(body)) return body;
  if (typeof body !== "object" || body === null) return null;
  const batch = (body as { batch?: unknown }).batch;
  return Array.isArray(batch) ? batch : [body];
}

/**
 * POST /webhooks/segment: one message, an array, or {"batch": [...]}; 200 only after the raw
 * messages are committed (nothing is derived here). Concurrent requests share a transaction
 * (group commit), each answered with its own counts.
 */
export function segmentWebhook(p: Pipeline, log: Logger, onCommit: () => void, metrics?: Pick<Metrics, "countMessages">): Router {
  const router = Router();
  const committer = createGroupCommitter(p.store, log, { now: p.now, onCommit });
  const auth: SegmentAuthConfig = {
    sharedSecret: p.config.segmentSharedSecret,
    webhookToken: p.config.segmentWebhookToken,
    allowFirstEventSignature: p.config.allowFirstEventSignature,
  };
  // First events of legacy-signed requests being committed now: a copy arriving meanwhile is
  // refused like one already stored (the store lookup alone would let both through).
  const firstEventsInFlight = new Set<string>();
  const refuseReplay = (res: Response, messageId: string) => {
    log.warn({ messageId }, "refused a first-event-signed request whose first event is already stored");
    sendError(res, 401, "replayed_signature", "the signed first event is already stored: a first-event signature is accepted once");
  };
  const ingest = async (res: Response, parse: () => unknown) => {
    let items: unknown[] | null;
    try {
      items = messagesOf(parse());
    } catch {
      return sendError(res, 400, "malformed_json", "request body is not valid JSON");
    }
    if (items === null) return sendError(res, 400, "bad_body", "expected a Segment message, an array of messages or {\"batch\": [...]}");
    const counts = await committer.submit(items);
    metrics?.countMessages(counts);
    res.status(200).json(counts);
  };
  router.post(
    "/webhooks/segment",
    express.raw({ type: () => true, limit: SEGMENT_BODY_LIMIT }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let parsed: unknown;
      let parseError = false;
      const parse = () => {
        if (parsed === undefined && !parseError) {
          try {
            parsed = JSON.parse(raw.toString("utf8"));
          } catch {
            parseError = true;
          }
        }
        if (parseError) throw new Error("malformed JSON");
        return parsed;
      };
      const verdict = authenticateSegmentRequest(auth, {
        rawBody: raw,
        signatures: [req.header("x-signature"), req.header("x-segment-signature")],
        bearerMatches: auth.webhookToken !== undefined && bearerMatches(req.header("authorization"), auth.webhookToken),
        parsed: parse,
      });
      if (verdict.kind === "denied") return sendError(res, 401, "bad_signature", verdict.reason);
      if (verdict.kind !== "first_event_signature") return ingest(res, parse);
      // The signature covers only that event: replaying it with forged events after it must fail.
      const id = verdict.messageId;
      if (firstEventsInFlight.has(id)) return refuseReplay(res, id);
      firstEventsInFlight.add(id);
      try {
        if (await isStored(p, id)) return refuseReplay(res, id);
        await ingest(res, parse);
      } finally {
        firstEventsInFlight.delete(id);
      }
    },
  );
  return router;
}

async function isStored(p: Pipeline, messageId: string): Promise<boolean> {
  return (await p.store.raw.message(messageId)) !== undefined;
}
