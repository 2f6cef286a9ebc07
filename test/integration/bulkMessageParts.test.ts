import { describe, expect, test } from "vitest";
import { detailEvents, messageParts, type MessageParts } from "../../src/deriver/bulk/messageParts.js";
import { storeBatches } from "../../src/gateway/index.js";
import { identityClaim } from "../../src/identity/index.js";
import { conversionFromTrack } from "../../src/pipeline/conversionFromTrack.js";
import { fromStored } from "../../src/pipeline/storedMessage.js";
import { toDeviceCall } from "../../src/touchpoints/toDeviceCall.js";
import { testPipeline } from "../support/testApp.js";

const at = "2026-01-05T10:00:00.000Z";
const page = (url: unknown, referrer: unknown) => ({ url, referrer });

/** Messages whose payload parts sit in every place (and shape) the readers look at. */
const cases: Array<Record<string, unknown>> = [
  { type: "page", anonymousId: "a1", context: { page: page("https://s.example/?utm_source=x", "https://www.google.com/") } },
  { type: "page", anonymousId: "a1", context: { page: page("https://s.example/", "") }, properties: page("https://s.example/p", "https://t.co/") },
  { type: "page", anonymousId: "a1", properties: page("https://s.example/server-side", "https://bing.com/") },
  { type: "page", anonymousId: "a1", context: { page: page(123, null), referrer: { link: "https://app.example/" } }, properties: page("https://s.example/n", 7) },
  { type: "page", anonymousId: "a1", context: { page: ["https://s.example/"], campaign: ["x"] }, properties: ["y"] },
  { type: "page", anonymousId: "a1", context: "not an object" },
  { type: "page", anonymousId: "a1", context: { page: page("https://s.example/é?q=\u0001", "https://ü.example/\ud800"), campaign: { source: "News", medium: "Email", name: "Spring" } } },
  { type: "page", anonymousId: "a1", context: { page: page("", ""), referrer: "https://x.example/" }, properties: page("", "") },
  { type: "screen", userId: "u1", properties: { url: "app://home", referrer: "https://t.co/" } },
  { type: "track", anonymousId: "a1", event: "Order Completed", properties: { revenue: "12.5", currency: "eur" } },
  { type: "track", anonymousId: "a1", event: "Order Completed", properties: { total: 3, value: 9 } },
  { type: "track", anonymousId: "a1", event: "Order Completed", properties: ["not", "an", "object"] },
  { type: "track", anonymousId: "a1", event: "Product Viewed", properties: { url: "https://s.example/p", referrer: "https://t.co/" } },
  { type: "track", anonymousId: "a1", event: "Email Link Clicked", properties: { link_url: "https://s.example/?utm_source=nl&utm_medium=email", email_provider: "Mailchimp" } },
  // spelled as the spec is matched (trimmed, lower-cased), not as the store is asked about
  { type: "track", anonymousId: "a1", event: "  email link CLICKED ", context: { page: page("https://s.example/", "") }, properties: { campaign_name: "Winter" } },
  { type: "track", anonymousId: "a1", event: "Push Notification Tapped", properties: { campaign: { name: "Sale", source: "OneSignal" } } },
  { type: "track", anonymousId: "a1", event: "deep link opened", context: { referrer: { link: "android-app://com.google.android.gm" } }, properties: { url: "https://s.example/?gclid=1", referring_application: "com.google.android.gm" } },
  { type: "identify", anonymousId: "a1", userId: "u1", traits: { email: "  Someone@Example.COM " } },
  { type: "identify", userId: "u1", traits: null, context: { traits: { email: "ctx@example.com" } } },
  { type: "identify", userId: "u1", context: { traits: { email: "ctx-only@example.com" } } },
  { type: "identify", userId: "u1", traits: "a string", context: { traits: { email: "ignored@example.com" } } },
  { type: "identify", userId: "u1", traits: ["x@example.com"] },
  { type: "identify", userId: "u1", traits: { email: 42 } },
  { type: "identify", userId: "u1", traits: { email: "no-at-sign" } },
  { type: "alias", userId: "u2", previousId: "u1" },
  { type: "alias", userId: "u2", previousId: 12345678901234567890 },
  { type: "group", userId: "u2", groupId: "g" },
];

describe("the payload parts bulk recompute reads instead of whole payloads", () => {
  test("give every message the device call, email, previousId and conversion that the live steps get from the whole payload", async () => {
    const p = testPipeline({ SITE_DOMAINS: "s.example" }, () => 0, {}, "sqlite");
    try {
      const items = cases.map((c, i) => ({ messageId: `m${String(i).padStart(2, "0")}`, timestamp: at, ...c }));
      const [counts] = await storeBatches(p.store, [items], 0);
      expect(counts!.accepted).toBe(items.length);
      const events = p.conversionEvents;
      const detail = detailEvents(p.classifier, events);
      const reader = await p.store.bulk!.openReader();
      const rows = await reader.messagesByDevice(null, 1000, detail.names);
      expect(rows).toHaveLength(items.length);
      let asked = 0;
      for (const m of rows) {
        let parts = messageParts(m, null, events, detail);
        if (parts === "more") {
          asked++;
          const more = await reader.moreParts([m.messageId]);
          parts = messageParts(m, JSON.parse(more.get(m.messageId)!) as unknown[], events, detail);
        }
        expect(parts).not.toBe("more");
        const got = parts as MessageParts;
        const live = fromStored((await p.store.raw.message(m.messageId))!)!;
        const call = toDeviceCall(live.messageId, live.type, live.timestamp, live.raw);
        // Page and screen calls carry properties nobody reads (only a track's are); a track of
        // any other event than a conversion or spec event is only activity: its time is read.
        const activity = call?.type === "track" && !detail.needs(call.event!);
        if (activity) expect(p.classifier.classifySpecEvent(call!.event!, call!.properties)).toBeNull();
        const comparable = (c: typeof call) =>
          c === null ? c : activity ? { messageId: c.messageId, at: c.at, type: c.type, event: c.event } : c.type !== "track" ? { ...c, properties: null } : c;
        expect({ id: m.messageId, call: comparable(got.call) }).toEqual({ id: m.messageId, call: comparable(call) });
        const claim = await identityClaim(live, { identity: () => Promise.resolve(undefined) });
        expect({ id: m.messageId, email: got.email }).toEqual({ id: m.messageId, email: claim.email });
        expect({ id: m.messageId, previousId: got.previousId }).toEqual({ id: m.messageId, previousId: live.type === "alias" ? live.previousId : null });
        const conversion = conversionFromTrack(live, 0, events);
        expect({ id: m.messageId, conversion: got.conversion }).toEqual({ id: m.messageId, conversion });
      }
      // Only the rows whose parts were not enough were read again (the odd spelling, the empty pages).
      expect(asked).toBeGreaterThan(0);
      expect(asked).toBeLessThan(6);
      await reader.close();
    } finally {
      await p.cleanup();
    }
  });
});
