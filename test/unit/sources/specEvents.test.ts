import { describe, expect, test } from "vitest";
import { createClassifier, type Classification } from "../../../src/sources/index.js";

const classifier = createClassifier({ siteDomains: ["example.com"], ignoredReferrers: [] });
type Expected = Partial<Classification>;

describe("spec events", () => {
  test.each<[string, string, Record<string, unknown> | null, Expected | null]>([
    ["Email Link Clicked with campaign", "Email Link Clicked", { campaign_name: "Weekly Digest", email_provider: "Mailchimp" }, { kind: "campaign", source: "mailchimp", medium: "email", campaign: "weekly digest", channel: "Email", rule: "email_event" }],
    ["Email Link Clicked without properties", "Email Link Clicked", null, { source: "email", medium: "email", campaign: null, channel: "Email", rule: "email_event" }],
    ["Email Link Clicked with campaign_id only", "Email Link Clicked", { campaign_id: "123" }, { campaign: "123", rule: "email_event" }],
    ["email channel fixed even for a shopping campaign", "Email Link Clicked", { campaign_name: "Shopping week" }, { channel: "Email" }],
    ["Email Link Clicked classified by link UTMs", "Email Link Clicked", { link_url: "https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=june", campaign_name: "other" }, { source: "newsletter", medium: "email", campaign: "june", channel: "Email", rule: "email_event" }],
    ["Push Notification Tapped with campaign object", "Push Notification Tapped", { campaign: { name: "Labor Day", source: "Braze", content: "Offer" } }, { kind: "campaign", source: "braze", medium: "push", campaign: "labor day", content: "offer", channel: "Mobile Push Notifications", rule: "push_event" }],
    ["Push Notification Tapped bare", "Push Notification Tapped", {}, { source: "push", medium: "push", campaign: null, channel: "Mobile Push Notifications", rule: "push_event" }],
    ["Deep Link Opened with UTMs", "Deep Link Opened", { url: "myapp://promo?utm_source=partner&utm_medium=affiliate", referring_application: "com.other.app" }, { source: "partner", medium: "affiliate", channel: "Affiliates", rule: "deep_link" }],
    ["Deep Link Opened from Gmail app id", "Deep Link Opened", { url: "myapp://item/1", referring_application: "com.google.android.gm" }, { source: "gmail", medium: "email", channel: "Email", rule: "deep_link" }],
    ["Deep Link Opened with nothing to say", "Deep Link Opened", { url: "myapp://item/1" }, null],
    ["Email Opened is not a touchpoint", "Email Opened", { campaign_name: "x" }, null],
    ["Order Completed is not a touchpoint", "Order Completed", { revenue: 10 }, null],
    ["event names are case-insensitive", "email link clicked", {}, { rule: "email_event" }],
  ])("%s", (_name, event, properties, expected) => {
    const result = classifier.classifySpecEvent(event, properties);
    if (expected === null) expect(result).toBeNull();
    else expect(result).toMatchObject(expected);
  });
});

describe("spec events with hostile properties", () => {
  test("campaign fields of Email Link Clicked are bounded like the UTMs", () => {
    const c = createClassifier({ siteDomains: [], ignoredReferrers: [] });
    const r = c.classifySpecEvent("Email Link Clicked", { campaign_name: "x".repeat(10_000), email_provider: "y".repeat(10_000) });
    expect(r?.campaign).toHaveLength(256);
    expect(r?.source).toHaveLength(256);
    expect(r?.channel).toBe("Email");
  });
});
