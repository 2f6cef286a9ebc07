import { Router } from "express";
import type { Pipeline } from "../pipeline/context.js";
import { overviewReport, parseRange } from "../reports/overview.js";
import { parsePathQuery, pathsReport } from "../reports/paths.js";
import { sendError } from "./errors.js";

/**
 * GET /api/reports/paths and /api/reports/overview. The API_TOKEN guard is app.ts's
 * `app.use("/api", requireBearer(...))`, which runs before every extra router.
 */
export function journeyRoutes(p: Pipeline): Router {
  const router = Router();

  router.get("/api/reports/paths", async (req, res) => {
    const parsed = parsePathQuery(req.query as Record<string, unknown>);
    if (parsed.kind === "invalid") return sendError(res, 400, "bad_query", parsed.message);
    // ?conversion= matches CONVERSION_EVENTS as they do: case- and space-insensitively.
    const conversion = parsed.query.conversion === null ? null : (p.conversionEvents.nameOf(parsed.query.conversion) ?? parsed.query.conversion);
    res.json(await pathsReport(p.store, { ...parsed.query, conversion }, p.config.reportingCurrency));
  });

  router.get("/api/reports/overview", async (req, res) => {
    const parsed = parseRange(req.query as Record<string, unknown>);
    if (parsed.kind === "invalid") return sendError(res, 400, "bad_query", parsed.message);
    res.json(await overviewReport(p.store, parsed.query, p.config.reportingCurrency));
  });

  return router;
}
