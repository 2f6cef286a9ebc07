import { randomUUID } from "node:crypto";
import express, { Router } from "express";
import type { Logger } from "pino";
import { parseCrmHit, type CrmParseResult } from "../crm/index.js";
import { applyCrmHit } from "../pipeline/applyCrmHit.js";
import { DirtyPersons, type Pipeline } from "../pipeline/context.js";
import { deriveDirty } from "../pipeline/ingestBatch.js";
import { requireBearer } from "./bearer.js";
import { sendError } from "./errors.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * POST /webhooks/crm: one deal/order/lead status hit (JSON or form-encoded) or a JSON array.
 * Every hit is kept raw. If any hit is invalid, none is applied (400 naming the field), so a
 * CRM can fix and resend the whole request. 200 only after commit.
 */
export function crmWebhook(p: Pipeline, log: Logger): Router {
  const router = Router();
  router.post(
    "/webhooks/crm",
    requireBearer(p.config.crmWebhookToken, "the CRM webhook"),
    express.json({ limit: "5mb", strict: false, type: ["application/json", "application/*+json"] }),
    express.urlencoded({ extended: false, limit: "1mb" }),
    (req, res) => {
      const body: unknown = req.body;
      const items = Array.isArray(body) ? body : [body];
      if (items.length === 0 || (!Array.isArray(body) && (!isObject(body) || Object.keys(body).length === 0))) {
        return sendError(res, 400, "bad_body", "expected a JSON object, a JSON array of objects, or a form-encoded hit");
      }
      const receivedAt = p.now();
      const parsed: CrmParseResult[] = items.map((item) =>
        isObject(item) ? parseCrmHit(item, receivedAt) : { kind: "invalid", field: "body", message: "each hit must be a JSON object" },
      );
      const firstBad = parsed.findIndex((r) => r.kind === "invalid");
      const result = p.store.transaction(() => {
        const stored = items.map((item, i) => {
          const r = parsed[i]!;
          const error = r.kind === "invalid" ? `${r.field}: ${r.message}` : firstBad >= 0 ? `not applied: hit ${firstBad} is invalid` : null;
          const hitId = randomUUID();
          const seq = p.store.raw.insertHit(hitId, r.kind === "ok" ? r.hit.dealId : null, receivedAt, JSON.stringify(item ?? null), error);
          return { hitId, seq };
        });
        if (firstBad >= 0) return null;
        const dirty = new DirtyPersons();
        const applied = stored.map(({ hitId, seq }, i) => {
          const hit = (parsed[i] as Extract<CrmParseResult, { kind: "ok" }>).hit;
          const effect = applyCrmHit(p, { ...hit, seq }, dirty, true);
          return {
            hit_id: hitId,
            deal_id: hit.dealId,
            status: hit.status,
            applied: effect.kind === "applied",
            outcome: effect.kind === "applied" ? effect.outcome : null,
          };
        });
        deriveDirty(p, dirty, log);
        return applied;
      });
      if (result === null) {
        const bad = parsed[firstBad] as Extract<CrmParseResult, { kind: "invalid" }>;
        const where = Array.isArray(body) ? ` (hit ${firstBad})` : "";
        return sendError(res, 400, "invalid_hit", `${bad.field}${where}: ${bad.message}`);
      }
      res.json({ accepted: result.length, hits: result });
    },
  );
  return router;
}
