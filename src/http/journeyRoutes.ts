import { Router, type Request } from "express";
import type { Pipeline } from "../pipeline/context.js";
import { overviewReport, parseRange } from "../reports/overview.js";
import { toCsv } from "../reports/csv.js";
import { PATH_TABLES, parsePathQuery, pathsCsv, pathsReport, type PathTable } from "../reports/paths.js";
import { sendError } from "./errors.js";

/** `?format=csv`, or no format and `Accept: text/csv` (as the attribution report). */
export const wantsCsv = (req: Request) =>
  req.query.format === "csv" || (req.query.format === undefined && /\btext\/csv\b/.test(req.header("accept") ?? ""));

/**
 * GET /api/reports/paths, /api/reports/overview and /api/conversions/names (JSON, or CSV). The API_TOKEN guard is app.ts's
 * `app.use("/api", requireBearer(...))`, which runs before every extra router.
 */
export function journeyRoutes(p: Pipeline): Router {
  const router = Router();

  router.get("/api/reports/paths", async (req, res) => {
    const parsed = parsePathQuery(req.query as Record<string, unknown>);
    if (parsed.kind === "invalid") return sendError(res, 400, "bad_query", parsed.message);
    const table = (req.query.table ?? "paths") as string;
    if (!(PATH_TABLES as readonly string[]).includes(table)) {
      return sendError(res, 400, "bad_query", `unknown table ${JSON.stringify(table)}; allowed: ${PATH_TABLES.join(", ")}`);
    }
    const report = await pathsReport(p.store, parsed.query);
    if (wantsCsv(req)) return void res.type("text/csv").attachment(`${table}-${parsed.query.model}.csv`).send(pathsCsv(report, table as PathTable));
    res.json(report);
  });

  // The conversion names the reports' `conversion` filter accepts: each track event name, and
  // "Deal Won" for won CRM deals (origin crm).
  router.get("/api/conversions/names", async (req, res) => {
    const names = await p.store.journeys.conversionNames();
    if (wantsCsv(req)) {
      return void res.type("text/csv").attachment("conversion-names.csv")
        .send(toCsv(["name", "origin", "conversions", "revenue"], names.map((n) => [n.name, n.origin, n.conversions, n.revenue])));
    }
    res.json({ names });
  });

  router.get("/api/reports/overview", async (req, res) => {
    const parsed = parseRange(req.query as Record<string, unknown>);
    if (parsed.kind === "invalid") return sendError(res, 400, "bad_query", parsed.message);
    const o = await overviewReport(p.store, parsed.query);
    if (wantsCsv(req)) return void res.type("text/csv").attachment("overview.csv").send(toCsv(Object.keys(o), [Object.values(o)]));
    res.json(o);
  });

  return router;
}
