import { Router, type Request } from "express";
import type { Pipeline } from "../pipeline/context.js";
import { overviewReport, parseRange, type Overview } from "../reports/overview.js";
import { toCsv } from "../reports/csv.js";
import { unconvertedOf } from "../money/reportingMoney.js";
import { roundMoney, roundUnconverted } from "../money/rounding.js";
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
    // ?conversion= matches CONVERSION_EVENTS as they do: case- and space-insensitively.
    const conversion = parsed.query.conversion === null ? null : (p.conversionEvents.nameOf(parsed.query.conversion) ?? parsed.query.conversion);
    const report = await pathsReport(p.store, { ...parsed.query, conversion }, p.config.reportingCurrency);
    if (wantsCsv(req)) return void res.type("text/csv").attachment(`${table}-${parsed.query.model}.csv`).send(pathsCsv(report, table as PathTable));
    res.json(report);
  });

  // The conversion names the reports' `conversion` filter accepts: each track event name, and
  // "Deal Won" for won CRM deals (origin crm).
  router.get("/api/conversions/names", async (req, res) => {
    const cur = p.config.reportingCurrency;
    // Revenue in REPORTING_CURRENCY; without a rate per currency under `unconverted` (CSV: revenue_<CUR>).
    const names = (await p.store.journeys.conversionNames()).map((n) => ({
      ...n,
      revenue: roundMoney(n.revenue, cur),
      unconverted: roundUnconverted(unconvertedOf(n.unconverted)),
    }));
    if (wantsCsv(req)) {
      const currencies = [...new Set(names.flatMap((n) => Object.keys(n.unconverted)))].sort();
      return void res.type("text/csv").attachment("conversion-names.csv").send(
        toCsv(
          ["name", "origin", "conversions", "revenue", ...currencies.map((c) => `revenue_${c}`)],
          names.map((n) => [n.name, n.origin, n.conversions, n.revenue, ...currencies.map((c) => n.unconverted[c] ?? "")]),
        ),
      );
    }
    res.json({ currency: cur, names });
  });

  router.get("/api/reports/overview", async (req, res) => {
    const parsed = parseRange(req.query as Record<string, unknown>);
    if (parsed.kind === "invalid") return sendError(res, 400, "bad_query", parsed.message);
    const o = await overviewReport(p.store, parsed.query, p.config.reportingCurrency);
    if (wantsCsv(req)) return void res.type("text/csv").attachment("overview.csv").send(overviewCsv(o));
    res.json(o);
  });

  return router;
}

/**
 * The overview as one CSV row: its figures as columns, `unconverted` expanded into one
 * `revenue_<CUR>` column per currency left unconverted (sorted), never an object cell.
 */
export function overviewCsv(o: Overview): string {
  const { unconverted, ...figures } = o;
  const currencies = Object.keys(unconverted).sort();
  return toCsv(
    [...Object.keys(figures), ...currencies.map((c) => `revenue_${c}`)],
    [[...Object.values(figures), ...currencies.map((c) => unconverted[c])]],
  );
}
