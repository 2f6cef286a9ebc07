import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseCrmHit } from "../../src/crm/index.js";
import { attributionReport } from "../../src/reports/attributionReport.js";
import { deriveAll, ingest } from "../support/derive.js";
import { page, identify } from "../support/segmentMessages.js";
import { testPipeline } from "../support/testApp.js";

const hitArb = fc.record({
  dealId: fc.constantFrom("D1", "D2", "D3"),
  status: fc.constantFrom("open", "won", "refunded", "closed_won", "lost"),
  amount: fc.integer({ min: 0, max: 1000 }),
  // few distinct times, so equal updatedAt (ties) are common
  updatedHour: fc.integer({ min: 0, max: 4 }),
  userId: fc.constantFrom("u1", "u2"),
});

const seedMessages = [
  page("a1", "2026-01-01T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
  identify("u1", "a1", "2026-01-01T10:01:00Z"),
  page("a2", "2026-01-02T10:00:00Z", "https://shop.example/?utm_source=newsletter&utm_medium=email"),
  identify("u2", "a2", "2026-01-02T10:01:00Z"),
];

/**
 * Stores the hits raw in the given order, as one request does (receivedAt is the same for all,
 * seq is arrival order), then lets the deriver apply them.
 */
async function finalState(hits: Array<typeof hitArb extends fc.Arbitrary<infer T> ? T : never>) {
  const p = testPipeline();
  try {
    await ingest(p, seedMessages);
    await p.store.transaction(async () => {
      for (const h of hits) {
        const body = { ...h, updatedAt: new Date(Date.UTC(2026, 0, 5, h.updatedHour)).toISOString(), createdAt: "2026-01-04T00:00:00Z" };
        const parsed = parseCrmHit(body, Date.UTC(2026, 0, 6));
        if (parsed.kind !== "ok") throw new Error(parsed.message);
        await p.store.raw.insertHit(`${h.dealId}-${Math.random()}`, parsed.hit.dealId, Date.UTC(2026, 0, 6), JSON.stringify(body), null);
      }
    });
    await deriveAll(p);
    // Every hit was applied: none was skipped as a derivation failure.
    expect(await p.store.cursor.lag()).toBe(0);
    expect(await p.store.cursor.failureCount()).toBe(0);
    const deals: Array<{ status: string; outcome: string } | undefined> = [];
    for (const id of ["D1", "D2", "D3"]) {
      const d = await p.store.deals.deal(id);
      deals.push(d && { status: d.status, outcome: d.outcome });
    }
    const report = await attributionReport(p.store, { model: "all", groupBy: "channel", from: null, to: null, conversion: null });
    return { deals, report };
  } finally {
    await p.cleanup();
  }
}

describe("CRM hits in any order", () => {
  test("any permutation of the same hits yields the same final deal state and the same reports", async () => {
    await fc.assert(
      fc.asyncProperty(
        // distinct (dealId, updatedHour) pairs: when two hits tie on updatedAt AND receivedAt, arrival order
        // (seq) decides by design, so such pairs are not order-independent
        fc.uniqueArray(hitArb, { minLength: 1, maxLength: 12, selector: (h) => `${h.dealId}@${h.updatedHour}` }),
        fc.func(fc.integer()),
        async (hits, key) => {
          const shuffled = [...hits].sort((a, b) => key(a) - key(b));
          expect(await finalState(shuffled)).toEqual(await finalState(hits));
        },
      ),
      { numRuns: 40 },
    );
  });
});
