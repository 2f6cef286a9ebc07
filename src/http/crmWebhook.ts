import express, { Router } from "express";
import { statusOutcome } from "../crm/index.js";
import { storeCrmHits } from "../gateway/index.js";
import type { Pipeline } from "../pipeline/context.js";
import { requireBearer } from "./bearer.js";
import { sendError } from "./errors.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * POST /webhooks/crm: one deal/order/lead status hit (JSON or form-encoded) or a JSON array.
 * Every hit is kept raw; 200 only after commit. The deal's state, conversion and credits follow
 * once the deriver has applied the hit (GET /api/deals/:id shows them).
 */
export function crmWebhook(p: Pipeline, onCommit: () => void = () => {}): Router {
  const router = Router();
  router.post(
    "/webhooks/crm",
    requireBearer(p.config.crmWebhookToken, "the CRM webhook"),
    express.json({ limit: "5mb", strict: false, type: ["application/json", "application/*+json"] }),
    express.urlencoded({ extended: false, limit: "1mb" }),
    async (req, res) => {
      const body: unknown = req.body;
      const items = Array.isArray(body) ? body : [body];
      if (items.length === 0 || (!Array.isArray(body) && (!isObject(body) || Object.keys(body).length === 0))) {
        return sendError(res, 400, "bad_body", "expected a JSON object, a JSON array of objects, or a form-encoded hit");
      }
      const result = await storeCrmHits(p.store, items, p.now());
      onCommit();
      if (result.kind === "invalid") {
        const where = Array.isArray(body) ? ` (hit ${result.index})` : "";
        return sendError(res, 400, "invalid_hit", `${result.field}${where}: ${result.message}`);
      }
      res.json({
        accepted: result.hits.length,
        hits: result.hits.map((h) => ({
          hit_id: h.hitId,
          deal_id: h.dealId,
          status: h.status,
          // What the status means; whether the hit is the deal's newest is decided when it is derived.
          outcome: statusOutcome(h.status, p.config.crmWonStatuses, p.config.crmLostStatuses),
        })),
      });
    },
  );
  return router;
}
