import { Router } from "express";
import type { Pipeline } from "../pipeline/context.js";
import { sendError } from "./errors.js";

export const REJECTED_DEFAULT_LIMIT = 50;
export const REJECTED_MAX_LIMIT = 1000;
/** How many distinct reasons the summary lists. */
export const REJECTED_REASONS = 20;

/**
 * GET /api/rejected?limit=&offset=: rejected input, newest first, one row per distinct payload:
 * `{"rows": [{"received_at", "message_id", "reason", "payload", "arrivals"}], "total", "reasons"}`.
 * `payload` is the message as it arrived (JSON; the text when it is not JSON); `received_at`
 * is its latest arrival and `arrivals` how many times it came. `reasons` summarises every
 * stored row (not only this page): `[{"reason", "payloads", "arrivals", "last_received_at"}]`,
 * the commonest first, at most REJECTED_REASONS.
 */
export function rejectedRoutes(p: Pipeline): Router {
  const router = Router();
  router.get("/api/rejected", async (req, res) => {
    const limit = whole(req.query.limit, REJECTED_DEFAULT_LIMIT);
    const offset = whole(req.query.offset, 0);
    if (limit === null || limit < 1 || limit > REJECTED_MAX_LIMIT) {
      return sendError(res, 400, "bad_limit", `limit must be a whole number from 1 to ${REJECTED_MAX_LIMIT}`);
    }
    if (offset === null) return sendError(res, 400, "bad_offset", "offset must be a whole number from 0");
    const [page, reasons] = await Promise.all([p.store.raw.rejectedPage(limit, offset), p.store.raw.rejectedReasons(REJECTED_REASONS)]);
    res.json({
      rows: page.rows.map((r) => ({
        received_at: new Date(r.receivedAt).toISOString(),
        message_id: r.messageId,
        reason: r.reason,
        payload: parsed(r.payload),
        arrivals: r.arrivals ?? 1,
      })),
      total: page.total,
      reasons: reasons.map((r) => ({ reason: r.reason, payloads: r.payloads, arrivals: r.arrivals, last_received_at: new Date(r.lastReceivedAt).toISOString() })),
    });
  });
  return router;
}

function whole(v: unknown, fallback: number): number | null {
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !/^\d{1,9}$/.test(v)) return null;
  return Number(v);
}

function parsed(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}
