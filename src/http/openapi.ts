import { z } from "zod";
import { MODELS } from "../attribution/types.js";
import { crmHitSchema } from "../crm/index.js";
import { GROUPINGS } from "../reports/attributionReport.js";
import { SERVICE } from "../version.js";

/**
 * The OpenAPI 3.1 document of the HTTP API (GET /api/openapi.json). Request bodies come from
 * the zod schemas the service validates with where there are some (the CRM hit), converted
 * with z.toJSONSchema; the rest is described here. A test checks that every route of the
 * Express app is documented here and that nothing here is missing from the app.
 */

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** The part of a Segment message the service reads (Segment's spec allows much more). */
const segmentMessage = z
  .object({
    type: z.enum(["page", "screen", "identify", "track", "alias", "group", "delete"]),
    messageId: z.string().describe("unique per message; a repeat is a duplicate"),
    anonymousId: z.string().optional(),
    userId: z.string().optional(),
    event: z.string().optional().describe("track calls"),
    previousId: z.string().optional().describe("alias calls"),
    timestamp: z.string().optional(),
    originalTimestamp: z.string().optional(),
    sentAt: z.string().optional(),
    receivedAt: z.string().optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    traits: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

const ingestCounts = z.object({ accepted: z.number().int(), duplicates: z.number().int(), rejected: z.number().int(), ignored: z.number().int() });
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const unconverted = z.record(z.string(), z.number()).describe("revenue in currencies without an exchange rate, per currency; never in revenue");
const reportRows = z.object({
  currency: z.string().describe("REPORTING_CURRENCY: the currency of every revenue"),
  rows: z.array(z.object({ key: z.string(), conversions: z.number(), revenue: z.number(), unconverted })),
  totals: z.object({ conversions: z.number(), revenue: z.number(), unconverted }),
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ "application/json": { schema } });
const ok = (description: string, schema: JsonSchema = { type: "object" }) => ({ description, content: json(schema) });
const error = (description: string) => ({ description, content: json(ref("Error")) });
const bearer = [{ bearer: [] }];
const isoTime = { type: "string", format: "date-time" };
const query = (name: string, schema: JsonSchema, description: string) => ({ in: "query", name, required: false, schema, description });
const pathId = (description: string) => ({ in: "path", name: "id", required: true, schema: { type: "string" }, description });
const range = [query("from", isoTime, "conversions at or after (ISO 8601)"), query("to", isoTime, "conversions before (ISO 8601)")];

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: SERVICE.name,
      version: SERVICE.version,
      description:
        "Marketing attribution for Segment. With API_TOKEN set, /api/*, /metrics and the dashboard need `Authorization: Bearer <API_TOKEN>`; the webhooks have their own secrets.",
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "API_TOKEN (when set)" },
        crmToken: { type: "http", scheme: "bearer", description: "CRM_WEBHOOK_TOKEN (when set)" },
        segmentToken: { type: "http", scheme: "bearer", description: "SEGMENT_WEBHOOK_TOKEN (when set)" },
        segmentSignature: { type: "apiKey", in: "header", name: "X-Signature", description: "hex HMAC-SHA1 of the raw body with SEGMENT_SHARED_SECRET (or in X-Segment-Signature)" },
      },
      schemas: {
        Error: jsonSchema(errorBody),
        SegmentMessage: jsonSchema(segmentMessage),
        IngestCounts: jsonSchema(ingestCounts),
        CrmHit: { ...jsonSchema(crmHitSchema), description: "dealId may be sent as orderId or leadId, amount as total; form-encoded bodies carry the same fields" },
        ReportSection: jsonSchema(reportRows),
      },
    },
    paths: {
      "/health": { get: { summary: "liveness: the process and the database answer", responses: { 200: ok("alive"), 503: error("the database does not answer") } } },
      "/ready": { get: { summary: "readiness: a write commits and the deriver runs", responses: { 200: ok("ready"), 503: error("not ready, with the reason") } } },
      "/metrics": {
        get: {
          summary: "Prometheus metrics (text format 0.0.4)",
          security: bearer,
          responses: { 200: { description: "metrics", content: { "text/plain": { schema: { type: "string" } } } }, 401: error("API_TOKEN is set and was not given") },
        },
      },
      "/webhooks/segment": {
        post: {
          summary: "Segment Webhooks destination: one message, an array, or {batch: [...]}",
          security: [{ segmentSignature: [] }, { segmentToken: [] }, {}],
          requestBody: {
            required: true,
            content: json({ oneOf: [ref("SegmentMessage"), { type: "array", items: ref("SegmentMessage") }, { type: "object", properties: { batch: { type: "array", items: ref("SegmentMessage") } }, required: ["batch"] }] }),
          },
          responses: {
            200: ok("committed", ref("IngestCounts")),
            400: error("malformed JSON"),
            401: error("bad or missing signature or token"),
            413: error("body over 20 MB"),
            503: error("store busy or unavailable: retry"),
          },
        },
      },
      "/webhooks/crm": {
        post: {
          summary: "a CRM deal/order/lead status hit",
          security: [{ crmToken: [] }, {}],
          requestBody: { required: true, content: { ...json(ref("CrmHit")), "application/x-www-form-urlencoded": { schema: ref("CrmHit") } } },
          responses: { 200: ok("stored"), 400: error("invalid hit"), 401: error("bad or missing token") },
        },
      },
      "/api/openapi.json": { get: { summary: "this document", security: bearer, responses: { 200: ok("OpenAPI 3.1") } } },
      "/api/rejected": {
        get: {
          summary: "rejected input, newest first, one row per distinct payload",
          security: bearer,
          parameters: [
            query("limit", { type: "integer", minimum: 1, maximum: 1000, default: 50 }, "rows"),
            query("offset", { type: "integer", minimum: 0, default: 0 }, "rows to skip"),
          ],
          responses: { 200: ok("rows (received_at, message_id, reason, payload, arrivals), total, and reasons (reason, payloads, arrivals, last_received_at) over every row"), 400: error("bad limit or offset") },
        },
      },
      "/api/stats": { get: { summary: "counts, derivation_lag, outbox by status", security: bearer, responses: { 200: ok("stats") } } },
      "/api/people/{id}": {
        get: { summary: "a person by userId, anonymousId or email", security: bearer, parameters: [pathId("userId, anonymousId or email")], responses: { 200: ok("the person"), 404: error("unknown") } },
        delete: { summary: "erase the person everywhere", security: bearer, parameters: [pathId("userId, anonymousId or email")], responses: { 200: ok("erased"), 404: error("unknown") } },
      },
      "/api/reports/attribution": {
        get: {
          summary: "credited conversions and revenue per group under a model",
          security: bearer,
          parameters: [
            query("model", { type: "string", enum: [...MODELS, "all"], default: "linear" }, "model id, or all"),
            query("groupBy", { type: "string", enum: [...GROUPINGS], default: "channel" }, "grouping"),
            ...range,
            query("conversion", { type: "string" }, "conversion name (track event, or Deal Won)"),
            query("channel", { type: "string" }, "drill-down: only this channel's credits"),
            query("sourceMedium", { type: "string" }, 'drill-down: only this "source / medium"'),
            query("lookbackDays", { type: "integer", minimum: 1, maximum: 3650 }, "recompute the rule models (and markov) for this window at query time"),
            query("format", { type: "string", enum: ["json", "csv"] }, "csv: text/csv (so does Accept: text/csv)"),
          ],
          responses: { 200: { description: "the report", content: { ...json(ref("ReportSection")), "text/csv": { schema: { type: "string" } } } }, 400: error("unknown model or groupBy, bad lookbackDays") },
        },
      },
      "/api/reports/paths": {
        get: {
          summary: "most common channel paths to conversion",
          security: bearer,
          parameters: [
            query("limit", { type: "integer", maximum: 100 }, "paths"),
            ...range,
            query("conversion", { type: "string" }, "conversion name"),
            query("model", { type: "string" }, "model"),
            query("table", { type: "string", enum: ["paths", "path_lengths", "time_lag"] }, "which table the CSV holds"),
            query("format", { type: "string", enum: ["json", "csv"] }, "csv: text/csv"),
          ],
          responses: { 200: ok("currency, paths, path_lengths, time_lag (revenue in currency, unconverted per currency)"), 400: error("bad query") },
        },
      },
      "/api/reports/overview": {
        get: {
          summary: "persons, conversions, revenue, devices and touches",
          security: bearer,
          parameters: [...range, query("format", { type: "string", enum: ["json", "csv"] }, "csv: one row")],
          responses: { 200: ok("overview"), 400: error("bad query") },
        },
      },
      "/api/conversions/names": {
        get: {
          summary: "every conversion name the reports' conversion filter takes (track events, Deal Won)",
          security: bearer,
          parameters: [query("format", { type: "string", enum: ["json", "csv"] }, "csv: text/csv")],
          responses: { 200: ok("names") },
        },
      },
      "/api/deals/{id}": { get: { summary: "a deal's ledger", security: bearer, parameters: [pathId("deal id")], responses: { 200: ok("the deal"), 404: error("unknown") } } },
      "/": { get: { summary: "the dashboard", responses: { 200: { description: "HTML", content: { "text/html": { schema: { type: "string" } } } } } } },
      "/assets/{file}": {
        get: {
          summary: "dashboard assets",
          parameters: [{ in: "path", name: "file", required: true, schema: { type: "string" } }],
          responses: { 200: { description: "a static file" }, 404: error("no such file") },
        },
      },
    },
  };
}
