import { createHmac, timingSafeEqual } from "node:crypto";

function hmacHex(secret: string, data: string | Buffer): Buffer {
  return Buffer.from(createHmac("sha1", secret).update(data).digest("hex"), "utf8");
}

function sameHex(expected: Buffer, given: string): boolean {
  const g = Buffer.from(given.trim().toLowerCase(), "utf8");
  return g.length === expected.length && timingSafeEqual(g, expected);
}

/** The first event of a batched body: `[e, ...]` or `{"batch": [e, ...]}`. */
export function firstEvent(body: unknown): unknown {
  if (Array.isArray(body)) return body[0];
  if (typeof body === "object" && body !== null && Array.isArray((body as { batch?: unknown }).batch)) {
    return (body as { batch: unknown[] }).batch[0];
  }
  return undefined;
}

/**
 * Segment's Webhooks destinations sign the raw body (for Webhooks (Actions) with batching: the
 * whole array it sends) with HMAC-SHA1, hex, in `X-Signature` (or `X-Segment-Signature`).
 * Constant-time.
 */
export function verifySignature(secret: string, rawBody: Buffer, signature: string | undefined): boolean {
  return signature !== undefined && signature !== "" && sameHex(hmacHex(secret, rawBody), signature);
}

/**
 * The legacy batching form, which signed only `JSON.stringify(batch[0])`. Anyone holding one
 * captured signed event can put forged events after it, so the caller accepts it only when the
 * operator opted in and the first event is new. Never throws: a body too deep to stringify is
 * simply not signed this way.
 */
export function verifyFirstEventSignature(secret: string, first: unknown, signature: string | undefined): boolean {
  if (signature === undefined || signature === "" || first === undefined) return false;
  let text: string;
  try {
    text = JSON.stringify(first);
  } catch {
    return false;
  }
  return typeof text === "string" && sameHex(hmacHex(secret, text), signature);
}

/** What the webhook's configuration requires of a request. */
export interface SegmentAuthConfig {
  sharedSecret: string | undefined;
  webhookToken: string | undefined;
  allowFirstEventSignature: boolean;
}

export interface SegmentAuthRequest {
  rawBody: Buffer;
  /** `X-Signature`, else `X-Segment-Signature`. */
  signatures: Array<string | undefined>;
  /** Whether `Authorization: Bearer` carried SEGMENT_WEBHOOK_TOKEN (checked by the caller, constant-time). */
  bearerMatches: boolean;
  /** The parsed body; throws on malformed JSON (then no legacy form is possible). */
  parsed: () => unknown;
}

export type SegmentAuth =
  | { kind: "open" }
  | { kind: "token" }
  | { kind: "body_signature" }
  /** Signed on its first event only: the caller must refuse it when that messageId is stored already. */
  | { kind: "first_event_signature"; messageId: string }
  | { kind: "denied"; reason: string };

/**
 * Decides how (and whether) a webhook request is authenticated. Pure apart from the HMACs;
 * the store lookup the legacy form needs is the caller's.
 */
export function authenticateSegmentRequest(cfg: SegmentAuthConfig, req: SegmentAuthRequest): SegmentAuth {
  if (cfg.sharedSecret === undefined && cfg.webhookToken === undefined) return { kind: "open" };
  if (cfg.webhookToken !== undefined && req.bearerMatches) return { kind: "token" };
  const secret = cfg.sharedSecret;
  const signatures = req.signatures.filter((s): s is string => typeof s === "string" && s !== "");
  if (secret !== undefined) {
    if (signatures.some((s) => verifySignature(secret, req.rawBody, s))) return { kind: "body_signature" };
    if (cfg.allowFirstEventSignature && signatures.length > 0) {
      let first: unknown;
      try {
        first = firstEvent(req.parsed());
      } catch {
        first = undefined;
      }
      if (signatures.some((s) => verifyFirstEventSignature(secret, first, s))) {
        // As validateMessage reads it. Without a messageId the first event cannot be checked for a replay.
        const id = (first as { messageId?: unknown }).messageId;
        const messageId = typeof id === "string" ? id : typeof id === "number" && Number.isFinite(id) ? String(id) : "";
        if (messageId === "") return { kind: "denied", reason: "the first event signed alone has no messageId" };
        return { kind: "first_event_signature", messageId };
      }
    }
  }
  const wanted = [
    secret !== undefined ? "X-Signature (or X-Segment-Signature) with the HMAC-SHA1 of the body" : null,
    cfg.webhookToken !== undefined ? "Authorization: Bearer <SEGMENT_WEBHOOK_TOKEN>" : null,
  ].filter((w) => w !== null);
  return { kind: "denied", reason: `expected ${wanted.join(" or ")}` };
}
