import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { storeBatches } from "../../src/gateway/index.js";
import { deriveAll, ingest, recompute, refitMarkov } from "../support/derive.js";
import { derivedSnapshot } from "../support/snapshot.js";
import { testPipeline } from "../support/testApp.js";

const DAY = 86_400_000;
const referrers = ["https://www.google.com/", "https://t.co/x", "", "https://chatgpt.com/", "https://news.example.org/a", "https://shop.example/prev"];
const queries = ["", "?utm_source=newsletter&utm_medium=email&utm_campaign=a", "?utm_source=newsletter&utm_medium=email&utm_campaign=b", "?gclid=1", "?fbclid=2"];

const spec = fc.record({
  kind: fc.constantFrom("page", "page", "page", "page", "identify", "track", "track"),
  anon: fc.constantFrom("a1", "a2", "a3", "a4", "a5"),
  user: fc.constantFrom("u1", "u2", "u3"),
  // minutes over ~100 days, so lookback (90 d), session timeout and decay all matter
  minute: fc.integer({ min: 0, max: 100 * 24 * 60 }),
  ref: fc.constantFrom(...referrers),
  query: fc.constantFrom(...queries),
  email: fc.constantFrom("x@example.com", null),
  revenue: fc.integer({ min: 0, max: 500 }),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

function messages(specs: Spec[]) {
  return specs.map((s, i) => {
    const timestamp = new Date(Date.UTC(2026, 0, 1) + s.minute * 60_000).toISOString();
    const messageId = `m${i}`;
    if (s.kind === "identify") return { type: "identify", messageId, anonymousId: s.anon, userId: s.user, timestamp, traits: s.email ? { email: s.email } : {} };
    if (s.kind === "track") return { type: "track", messageId, anonymousId: s.anon, event: "Order Completed", timestamp, properties: { revenue: s.revenue } };
    return { type: "page", messageId, anonymousId: s.anon, timestamp, context: { page: { url: `https://shop.example/${s.query}`, referrer: s.ref } } };
  });
}

describe("recompute equals incremental processing", () => {
  test("for any order of arrival, batching and deriver unit size, recompute from scratch gives the same derived data", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        // the deriver's unit: smaller or larger than a batch, so a person's messages are grouped across units
        fc.integer({ min: 1, max: 8 }),
        // the deriver catches up after each request, or lags behind them all (a unit then spans requests)
        fc.boolean(),
        async (specs, perm, size, unitSize, lagging) => {
          const msgs = messages(specs);
          // arrival order: a permutation driven by `perm`
          const order = msgs.map((m, i) => ({ m, k: perm[i % perm.length]! * 31 + i })).sort((a, b) => a.k - b.k).map((x) => x.m);
          const p = testPipeline({ SITE_DOMAINS: "shop.example" });
          try {
            const unit = { messages: unitSize, hits: unitSize };
            for (let i = 0; i < order.length; i += size) {
              const batch = order.slice(i, i + size);
              if (lagging) await storeBatches(p.store, [batch], p.now());
              else await ingest(p, batch, unit);
            }
            if (lagging) await deriveAll(p, unit);
            expect(await p.store.cursor.lag()).toBe(0);
            expect(await p.store.cursor.failureCount()).toBe(0);
            await refitMarkov(p);
            const incremental = await derivedSnapshot(p);
            const statsBefore = await p.store.admin.stats();
            await recompute(p);
            expect(await derivedSnapshot(p)).toEqual(incremental);
            const { outbox_pending: _a, ...restAfter } = await p.store.admin.stats();
            const { outbox_pending: _b, ...restBefore } = statsBefore;
            expect(restAfter).toEqual(restBefore);
            // and recompute is idempotent
            await recompute(p);
            expect(await derivedSnapshot(p)).toEqual(incremental);
          } finally {
            await p.cleanup();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
