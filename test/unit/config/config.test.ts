import { describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../../src/config/index.js";

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

  test("an empty value counts as unset", () => {
    expect(loadConfig({ PORT: "", SEGMENT_WRITE_KEY: "" })).toMatchObject({ port: 3000, segmentWriteKey: undefined });
  });
});
