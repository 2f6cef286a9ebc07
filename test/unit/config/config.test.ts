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
    ["POSITION_WEIGHTS", "40,20"],
    ["POSITION_WEIGHTS", "50,30,30"],
    ["POSITION_WEIGHTS", "-0.2,0.6,0.6"],
    ["CAMPAIGN_PRIORITY", "yes"],
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
