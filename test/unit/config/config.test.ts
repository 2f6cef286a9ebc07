import { describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, envSchema, loadConfig } from "../../../src/config/index.js";

describe("loadConfig", () => {
  test("defaults follow DESIGN.md", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databasePath).toBe("data/attribution.db");
    expect(c.lookbackDays).toBe(90);
    expect(c.decayHalfLifeDays).toBe(7);
    expect(c.sessionTimeoutMinutes).toBe(30);
    expect(c.conversionEvents).toEqual(["Order Completed", "Signed Up"]);
    expect(c.crmWonStatuses).toContain("closed_won");
    expect(c.crmLostStatuses).toContain("refunded");
    expect(c.segmentHost).toBe("https://api.segment.io");
    expect(c.segmentWriteKey).toBeUndefined();
    expect(c.retentionDays).toBeUndefined();
    expect(c.reportingCurrency).toBe("USD");
    expect(c.exchangeRates).toEqual([]);
  });

  test("REPORTING_CURRENCY is upper-cased; EXCHANGE_RATES_PATH is read and validated at start", () => {
    const dir = mkdtempSync(join(tmpdir(), "sa-rates-"));
    try {
      const good = join(dir, "good.csv");
      writeFileSync(good, "date,currency,rate\n2026-01-01,EUR,1.1\n");
      const c = loadConfig({ REPORTING_CURRENCY: " usd ", EXCHANGE_RATES_PATH: good });
      expect(c.reportingCurrency).toBe("USD");
      expect(c.exchangeRates).toEqual([{ date: "2026-01-01", from: Date.UTC(2026, 0, 1), currency: "EUR", rate: 1.1 }]);
      const bad = join(dir, "bad.csv");
      writeFileSync(bad, "date,currency,rate\n2026-01-01,EUR,0\n");
      expect(() => loadConfig({ EXCHANGE_RATES_PATH: bad })).toThrow(/EXCHANGE_RATES_PATH: .*bad\.csv: line 2: rate must be a number greater than 0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("position weights and campaign priority: defaults and parsed values", () => {
    expect(loadConfig({})).toMatchObject({ positionWeights: { first: 0.4, middle: 0.2, last: 0.4 }, campaignPriority: false });
    const c = loadConfig({ POSITION_WEIGHTS: "10, 30, 60", CAMPAIGN_PRIORITY: "TRUE" });
    expect(c.positionWeights).toEqual({ first: 0.1, middle: 0.3, last: 0.6 });
    expect(c.campaignPriority).toBe(true);
    expect(loadConfig({ POSITION_WEIGHTS: "0.6,0.2,0.2", CAMPAIGN_PRIORITY: "false" })).toMatchObject({
      positionWeights: { first: 0.6, middle: 0.2, last: 0.2 },
      campaignPriority: false,
    });
  });

  test("lists are split, trimmed and (for domains) lower-cased", () => {
    const c = loadConfig({ SITE_DOMAINS: " Example.com, shop.example.com ,", CONVERSION_EVENTS: "Trial Started, Order Completed" });
    expect(c.siteDomains).toEqual(["example.com", "shop.example.com"]);
    expect(c.conversionEvents).toEqual(["Trial Started", "Order Completed"]);
  });

  test.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["LOOKBACK_DAYS", "-3"],
    ["LOOKBACK_DAYS", "0"],
    ["DECAY_HALF_LIFE_DAYS", "soon"],
    ["SESSION_TIMEOUT_MINUTES", "-1"],
    ["SEGMENT_HOST", "not a url"],
    ["OUTBOX_CRON", "every ten seconds"],
    ["RECOMPUTE_CRON", "61 * * * *"],
    ["LOG_LEVEL", "loud"],
    ["DATABASE_URL", "mysql://x"],
    ["RETENTION_DAYS", "0"],
    ["REPORTING_CURRENCY", "dollars"],
    ["REPORTING_CURRENCY", "US"],
    ["EXCHANGE_RATES_PATH", "/nonexistent/rates.csv"],
    ["SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE", "maybe"],
    ["HOST", "not a host!"],
    ["POSITION_WEIGHTS", "40,20"],
    ["POSITION_WEIGHTS", "50,30,30"],
    ["POSITION_WEIGHTS", "-0.2,0.6,0.6"],
    ["CAMPAIGN_PRIORITY", "yes"],
    ["MARKOV_ORDER", "0"],
    ["MARKOV_ORDER", "5"],
    ["MARKOV_ORDER", "2.5"],
    ["MARKOV_ORDER", "best"],
    ["BOOTSTRAP_RESAMPLES", "-1"],
    ["BOOTSTRAP_RESAMPLES", "many"],
  ])("%s=%s is rejected with a message naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^invalid configuration:\\n  ${name}: `));
  });

  test("several bad values are all named", () => {
    try {
      loadConfig({ PORT: "abc", LOOKBACK_DAYS: "-3" });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).toContain("PORT:");
      expect(String(err)).toContain("LOOKBACK_DAYS:");
    }
  });

  test("MARKOV_ORDER: 1 by default, 1..4 or auto; BOOTSTRAP_RESAMPLES 200 by default, 0 allowed", () => {
    expect(loadConfig({})).toMatchObject({ markovOrder: 1, bootstrapResamples: 200 });
    expect(loadConfig({ MARKOV_ORDER: "3" }).markovOrder).toBe(3);
    expect(loadConfig({ MARKOV_ORDER: " Auto " }).markovOrder).toBe("auto");
    expect(loadConfig({ BOOTSTRAP_RESAMPLES: "0" }).bootstrapResamples).toBe(0);
  });

  test("an empty value counts as unset", () => {
    expect(loadConfig({ PORT: "", SEGMENT_WRITE_KEY: "" })).toMatchObject({ port: 3000, segmentWriteKey: undefined });
  });

  test("HOST defaults to 0.0.0.0 and takes an address or a name", () => {
    expect(loadConfig({}).host).toBe("0.0.0.0");
    expect(loadConfig({ HOST: "127.0.0.1" }).host).toBe("127.0.0.1");
    expect(loadConfig({ HOST: "::" }).host).toBe("::");
    expect(loadConfig({ HOST: "localhost" }).host).toBe("localhost");
  });

  test("the legacy first-event signature is off unless SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE=true", () => {
    expect(loadConfig({}).allowFirstEventSignature).toBe(false);
    expect(loadConfig({ SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE: "true" }).allowFirstEventSignature).toBe(true);
    expect(loadConfig({ SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE: "false" }).allowFirstEventSignature).toBe(false);
  });

  test.each(["API_TOKEN", "CRM_WEBHOOK_TOKEN", "SEGMENT_WEBHOOK_TOKEN", "SEGMENT_SHARED_SECRET", "SEGMENT_WRITE_KEY"])(
    "%s given with surrounding spaces is trimmed, with a warning naming it",
    (name) => {
      const c = loadConfig({ [name]: "  tok en\n" });
      const key = { API_TOKEN: "apiToken", CRM_WEBHOOK_TOKEN: "crmWebhookToken", SEGMENT_WEBHOOK_TOKEN: "segmentWebhookToken", SEGMENT_SHARED_SECRET: "segmentSharedSecret", SEGMENT_WRITE_KEY: "segmentWriteKey" }[name] as keyof typeof c;
      expect(c[key]).toBe("tok en");
      expect(c.warnings).toEqual([expect.stringContaining(name)]);
      expect(loadConfig({ [name]: "tok" }).warnings).toEqual([]);
    },
  );

  test("a secret of only spaces counts as unset", () => {
    expect(loadConfig({ API_TOKEN: "   " }).apiToken).toBeUndefined();
  });

  test(".env.example lists every variable of the schema, and nothing else", () => {
    const text = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");
    const listed = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(Object.keys(envSchema.shape).sort());
  });
});
