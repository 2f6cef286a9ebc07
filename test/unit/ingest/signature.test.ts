import { createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import { verifySignature } from "../../../src/ingest/signature.js";

const secret = "s3cret";
const hmac = (data: string) => createHmac("sha1", secret).update(data).digest("hex");

describe("verifySignature", () => {
  const first = { type: "page", messageId: "m1", anonymousId: "a" };
  const body = JSON.stringify({ batch: [first, { type: "page", messageId: "m2", anonymousId: "b" }] });
  const raw = Buffer.from(body);
  const parse = () => JSON.parse(body) as unknown;

  test("the HMAC-SHA1 of the raw body is accepted", () => {
    expect(verifySignature(secret, raw, hmac(body), parse)).toBe(true);
  });
  test("upper-case hex is accepted", () => {
    expect(verifySignature(secret, raw, hmac(body).toUpperCase(), parse)).toBe(true);
  });
  test("the Actions batch form (HMAC of JSON.stringify(batch[0])) is accepted", () => {
    expect(verifySignature(secret, raw, hmac(JSON.stringify(first)), parse)).toBe(true);
  });
  test("the first-event form works for a bare array too", () => {
    const arr = JSON.stringify([first]);
    expect(verifySignature(secret, Buffer.from(arr), hmac(JSON.stringify(first)), () => JSON.parse(arr))).toBe(true);
  });
  test("a wrong signature is refused", () => {
    expect(verifySignature(secret, raw, hmac(body + " "), parse)).toBe(false);
  });
  test("a signature made with another secret is refused", () => {
    expect(verifySignature(secret, raw, createHmac("sha1", "other").update(body).digest("hex"), parse)).toBe(false);
  });
  test("a missing signature is refused", () => {
    expect(verifySignature(secret, raw, undefined, parse)).toBe(false);
    expect(verifySignature(secret, raw, "", parse)).toBe(false);
  });
  test("a truncated signature is refused without throwing", () => {
    expect(verifySignature(secret, raw, hmac(body).slice(0, 10), parse)).toBe(false);
  });
  test("malformed JSON with a wrong signature is refused, not thrown", () => {
    expect(verifySignature(secret, Buffer.from("{nope"), "abc", () => JSON.parse("{nope"))).toBe(false);
  });
});
