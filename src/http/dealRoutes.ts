import { Router } from "express";
import { currentDealState } from "../crm/index.js";
import { readStoredHit } from "../pipeline/applyCrmHit.js";
import type { Pipeline } from "../pipeline/context.js";
import { sendError } from "./errors.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** GET /api/deals/:id: the deal's ledger of hits, which one decides its state, and its credits. */
export function dealRoutes(p: Pipeline): Router {
  const router = Router();
  router.get("/api/deals/:id", async (req, res) => {
    const { store } = p;
    const dealId = req.params.id;
    const hits = await store.raw.hitsOfDeal(dealId);
    const deal = await store.deals.deal(dealId);
    if (!deal && hits.length === 0) return sendError(res, 404, "not_found", `no deal "${dealId}"`);
    const parsed = hits.map((row) => ({ row, hit: readStoredHit(row) }));
    const current = currentDealState(parsed.flatMap((x) => (x.hit ? [x.hit] : [])));
    const conversionId = `deal:${dealId}`;
    const conversion = await store.derived.conversion(conversionId);
    const credits = conversion ? await store.derived.creditsOf(conversionId) : [];
    res.json({
      deal_id: dealId,
      state: deal
        ? {
            status: deal.status,
            outcome: deal.outcome,
            amount: deal.amount,
            currency: deal.currency,
            created_at: iso(deal.createdAt),
            updated_at: iso(deal.updatedAt),
            person_id: deal.personId,
          }
        : null,
      hits: parsed.map(({ row, hit }) => ({
        hit_id: row.hitId,
        received_at: iso(row.receivedAt),
        status: hit?.status ?? null,
        amount: hit?.amount ?? null,
        updated_at: hit ? iso(hit.updatedAt) : null,
        current: hit !== null && current !== undefined && hit.seq === current.seq,
        error: row.error,
      })),
      conversion: conversion ? { id: conversion.id, at: iso(conversion.at), revenue: conversion.revenue, currency: conversion.currency } : null,
      credits: credits.map((c) => ({ model: c.model, touch: c.touchIndex, channel: c.channel, credit: c.credit })),
    });
  });
  return router;
}
