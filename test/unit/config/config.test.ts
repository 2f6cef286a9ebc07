import { describe, expect, test } from "vitest";
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
});
