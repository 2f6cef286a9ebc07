import { createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import { authenticateSegmentRequest, verifyFirstEventSignature, verifySignature, type SegmentAuthConfig } from "../../../src/ingest/signature.js";

const secret = "s3cret";
const hmac = (data: string) => createHmac("sha1", secret).update(data).digest("hex");

const first = { type: "page", messageId: "m1", anonymousId: "a" };
const body = JSON.stringify({ batch: [first, { type: "page", messageId: "m2", anonymousId: "b" }] });
const raw = Buffer.from(body);
const parse = () => JSON.parse(body) as unknown;

describe("verifySignature (whole body)", () => {
  test("the HMAC-SHA1 of the raw body is accepted", () => {
    expect(verifySignature(secret, raw, hmac(body))).toBe(true);
  });
  test("upper-case hex is accepted", () => {
    expect(verifySignature(secret, raw, hmac(body).toUpperCase())).toBe(true);
  });
  test("the first-event signature is not a whole-body signature", () => {
    expect(verifySignature(secret, raw, hmac(JSON.stringify(first)))).toBe(false);
  });
  test("a wrong signature is refused", () => {
    expect(verifySignature(secret, raw, hmac(body + " "))).toBe(false);
  });
  test("a signature made with another secret is refused", () => {
    expect(verifySignature(secret, raw, createHmac("sha1", "other").update(body).digest("hex"))).toBe(false);
  });
  test("a missing signature is refused", () => {
    expect(verifySignature(secret, raw, undefined)).toBe(false);
    expect(verifySignature(secret, raw, "")).toBe(false);
  });
  test("a truncated signature is refused without throwing", () => {
    expect(verifySignature(secret, raw, hmac(body).slice(0, 10))).toBe(false);
  });
});

describe("verifyFirstEventSignature (legacy)", () => {
  test("the HMAC of JSON.stringify(batch[0]) matches", () => {
    expect(verifyFirstEventSignature(secret, first, hmac(JSON.stringify(first)))).toBe(true);
  });
  test("a value too deep to stringify is refused, not thrown", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(verifyFirstEventSignature(secret, deep, "abc")).toBe(false);
  });
});

describe("authenticateSegmentRequest", () => {
  const cfg = (over: Partial<SegmentAuthConfig> = {}): SegmentAuthConfig => ({
    sharedSecret: secret,
    webhookToken: undefined,
    allowFirstEventSignature: false,
    ...over,
  });
  const req = (signatures: Array<string | undefined>, bearerMatches = false, b = body) => ({
    rawBody: Buffer.from(b),
    signatures,
    bearerMatches,
    parsed: () => JSON.parse(b) as unknown,
  });

  test("nothing configured: open", () => {
    expect(authenticateSegmentRequest(cfg({ sharedSecret: undefined }), req([]))).toEqual({ kind: "open" });
  });
  test.each([
    ["X-Signature", [hmac(body), undefined]],
    ["X-Segment-Signature", [undefined, hmac(body)]],
    ["X-Signature wrong, X-Segment-Signature right", ["00", hmac(body)]],
  ])("the whole-body HMAC in %s is accepted", (_name, signatures) => {
    expect(authenticateSegmentRequest(cfg(), req(signatures))).toEqual({ kind: "body_signature" });
  });
  test("the bearer token is accepted when configured, with or without a secret", () => {
    expect(authenticateSegmentRequest(cfg({ webhookToken: "tok" }), req([], true))).toEqual({ kind: "token" });
    expect(authenticateSegmentRequest(cfg({ sharedSecret: undefined, webhookToken: "tok" }), req([], true))).toEqual({ kind: "token" });
  });
  test("a token configured without a secret: no token is a denial", () => {
    const v = authenticateSegmentRequest(cfg({ sharedSecret: undefined, webhookToken: "tok" }), req([hmac(body)]));
    expect(v.kind).toBe("denied");
    expect(v.kind === "denied" && v.reason).toContain("Bearer");
  });
  test("a bearer match counts only when a token is configured", () => {
    expect(authenticateSegmentRequest(cfg(), req([], true)).kind).toBe("denied");
  });
  test("the first-event form is denied unless opted in", () => {
    expect(authenticateSegmentRequest(cfg(), req([hmac(JSON.stringify(first))])).kind).toBe("denied");
  });
  test("opted in, the first-event form names the first event for the replay check", () => {
    expect(authenticateSegmentRequest(cfg({ allowFirstEventSignature: true }), req([hmac(JSON.stringify(first))]))).toEqual({
      kind: "first_event_signature",
      messageId: "m1",
    });
    const arr = JSON.stringify([first]);
    expect(authenticateSegmentRequest(cfg({ allowFirstEventSignature: true }), req([undefined, hmac(JSON.stringify(first))], false, arr))).toEqual({
      kind: "first_event_signature",
      messageId: "m1",
    });
  });
  test("opted in, a signed first event without a messageId is denied", () => {
    const noId = { type: "page", anonymousId: "a" };
    const b = JSON.stringify([noId, first]);
    expect(authenticateSegmentRequest(cfg({ allowFirstEventSignature: true }), req([hmac(JSON.stringify(noId))], false, b)).kind).toBe("denied");
  });
  test("malformed JSON with a wrong signature is denied, not thrown", () => {
    expect(authenticateSegmentRequest(cfg({ allowFirstEventSignature: true }), req(["abc"], false, "{nope")).kind).toBe("denied");
  });
  test("an unsigned deep body with a bogus signature is denied, not thrown", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(authenticateSegmentRequest(cfg({ allowFirstEventSignature: true }), req(["deadbeef"], false, deep)).kind).toBe("denied");
  });
});
