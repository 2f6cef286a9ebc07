import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { split } from "../../src/store/sqlite/reportQueries.js";
import { ingest, refitMarkov } from "../support/derive.js";
import { page, track } from "../support/segmentMessages.js";
import { testPipeline } from "../support/testApp.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);

describe("split", () => {
  test.each([
    ["unbounded", null, null, { dayFrom: Number.MIN_SAFE_INTEGER, dayTo: Number.MAX_SAFE_INTEGER }],
    ["day-aligned", T0, T0 + 3 * DAY, { dayFrom: T0 / DAY, dayTo: T0 / DAY + 3, aFrom: T0, aTo: T0, bFrom: T0 + 3 * DAY, bTo: T0 + 3 * DAY }],
    ["within one day", T0 + 1000, T0 + 5000, { dayFrom: 0, dayTo: 0, aFrom: T0 + 1000, aTo: T0 + 5000 }],
    ["partial edges", T0 + 1000, T0 + 2 * DAY + 5, { dayFrom: T0 / DAY + 1, dayTo: T0 / DAY + 2, aFrom: T0 + 1000, aTo: T0 + DAY, bFrom: T0 + 2 * DAY, bTo: T0 + 2 * DAY + 5 }],
  ])("%s", (_n, from, to, expected) => {
    expect(split(from, to)).toMatchObject(expected);
  });
});

describe("reports from daily aggregates", () => {
  test("equal a direct sum over the credits for any window, and follow changes", async () => {
    const p = testPipeline();
    try {
      const msgs: unknown[] = [];
      const refs = ["https://www.google.com/", "https://t.co/x", "", "https://news.example.org/"];
      for (let i = 0; i < 60; i++) {
        const anon = `a${i % 12}`;
        msgs.push(page(anon, new Date(T0 + i * 7 * 3_600_000).toISOString(), `https://shop.example/${i % 5 === 0 ? "?utm_source=nl&utm_medium=email" : ""}`, refs[i % 4]));
        if (i % 4 === 3) msgs.push(track({ anonymousId: anon }, i % 8 === 3 ? "Order Completed" : "Signed Up", new Date(T0 + i * 7 * 3_600_000 + 60_000).toISOString(), { revenue: i }));
      }
      await ingest(p, msgs.slice(0, 40));
      const db = new Database(p.config.databasePath, { readonly: true });
      const dirtyDays = () => db.prepare("SELECT count(*) FROM report_dirty_days").pluck().get() as number;
      const summedRows = () => db.prepare("SELECT count(*) FROM report_days").pluck().get() as number;
      // What the deriver's maintenance step does between units: re-sum the days whose credits changed.
      const resum = async () => {
        await p.store.transaction(() => p.store.reports.refreshDirtyDays(Number.MAX_SAFE_INTEGER));
        expect(dirtyDays()).toBe(0);
      };
      const direct = (model: string, from: number, to: number, conversion: string | null) =>
        Object.fromEntries(
          (
            db
              .prepare(
                `SELECT channel AS key, sum(credit) AS c, sum(credit * revenue) AS r FROM credits
                 WHERE model = ? AND conversion_at >= ? AND conversion_at < ? AND (? IS NULL OR conversion_name = ?) GROUP BY channel`,
              )
              .all(model, from, to, conversion, conversion) as Array<{ key: string; c: number; r: number }>
          ).map((r) => [r.key, [r.c, r.r] as [number, number]]),
        );
      const check = () =>
        fc.assert(
          fc.asyncProperty(
            fc.constantFrom("linear", "first_touch", "time_decay", "markov"),
            fc.integer({ min: -2 * DAY, max: 20 * DAY }),
            fc.integer({ min: 0, max: 10 * DAY }),
            fc.constantFrom(null, "Signed Up"),
            async (model, offset, width, conversion) => {
              const from = T0 + offset;
              const to = from + width;
              const rows = await p.store.reports.attributionRows({ model, from, to, conversion }, "channel");
              const expected = direct(model, from, to, conversion);
              expect(rows.map((r) => r.key).sort()).toEqual(Object.keys(expected).sort());
              for (const r of rows) {
                expect(r.conversions).toBeCloseTo(expected[r.key]![0], 9);
                expect(r.revenue).toBeCloseTo(expected[r.key]![1], 9);
              }
            },
          ),
          { numRuns: 60 },
        );
      // before the deriver re-sums them, every day is read straight from the credits
      expect(dirtyDays()).toBeGreaterThan(0);
      await check();
      await resum();
      expect(summedRows()).toBeGreaterThan(0);
      await check();
      // merges and a Markov refit change credits of days already summed: they must be marked
      // dirty (read from the credits until re-summed), then re-summed
      const merges = [0, 1, 2, 3].map((i) => ({ type: "identify", messageId: `merge-${i}`, anonymousId: `a${i}`, userId: "u-merged", timestamp: new Date(T0 + 30 * DAY).toISOString() }));
      await ingest(p, [...msgs.slice(40), ...merges]);
      await refitMarkov(p);
      expect(dirtyDays()).toBeGreaterThan(0);
      await check();
      await resum();
      await check();
      db.close();
    } finally {
      await p.cleanup();
    }
  });
});
