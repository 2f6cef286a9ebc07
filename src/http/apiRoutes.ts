import { Router } from "express";
import type { Pipeline } from "../pipeline/context.js";
import { erasePerson } from "../pipeline/erasePerson.js";
import { findPerson, personView } from "../reports/personView.js";
import { sendError } from "./errors.js";

/** /api/stats and /api/people/:id (read, erase). */
export function apiRoutes(p: Pipeline): Router {
  const router = Router();
  const { store } = p;

  router.get("/api/stats", (_req, res) => {
    res.json(store.admin.stats());
  });

  router.get("/api/people/:id", (req, res) => {
    const found = findPerson(store, req.params.id);
    if (!found) return sendError(res, 404, "not_found", `no person with userId, anonymousId or email "${req.params.id}"`);
    res.json(personView(store, found.personId));
  });

  router.delete("/api/people/:id", (req, res) => {
    const found = findPerson(store, req.params.id);
    if (!found) return sendError(res, 404, "not_found", `no person with userId, anonymousId or email "${req.params.id}"`);
    store.transaction(() => erasePerson(store, { kind: found.kind, value: found.value }));
    res.json({ erased: true, person_id: found.personId });
  });

  return router;
}
