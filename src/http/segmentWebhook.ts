import express, { Router } from "express";
import type { Logger } from "pino";
import { verifySignature } from "../ingest/signature.js";
import { createGroupCommitter } from "../gateway/index.js";
import type { Pipeline } from "../pipeline/context.js";
import { sendError } from "./errors.js";

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
export function segmentWebhook(p: Pipeline, log: Logger, onCommit: () => void): Router {
  const router = Router();
  const committer = createGroupCommitter(p.store, log, { now: p.now, onCommit });
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
      const secret = p.config.segmentSharedSecret;
      if (secret !== undefined && !verifySignature(secret, raw, req.header("x-signature"), parse)) {
        return sendError(res, 401, "bad_signature", "X-Signature is missing or is not the HMAC-SHA1 of the body with the shared secret");
      }
      try {
        parse();
      } catch {
        return sendError(res, 400, "malformed_json", "request body is not valid JSON");
      }
      const items = messagesOf(parsed);
      if (items === null) return sendError(res, 400, "bad_body", "expected a Segment message, an array of messages or {\"batch\": [...]}");
      const counts = await committer.submit(items);
      res.status(200).json(counts);
    },
  );
  return router;
}
