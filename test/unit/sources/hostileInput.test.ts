/**
 * Issue 16 item 3 (regex denial of service): the built-in GA4 patterns are linear string scans
 * that give the regexes' exact answers, and the classifier reads bounded input.
 * (Timing is measured by `npm run bench classify`, not asserted here.)
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isPaidMedium, isShoppingCampaign, isVideoMedium } from "../../../src/sources/channelGroups.js";
import { createClassifier } from "../../../src/sources/index.js";
import { MAX_CAMPAIGN_FIELD_LENGTH, MAX_URL_LENGTH } from "../../../src/sources/inputLimits.js";

// Google's regexes as published (support.google.com/analytics/answer/9756891).
const GA4_PAID = /^(.*cp.*|ppc|retargeting|paid.*)$/;
const GA4_SHOPPING = /^(.*(([^a-df-z]|^)shop|shopping).*)$/;
const GA4_VIDEO = /^(.*video.*)$/;

// Strings built from the pieces the regexes care about, line breaks included.
const TOKENS = ["cp", "c", "p", "ppc", "retargeting", "paid", "shop", "shopping", "work", "e", "k", "E", "1", "-", " ", "video", "vid", "\n", "\r", "\u2028", "x"];
const piecewise = fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((parts) => parts.join(""));
const anyString = fc.oneof(piecewise, fc.string({ maxLength: 12 }));

describe("GA4 patterns as linear scans", () => {
  test("isPaidMedium agrees with ^(.*cp.*|ppc|retargeting|paid.*)$", () => {
    fc.assert(fc.property(anyString, (s) => isPaidMedium(s) === GA4_PAID.test(s)), { numRuns: 3000 });
  });
  test("isShoppingCampaign agrees with ^(.*(([^a-df-z]|^)shop|shopping).*)$", () => {
    fc.assert(fc.property(anyString, (s) => isShoppingCampaign(s) === GA4_SHOPPING.test(s)), { numRuns: 3000 });
  });
  test("isVideoMedium agrees with ^(.*video.*)$", () => {
    fc.assert(fc.property(anyString, (s) => isVideoMedium(s) === GA4_VIDEO.test(s)), { numRuns: 3000 });
  });
  test.each([
    ["eshop", true],
    ["workshop", false],
    ["\nshop", true],
    ["x\nshop", true],
    ["\nxshop", false],
    ["shop\n", false],
    ["a-shop", true],
    ["shopping\n", false],
  ])("shopping campaign %j → %s (as the regex)", (campaign, expected) => {
    expect(isShoppingCampaign(campaign)).toBe(expected);
    expect(GA4_SHOPPING.test(campaign)).toBe(expected);
  });
});

describe("hostile input", () => {
  const classifier = createClassifier({ siteDomains: ["example.com"], ignoredReferrers: [] });
  const at = (query: string, referrer: string | null = null) => ({ url: `https://example.com/?${query}`, referrer, campaign: null });

  test("a 32 KB utm_medium of cp...cp%0A is cut to 256 characters and classified", () => {
    // Issue 16: this medium took the backtracking regex 682 ms; the scan reads 256 characters.
    const r = classifier.classify(at(`utm_source=x&utm_medium=${"cp".repeat(16_384)}%0A`));
    expect(r.medium).toBe("cp".repeat(128));
    expect(r.channel).toBe("Paid Other");
  });

  test("a line break inside the kept medium makes it not paid, as GA4's regex says", () => {
    const r = classifier.classify(at(`utm_source=x&utm_medium=${"cp".repeat(50)}%0Acp`));
    expect(r.medium).toBe(`${"cp".repeat(50)}\ncp`);
    expect(r.channel).toBe("Unassigned");
  });

  test("a 32 KB shopping campaign with line breaks", () => {
    const r = classifier.classify(at(`utm_source=x&utm_medium=cpc&utm_campaign=${"shop%0A".repeat(5000)}`));
    expect(r.campaign).toHaveLength(MAX_CAMPAIGN_FIELD_LENGTH);
    expect(r.channel).toBe("Paid Other");
  });

  test("every UTM field is bounded, after decoding", () => {
    const long = "a".repeat(1000);
    const r = classifier.classify(at(`utm_source=${long}&utm_medium=${long}&utm_campaign=${long}&utm_term=${long}&utm_content=${long}`));
    for (const v of [r.source, r.medium, r.campaign, r.term, r.content]) expect(v).toHaveLength(MAX_CAMPAIGN_FIELD_LENGTH);
  });

  test("context.campaign values are bounded too", () => {
    const r = classifier.classify({ url: null, referrer: null, campaign: { source: "s".repeat(5000), medium: "email", name: "n".repeat(5000) } });
    expect(r.source).toHaveLength(MAX_CAMPAIGN_FIELD_LENGTH);
    expect(r.campaign).toHaveLength(MAX_CAMPAIGN_FIELD_LENGTH);
    expect(r.channel).toBe("Email");
  });

  test("only the first MAX_URL_LENGTH characters of the landing URL are read", () => {
    const padding = "p=".padEnd(MAX_URL_LENGTH, "x");
    expect(classifier.classify(at(`utm_source=early&utm_medium=email&${padding}`)).source).toBe("early");
    expect(classifier.classify(at(`${padding}&utm_source=late&utm_medium=email`))).toMatchObject({ source: "(direct)", rule: "direct" });
  });

  test("a 100 KB referrer still gives its host", () => {
    const r = classifier.classify({ url: "https://example.com/", referrer: `https://www.bing.com/search?q=${"x".repeat(100_000)}`, campaign: null });
    expect(r).toMatchObject({ source: "bing", medium: "organic", channel: "Organic Search" });
  });

  test("a 32 KB host-like referrer is not a host", () => {
    const r = classifier.classify({ url: "https://example.com/", referrer: `https://${"a.".repeat(16_384)}com/`, campaign: null });
    expect(r.rule).toBe("direct");
  });
});
