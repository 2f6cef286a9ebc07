import { readFileSync } from "node:fs";
import { validate as validCron } from "node-cron";
import { isIP } from "node:net";
import { z } from "zod";
import { parseRatesCsv, type RateEntry } from "../money/exchangeRates.js";
import { parsePositionWeights, type PositionWeights } from "../attribution/rules/positionWeights.js";

/**
 * The only place that reads the environment. Every key has a default and a description;
 * a bad value stops the service at start with the variable's name and what is allowed.
 */
const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v.length > 0),
    );

const lowerList = (fallback: string) => list(fallback).transform((xs) => xs.map((x) => x.toLowerCase()));

const int = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .default(String(fallback))
    .transform((s, ctx) => {
      const n = Number(s.trim());
      if (!/^\s*\d+\s*$/.test(s) || !Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number between ${min} and ${max}, got "${s}"` });
        return z.NEVER;
      }
      return n;
    });

const positive = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((s, ctx) => {
      const n = Number(s.trim());
      if (s.trim() === "" || !Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: "custom", message: `must be a number greater than 0, got "${s}"` });
        return z.NEVER;
      }
      return n;
    });

const bool = (fallback: boolean) =>
  z
    .string()
    .default(String(fallback))
    .transform((s, ctx) => {
      const v = s.trim().toLowerCase();
      if (v !== "true" && v !== "false") {
        ctx.addIssue({ code: "custom", message: `must be true or false, got "${s}"` });
        return z.NEVER;
      }
      return v === "true";
    });

const positionWeights = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const weights = parsePositionWeights(s);
      if (typeof weights === "string") {
        ctx.addIssue({ code: "custom", message: weights });
        return z.NEVER;
      }
      return weights;
    });

/**
 * Secrets are trimmed here, once: a token pasted with a trailing space or newline used to be
 * kept as given and compared trimmed, so nobody could authenticate. loadConfig warns about it.
 */
const optionalSecret = z
  .string()
  .optional()
  .transform((s) => (s && s.trim().length > 0 ? s.trim() : undefined));

const SECRET_KEYS = ["SEGMENT_SHARED_SECRET", "SEGMENT_WRITE_KEY", "SEGMENT_WEBHOOK_TOKEN", "CRM_WEBHOOK_TOKEN", "API_TOKEN"] as const;

const url = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((s) => /^https?:\/\/[^\s/]+/.test(s), { message: "must be an http(s) URL" })
    .transform((s) => s.replace(/\/+$/, ""));

const cron = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((s) => validCron(s), { message: "must be a valid cron expression (5 fields, or 6 with seconds)" });

const markovOrder = z
  .string()
  .default("1")
  .transform((s, ctx): number | "auto" => {
    const v = s.trim().toLowerCase();
    if (v === "auto") return "auto";
    if (/^[1-4]$/.test(v)) return Number(v);
    ctx.addIssue({ code: "custom", message: `must be 1, 2, 3, 4 or auto, got "${s}"` });
    return z.NEVER;
  });

export const envSchema = z.object({
  PORT: int(3000, 0, 65535).describe("HTTP port"),
  HOST: z
    .string()
    .default("0.0.0.0")
    .transform((s) => s.trim())
    .refine((s) => isIP(s) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(s), { message: "must be an IP address or a host name" })
    .describe("bind address of the HTTP server"),
  DATABASE_PATH: z.string().min(1).default("data/attribution.db").describe("SQLite file (directory is created)"),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((s) => s === undefined || s === "" || /^postgres(ql)?:\/\//.test(s), { message: "must be a postgres:// URL" })
    .describe("postgres:// URL selects the PostgreSQL store"),
  SEGMENT_SHARED_SECRET: optionalSecret.describe("HMAC-SHA1 secret of the Segment Webhooks destination"),
  SEGMENT_WEBHOOK_TOKEN: optionalSecret.describe("Bearer token accepted on POST /webhooks/segment (a custom header of Webhooks (Actions))"),
  SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE: bool(false).describe("also accept the legacy signature of only the first event of a batch (replay risk)"),
  SEGMENT_WRITE_KEY: optionalSecret.describe("write key used to send feedback to Segment; unset: feedback is stored, not sent"),
  SEGMENT_HOST: url("https://api.segment.io").describe("Segment API host"),
  CRM_WEBHOOK_TOKEN: optionalSecret.describe("Bearer token required on POST /webhooks/crm"),
  API_TOKEN: optionalSecret.describe("Bearer token required on /api/* and the dashboard"),
  SITE_DOMAINS: lowerList("").describe("own domains: their referrers are internal"),
  IGNORED_REFERRERS: lowerList("").describe("extra payment/login hosts whose referrals are not touchpoints"),
  CONVERSION_EVENTS: list("Order Completed,Signed Up").describe("track events that are conversions"),
  CRM_WON_STATUSES: lowerList("won,closed_won,closedwon,paid,completed,received,shipped,delivered"),
  CRM_LOST_STATUSES: lowerList("lost,closed_lost,closedlost,refunded,cancelled,canceled,returned"),
  LOOKBACK_DAYS: positive(90).describe("touchpoints older than this before a conversion get no credit"),
  DECAY_HALF_LIFE_DAYS: positive(7).describe("half-life of the time_decay model"),
  POSITION_WEIGHTS: positionWeights("40,20,40").describe(
    "first,middle,last shares of the `custom` model (sum 1 or 100); default 40,20,40 = position_based",
  ),
  CAMPAIGN_PRIORITY: bool(false).describe(
    "true: in last_touch and last_non_direct a touch with campaign parameters is never displaced by a later campaign-less one",
  ),
  SESSION_TIMEOUT_MINUTES: positive(30).describe("inactivity after which a call starts a new visit"),
  OUTBOX_CRON: cron("*/10 * * * * *").describe("when the outbox is sent to Segment"),
  RECOMPUTE_CRON: cron("0 * * * *").describe("when the Markov model is recomputed"),
  MARKOV_ORDER: markovOrder.describe("order of the Markov chain (states are the last k channels), or auto: chosen by held-out likelihood"),
  BOOTSTRAP_RESAMPLES: int(200, 0, 10_000).describe("bootstrap resamples of markov/shapley credit intervals at each refit; 0: no intervals"),
  RETENTION_DAYS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === "") return undefined;
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1) {
        ctx.addIssue({ code: "custom", message: `must be a whole number of days >= 1, got "${s}"` });
        return z.NEVER;
      }
      return n;
    })
    .describe("raw messages older than this are purged daily; unset: kept forever"),
  CHANNEL_RULES_PATH: z.string().optional().describe("JSON/YAML file of custom channel rules evaluated first"),
  REPORTING_CURRENCY: z
    .string()
    .default("USD")
    .transform((s) => s.trim().toUpperCase())
    .refine((s) => /^[A-Z]{3}$/.test(s), { message: "must be a three-letter ISO 4217 code such as USD" })
    .describe("currency of revenue in reports and the lifetime_revenue trait"),
  EXCHANGE_RATES_PATH: z.string().optional().describe("CSV date,currency,rate: 1 unit of currency in REPORTING_CURRENCY from that date"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  databaseUrl: string | undefined;
  segmentSharedSecret: string | undefined;
  segmentWebhookToken: string | undefined;
  allowFirstEventSignature: boolean;
  segmentWriteKey: string | undefined;
  segmentHost: string;
  crmWebhookToken: string | undefined;
  apiToken: string | undefined;
  siteDomains: string[];
  ignoredReferrers: string[];
  conversionEvents: string[];
  crmWonStatuses: string[];
  crmLostStatuses: string[];
  lookbackDays: number;
  decayHalfLifeDays: number;
  positionWeights: PositionWeights;
  campaignPriority: boolean;
  sessionTimeoutMinutes: number;
  outboxCron: string;
  recomputeCron: string;
  markovOrder: number | "auto";
  bootstrapResamples: number;
  retentionDays: number | undefined;
  channelRulesPath: string | undefined;
  /** ISO 4217 code, upper-cased (REPORTING_CURRENCY, default USD). */
  reportingCurrency: string;
  exchangeRatesPath: string | undefined;
  /** The parsed rates file (plain data: the config is passed to the deriver's worker thread). */
  exchangeRates: RateEntry[];
  logLevel: string;
  /** Things worth a warning at start that are not errors (e.g. a secret given with surrounding spaces). */
  warnings: string[];
}

export class ConfigError extends Error {}

/** Parses an environment (process.env at start; plain objects in tests). Throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]));
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const exchangeRatesPath = e.EXCHANGE_RATES_PATH?.trim() || undefined;
  let exchangeRates: RateEntry[] = [];
  if (exchangeRatesPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(exchangeRatesPath, "utf8");
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  EXCHANGE_RATES_PATH: cannot read ${exchangeRatesPath}: ${(err as Error).message}`);
    }
    try {
      exchangeRates = parseRatesCsv(text);
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  EXCHANGE_RATES_PATH: ${exchangeRatesPath}: ${(err as Error).message}`);
    }
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    databaseUrl: e.DATABASE_URL || undefined,
    segmentSharedSecret: e.SEGMENT_SHARED_SECRET,
    segmentWebhookToken: e.SEGMENT_WEBHOOK_TOKEN,
    allowFirstEventSignature: e.SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE,
    segmentWriteKey: e.SEGMENT_WRITE_KEY,
    segmentHost: e.SEGMENT_HOST,
    crmWebhookToken: e.CRM_WEBHOOK_TOKEN,
    apiToken: e.API_TOKEN,
    siteDomains: e.SITE_DOMAINS,
    ignoredReferrers: e.IGNORED_REFERRERS,
    conversionEvents: e.CONVERSION_EVENTS,
    crmWonStatuses: e.CRM_WON_STATUSES,
    crmLostStatuses: e.CRM_LOST_STATUSES,
    lookbackDays: e.LOOKBACK_DAYS,
    decayHalfLifeDays: e.DECAY_HALF_LIFE_DAYS,
    positionWeights: e.POSITION_WEIGHTS,
    campaignPriority: e.CAMPAIGN_PRIORITY,
    sessionTimeoutMinutes: e.SESSION_TIMEOUT_MINUTES,
    outboxCron: e.OUTBOX_CRON,
    recomputeCron: e.RECOMPUTE_CRON,
    markovOrder: e.MARKOV_ORDER,
    bootstrapResamples: e.BOOTSTRAP_RESAMPLES,
    retentionDays: e.RETENTION_DAYS,
    channelRulesPath: e.CHANNEL_RULES_PATH || undefined,
    reportingCurrency: e.REPORTING_CURRENCY,
    exchangeRatesPath,
    exchangeRates,
    logLevel: e.LOG_LEVEL,
    warnings: SECRET_KEYS.filter((k) => {
      const v = known[k];
      return v !== undefined && v.trim().length > 0 && v.trim() !== v;
    }).map((k) => `${k} had surrounding spaces or newlines; they were removed`),
  };
}
