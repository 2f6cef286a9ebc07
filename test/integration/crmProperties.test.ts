import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseCrmHit } from "../../src/crm/index.js";
import { applyCrmHit } from "../../src/pipeline/applyCrmHit.js";
import { DirtyPersons } from "../../src/pipeline/context.js";
import { deriveDirty, ingestBatch } from "../../src/pipeline/ingestBatch.js";
import { attributionReport } from "../../src/reports/attributionReport.js";
import { page, identify } from "../support/segmentMessages.js";
import { silentLog, testPipeline } from "../support/testApp.js";

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

/** Applies hits in the given order; receivedAt is the same for all (one request), seq is arrival order. */
function finalState(hits: Array<typeof hitArb extends fc.Arbitrary<infer T> ? T : never>) {
  const p = testPipeline();
  try {
    ingestBatch(p, seedMessages, silentLog);
    p.store.transaction(() => {
      const dirty = new DirtyPersons();
      for (const h of hits) {
        const body = { ...h, updatedAt: new Date(Date.UTC(2026, 0, 5, h.updatedHour)).toISOString(), createdAt: "2026-01-04T00:00:00Z" };
        const parsed = parseCrmHit(body, Date.UTC(2026, 0, 6));
        if (parsed.kind !== "ok") throw new Error(parsed.message);
        const seq = p.store.raw.insertHit(`${h.dealId}-${Math.random()}`, h.dealId, Date.UTC(2026, 0, 6), JSON.stringify(body), null);
        applyCrmHit(p, { ...parsed.hit, seq }, dirty, true);
      }
      deriveDirty(p, dirty, silentLog);
    });
    const deals = ["D1", "D2", "D3"].map((id) => p.store.deals.deal(id)).map((d) => d && { status: d.status, outcome: d.outcome });
    const report = attributionReport(p.store, { model: "all", groupBy: "channel", from: null, to: null, conversion: null });
    return { deals, report };
  } finally {
    p.cleanup();
  }
}

describe("CRM hits in any order", () => {
  test("any permutation of the same hits yields the same final deal state and the same reports", () => {
    fc.assert(
      fc.property(
        // distinct (dealId, updatedHour) pairs: when two hits tie on updatedAt AND receivedAt, arrival order
        // (seq) decides by design, so such pairs are not order-independent
        fc.uniqueArray(hitArb, { minLength: 1, maxLength: 12, selector: (h) => `${h.dealId}@${h.updatedHour}` }),
        fc.func(fc.integer()),
        (hits, key) => {
          const shuffled = [...hits].sort((a, b) => key(a) - key(b));
          expect(finalState(shuffled)).toEqual(finalState(hits));
        },
      ),
      { numRuns: 40 },
    );
  });
});
