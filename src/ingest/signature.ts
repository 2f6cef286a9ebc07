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
 * Segment's Webhooks destination signs the raw body with HMAC-SHA1 (hex) in `X-Signature`.
 * The Actions destination, when it batches, signs only `JSON.stringify(batch[0])`: accepted too.
 * Comparisons are constant-time.
 */
export function verifySignature(secret: string, rawBody: Buffer, signature: string | undefined, parsed: () => unknown): boolean {
  if (!signature) return false;
  if (sameHex(hmacHex(secret, rawBody), signature)) return true;
  let first: unknown;
  try {
    first = firstEvent(parsed());
  } catch {
    return false;
  }
  return first !== undefined && sameHex(hmacHex(secret, JSON.stringify(first)), signature);
}
