import { Router } from "express";
import type { Pipeline } from "../pipeline/context.js";
import { erasePerson } from "../pipeline/erasePerson.js";
import { findPerson, personView } from "../reports/personView.js";
import { sendError } from "./errors.js";
import { rejectedRoutes } from "./rejectedRoutes.js";

/**
 * /api/stats and /api/people/:id (read, erase). Derived data is read as of the deriver's
 * cursor: `derivation_lag` says how many accepted raw rows it has not derived yet.
 */
export function apiRoutes(p: Pipeline): Router {
  const router = Router();
  const { store } = p;
  router.use(rejectedRoutes(p));

  router.get("/api/stats", async (_req, res) => {
    const stats = await store.admin.stats();
    res.json({ ...stats, derivation_lag: await store.cursor.lag(), derive_failures: await store.cursor.failureCount() });
  });

  router.get("/api/people/:id", async (req, res) => {
    const found = await findPerson(store, req.params.id);
    if (!found) return sendError(res, 404, "not_found", `no person with userId, anonymousId or email "${req.params.id}"`);
    res.json(await personView(store, found.personId, p.config.reportingCurrency));
  });

  router.delete("/api/people/:id", async (req, res) => {
    const found = await findPerson(store, req.params.id);
    if (!found) return sendError(res, 404, "not_found", `no person with userId, anonymousId or email "${req.params.id}"`);
    await store.transaction(() => erasePerson(store, { kind: found.kind, value: found.value }));
    res.json({ erased: true, person_id: found.personId });
  });

  return router;
}
