import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ingest } from "../support/derive.js";
import { testPipeline } from "../support/testApp.js";

// Messages that are almost right: known types and ids, but any value anywhere else.
const loose = fc.record(
  {
    type: fc.constantFrom("page", "screen", "track", "identify", "alias", "group", "delete", "other"),
    messageId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    anonymousId: fc.oneof(fc.constantFrom("a1", "a2"), fc.integer(), fc.anything()),
    userId: fc.oneof(fc.constantFrom("u1", "u2"), fc.anything()),
    previousId: fc.anything(),
    groupId: fc.anything(),
    event: fc.oneof(fc.constantFrom("Order Completed", "Email Link Clicked", "Push Notification Tapped", "Deep Link Opened"), fc.anything()),
    timestamp: fc.oneof(fc.constant("2026-01-01T00:00:00Z"), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.anything()),
    context: fc.oneof(
      fc.record({
        ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.anything()),
        page: fc.oneof(fc.record({ url: fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.anything()), referrer: fc.oneof(fc.webUrl(), fc.string(), fc.anything()) }), fc.anything()),
        campaign: fc.oneof(fc.dictionary(fc.constantFrom("source", "medium", "name", "term", "content"), fc.anything()), fc.anything()),
        traits: fc.anything(),
      }),
      fc.anything(),
    ),
    properties: fc.oneof(fc.dictionary(fc.constantFrom("revenue", "total", "value", "currency", "url", "link_url", "referrer", "campaign_name"), fc.anything()), fc.anything()),
    traits: fc.oneof(fc.record({ email: fc.oneof(fc.emailAddress(), fc.anything()) }), fc.anything()),
  },
  { requiredKeys: [] },
);

describe("ingest never throws on input", () => {
  test("any batch of loose messages is counted, never thrown", async () => {
    const p = testPipeline();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(loose, fc.anything()), { maxLength: 20 }), async (batch) => {
          const counts = await ingest(p, batch);
          expect(counts.accepted + counts.duplicates + counts.rejected + counts.ignored).toBe(batch.length);
        }),
        { numRuns: 300 },
      );
      // The deriver neither failed on a stored row (it would skip it) nor on a person.
      expect(await p.store.cursor.lag()).toBe(0);
      expect(await p.store.cursor.failureCount()).toBe(0);
      expect(await p.store.derived.dirtyPersons(10)).toEqual([]);
    } finally {
      await p.cleanup();
    }
  });
});
