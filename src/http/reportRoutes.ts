import { Router } from "express";
import { attributionReport, parseReportQuery } from "../reports/attributionReport.js";
import { reportCsv } from "../reports/csv.js";
import type { Pipeline } from "../pipeline/context.js";
import { sendError } from "./errors.js";

/** GET /api/reports/attribution (JSON, or CSV with ?format=csv / Accept: text/csv). */
export function reportRoutes(p: Pipeline): Router {
  const router = Router();
  router.get("/api/reports/attribution", async (req, res) => {
    const parsed = parseReportQuery(req.query as Record<string, unknown>);
    if (parsed.kind === "invalid") return sendError(res, 400, "bad_query", parsed.message);
    // CONVERSION_EVENTS match case- and space-insensitively: so does ?conversion= (deals: "Deal Won" as stored).
    const conversion = parsed.query.conversion === null ? null : (p.conversionEvents.nameOf(parsed.query.conversion) ?? parsed.query.conversion);
    const report = await attributionReport(p.store, { ...parsed.query, conversion }, p.settings, p.config.reportingCurrency);
    const wantsCsv = req.query.format === "csv" || (req.query.format === undefined && /\btext\/csv\b/.test(req.header("accept") ?? ""));
    if (wantsCsv) {
      res.type("text/csv").attachment(`attribution-${parsed.query.model}-${parsed.query.groupBy}.csv`).send(reportCsv(report));
      return;
    }
    res.json(report);
  });
  return router;
}
