import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { sendError } from "./errors.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time check of `Authorization: Bearer <token>` (hashing first equalises lengths). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return m !== null && timingSafeEqual(digest(m[1]!.trim()), digest(token));
}

/** Requires the bearer token when one is configured; open otherwise. */
export function requireBearer(token: string | undefined, what: string): RequestHandler {
  return (req, res, next) => {
    if (token === undefined || bearerMatches(req.headers.authorization, token)) return next();
    sendError(res, 401, "unauthorized", `${what} needs Authorization: Bearer <token>`);
  };
}
