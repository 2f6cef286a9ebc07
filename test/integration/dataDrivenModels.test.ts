import request from "supertest";
import { describe, expect, test } from "vitest";
import { identify, page, track } from "../support/segmentMessages.js";
import { settled, useTestApps } from "../support/testApp.js";

const DAY = 86_400_000;
const t0 = Date.UTC(2026, 4, 1, 8, 0, 0);
const at = (days: number, minutes = 0) => new Date(t0 + days * DAY + minutes * 60_000).toISOString();

const makeApp = useTestApps();

type Row = { key: string; conversions: number; revenue: number; credit_low: number | null; credit_high: number | null };
const byKey = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.key, r]));

/**
 * A: Organic Search > Email > Direct, converts ($100). B: Paid Search, signs up ($0).
 * C: Referral, never converts. D: converts ($50) with no touch (Unattributed).
 */
async function seed(env: Record<string, string> = {}) {
  const t = makeApp({ SITE_DOMAINS: "shop.example", ...env });
  await request(t.app)
    .post("/webhooks/segment")
    .send([
      page("a", at(0), "https://shop.example/", "https://www.google.com/search?q=shoes"),
      page("a", at(2), "https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=may"),
      page("a", at(5), "https://shop.example/cart"),
      identify("user-a", "a", at(5, 1)),
      track({ userId: "user-a", anonymousId: "a" }, "Order Completed", at(6), { revenue: 100 }),
      page("b", at(1), "https://shop.example/?gclid=xyz"),
      track({ anonymousId: "b" }, "Signed Up", at(1, 60)),
      page("c", at(0), "https://shop.example/", "https://someblog.example.net/post/1"),
      track({ userId: "user-d" }, "Order Completed", at(3), { total: "50" }),
    ])
    .expect(200);
  await settled(t.pipeline);
  await t.deriver.refit();
  return t;
}

describe("data-driven models through the webhook", () => {
  test("before the first fit: fit is null, shapley credits linearly, no intervals", async () => {
    const t = makeApp({ SITE_DOMAINS: "shop.example" });
    await request(t.app).post("/webhooks/segment").send([page("b", at(1), "https://shop.example/?gclid=xyz"), track({ anonymousId: "b" }, "Signed Up", at(2))]).expect(200);
    const r = await request(t.app).get("/api/reports/attribution?model=shapley").expect(200);
    expect(r.body.fit).toBeNull();
    expect(r.body.rows).toEqual([{ key: "Paid Search", conversions: 1, revenue: 0, unconverted: {}, credit_low: null, credit_high: null }]);
  });

  test("shapley, markov and markov_global after a refit, by hand", async () => {
    const { app } = await seed();
    // Journeys: [Organic Search, Email, Direct] → conv, [Paid Search] → conv, [Referral] → null.
    // Shapley for A's conversion: every proper subset of its set was never seen (v = 0) and
    // v(N) = 1, so each channel's marginal contribution is 1 only when it joins last
    // (weight 2!·0!/3! = 1/3): 1/3 each. B: Paid Search alone, v = 1: 1.
    const shapley = (await request(app).get("/api/reports/attribution?model=shapley").expect(200)).body;
    const s = byKey(shapley.rows);
    for (const c of ["Organic Search", "Email", "Direct"]) expect(s[c]!.conversions).toBeCloseTo(1 / 3, 9); // rounded to 1e-9 at the edge (issue 15)
    expect(s["Paid Search"]!.conversions).toBeCloseTo(1, 12);
    expect(s["Unattributed"]!).toMatchObject({ conversions: 1, revenue: 50, credit_low: 1, credit_high: 1 });
    expect(shapley.totals.conversions).toBeCloseTo(3, 12);
    expect(shapley.fit).toMatchObject({ paths: 3, order: 1 });
    expect(Date.parse(shapley.fit.fitted_at)).toBeGreaterThan(0);

    // Markov (order 1): start → OS, PS, Referral 1/3 each; OS → Email → Direct → conv; PS → conv;
    // Referral → null. P = 2/3. Removing any of OS, Email, Direct, PS leaves 1/3: effect 1/2;
    // Referral leads nowhere: 0.
    const markov = (await request(app).get("/api/reports/attribution?model=markov").expect(200)).body;
    expect(markov.removal_effects).toEqual({ Direct: 0.5, Email: 0.5, "Organic Search": 0.5, "Paid Search": 0.5, Referral: 0 });
    // markov_global: the 2 attributed conversions ($100) split 1/4 each over the four channels
    // with effect 1/2; Referral 0; Unattributed (D, $50) stays its own row.
    const global = (await request(app).get("/api/reports/attribution?model=markov_global").expect(200)).body;
    const g = byKey(global.rows);
    for (const c of ["Organic Search", "Email", "Direct", "Paid Search"]) {
      expect(g[c]!.conversions).toBeCloseTo(0.5, 12);
      expect(g[c]!.revenue).toBeCloseTo(25, 12);
    }
    expect(g["Referral"]!.conversions).toBe(0);
    expect(g["Unattributed"]).toMatchObject({ conversions: 1, revenue: 50 });
    expect(global.totals).toEqual({ conversions: 3, revenue: 150, unconverted: {} });
    expect(global.fit).toEqual(markov.fit);
  });

  test("bootstrap intervals: the same data gives the same bounds, and they bracket each row", async () => {
    const first = await seed();
    const again = await seed();
    for (const model of ["markov", "shapley", "markov_global"]) {
      const a = (await request(first.app).get(`/api/reports/attribution?model=${model}`).expect(200)).body.rows as Row[];
      const b = (await request(again.app).get(`/api/reports/attribution?model=${model}`).expect(200)).body.rows as Row[];
      expect(b).toEqual(a);
      for (const r of a) {
        expect(r.credit_low).not.toBeNull();
        expect(r.credit_low!).toBeLessThanOrEqual(r.conversions + 1e-12);
        expect(r.credit_high!).toBeGreaterThanOrEqual(r.conversions - 1e-12);
      }
    }
    // Grouped by anything but channel, the bounds are null.
    const bySource = (await request(first.app).get("/api/reports/attribution?model=shapley&groupBy=source").expect(200)).body.rows as Row[];
    for (const r of bySource) expect([r.credit_low, r.credit_high]).toEqual([null, null]);
  });

  test("shapley_channel trait and per-conversion shapley credits in the journey", async () => {
    const { app } = await seed();
    const a = (await request(app).get("/api/people/user-a").expect(200)).body;
    const credits = a.conversions[0].credits.shapley as Array<{ channel: string; credit: number }>;
    expect(credits.map((c) => c.channel)).toEqual(["Organic Search", "Email", "Direct"]);
    for (const c of credits) expect(c.credit).toBeCloseTo(1 / 3, 9); // rounded to 1e-9 at the edge (issue 15)
    // A three-way tie goes to the latest touched channel, as for every model trait.
    expect(a.traits.shapley_channel).toBe("Direct");
    expect((await request(app).get("/api/people/b").expect(200)).body.traits.shapley_channel).toBe("Paid Search");
  });

  test("MARKOV_ORDER=2 separates what happened before the shared channel", async () => {
    // X: Email > Paid Search converts; Y: Referral > Paid Search does not.
    // Order 1: Email ½, Paid Search 1, Referral ½. Order 2: (Email, Paid Search) → conv,
    // (Referral, Paid Search) → null: Email 1, Paid Search 1, Referral 0.
    const messages = [
      page("x", at(0), "https://shop.example/?utm_source=newsletter&utm_medium=email"),
      page("x", at(1), "https://shop.example/?gclid=1"),
      track({ anonymousId: "x" }, "Order Completed", at(2), { revenue: 10 }),
      page("y", at(0), "https://shop.example/", "https://someblog.example.net/post/1"),
      page("y", at(1), "https://shop.example/?gclid=2"),
    ];
    for (const [order, expected] of [
      ["1", { Email: 0.5, "Paid Search": 1, Referral: 0.5 }],
      ["2", { Email: 1, "Paid Search": 1, Referral: 0 }],
    ] as const) {
      const t = makeApp({ SITE_DOMAINS: "shop.example", MARKOV_ORDER: order });
      await request(t.app).post("/webhooks/segment").send(messages).expect(200);
      await settled(t.pipeline);
      await t.deriver.refit();
      const r = (await request(t.app).get("/api/reports/attribution?model=markov").expect(200)).body;
      expect(Object.keys(r.removal_effects).sort()).toEqual(Object.keys(expected).sort());
      for (const [c, e] of Object.entries(expected)) expect(r.removal_effects[c]).toBeCloseTo(e, 12);
      expect(r.fit.order).toBe(Number(order));
    }
  });
});
