import type { ErrorRequestHandler, Response } from "express";
import type { Logger } from "pino";
import { StoreBusyError, StoreUnavailableError } from "../store/errors.js";

/** The one JSON error shape of every HTTP error: `{ "error": { "code", "message" } }`. */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Last handler: body-parser errors become 400/413, a busy store 503, anything unexpected a logged 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message);
    // Retryable: Segment and CRMs retry a 503, and nothing was acknowledged.
    if (err instanceof StoreBusyError || err instanceof StoreUnavailableError) {
      log.warn({ err: err.message }, "store busy or unavailable; answered 503");
      res.setHeader("Retry-After", String(err.retryAfterSeconds));
      return sendError(res, 503, "unavailable", `${err.message}; retry later`);
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === "entity.too.large") return sendError(res, 413, "payload_too_large", "request body exceeds the limit");
    if (e.type === "entity.parse.failed") return sendError(res, 400, "malformed_json", "request body is not valid JSON");
    if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
      return sendError(res, e.status, "bad_request", e.message ?? "bad request");
    }
    log.error({ err }, "unhandled error");
    sendError(res, 500, "internal", "internal error; the request can be retried");
  };
}
