import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ingest } from "../support/derive.js";
import { derivedSnapshot } from "../support/snapshot.js";
import { testPipeline } from "../support/testApp.js";

const anons = ["a1", "a2", "a3", "a4"];
const users = ["u1", "u2", "u3"];
const hosts = ["https://www.google.com/search?q=x", "https://t.co/abc", "", "https://news.example.org/post"];

/** A small universe of Segment messages that exercise identity links, visits and conversions. */
const messageArb = fc.record({
  kind: fc.constantFrom("page", "page", "page", "identify", "track", "alias"),
  anon: fc.constantFrom(...anons),
  user: fc.constantFrom(...users),
  minute: fc.integer({ min: 0, max: 600 }),
  ref: fc.constantFrom(...hosts),
  utm: fc.constantFrom("", "?utm_source=newsletter&utm_medium=email", "?gclid=abc"),
  email: fc.constantFrom("one@example.com", "two@example.com", null),
});

type Spec = typeof messageArb extends fc.Arbitrary<infer T> ? T : never;

function toMessages(specs: Spec[]) {
  return specs.map((s, i) => {
    const timestamp = new Date(Date.UTC(2026, 0, 1) + s.minute * 60_000).toISOString();
    const messageId = `m${i}`;
    switch (s.kind) {
      case "identify":
        return { type: "identify", messageId, anonymousId: s.anon, userId: s.user, timestamp, traits: s.email ? { email: s.email } : {} };
      case "track":
        return { type: "track", messageId, anonymousId: s.anon, event: "Order Completed", timestamp, properties: { revenue: 10 } };
      case "alias":
        return { type: "alias", messageId, userId: s.user, previousId: s.anon, timestamp };
      default:
        return { type: "page", messageId, anonymousId: s.anon, timestamp, context: { page: { url: `https://shop.example/${s.utm}`, referrer: s.ref } } };
    }
  });
}

async function ingestAll(batches: unknown[][]) {
  const p = testPipeline();
  try {
    for (const b of batches) await ingest(p, b);
    // A raw row the deriver failed on is skipped (and would have thrown before the split).
    expect(await p.store.cursor.failureCount()).toBe(0);
    return { stats: await p.store.admin.stats(), snapshot: await derivedSnapshot(p) };
  } finally {
    await p.cleanup();
  }
}

describe("ingest is order-independent and idempotent", () => {
  test("any shuffled, duplicated, re-batched delivery yields the same stored set and the same persons", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(messageArb, { minLength: 1, maxLength: 25 }),
        fc.infiniteStream(fc.nat()),
        fc.integer({ min: 1, max: 5 }),
        async (specs, randoms, batchSize) => {
          const messages = toMessages(specs);
          const reference = await ingestAll([messages]);
          const it = randoms[Symbol.iterator]();
          const rnd = () => it.next().value as number;
          const delivered = [...messages, ...messages.filter(() => rnd() % 3 === 0)];
          for (let i = delivered.length - 1; i > 0; i--) {
            const j = rnd() % (i + 1);
            [delivered[i], delivered[j]] = [delivered[j]!, delivered[i]!];
          }
          const batches: unknown[][] = [];
          for (let i = 0; i < delivered.length; i += batchSize) batches.push(delivered.slice(i, i + batchSize));
          const shuffled = await ingestAll(batches);
          expect(shuffled.stats.messages).toBe(reference.stats.messages);
          expect(shuffled.stats.persons).toBe(reference.stats.persons);
          expect(shuffled.snapshot).toEqual(reference.snapshot);
        },
      ),
      { numRuns: 40 },
    );
  });
});
