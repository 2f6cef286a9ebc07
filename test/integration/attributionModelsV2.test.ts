import request from "supertest";
import { describe, expect, test } from "vitest";
import { identify, page, track } from "../support/segmentMessages.js";
import { useTestApps } from "../support/testApp.js";

const DAY = 86_400_000;
const t0 = Date.UTC(2026, 4, 1, 8, 0, 0);
const at = (days: number, minutes = 0) => new Date(t0 + days * DAY + minutes * 60_000).toISOString();

const makeApp = useTestApps();

/**
 * A: Organic Search, Paid Search (gclid: a campaign), Organic Social, Direct, then converts (100).
 * B: Organic Social by an fbclid link (no campaign), then Direct, then converts (50).
 */
async function seed(env: Record<string, string> = {}) {
  const t = makeApp({ SITE_DOMAINS: "shop.example", ...env });
  await request(t.app)
    .post("/webhooks/segment")
    .send([
      page("a", at(0), "https://shop.example/", "https://www.google.com/search?q=shoes"),
      page("a", at(1), "https://shop.example/?gclid=abc"),
      page("a", at(3), "https://shop.example/", "https://t.co/x"),
      page("a", at(5), "https://shop.example/cart"),
      identify("user-a", "a", at(5, 1)),
      track({ userId: "user-a", anonymousId: "a" }, "Order Completed", at(6), { revenue: 100 }),
      page("b", at(1), "https://shop.example/?fbclid=xyz", "https://m.facebook.com/"),
      page("b", at(2), "https://shop.example/"),
      track({ anonymousId: "b" }, "Order Completed", at(2, 60), { revenue: 50 }),
    ])
    .expect(200);
  return t;
}

const credits = (conv: { credits: Record<string, Array<{ touch: number; channel: string; credit: number }>> }, model: string) =>
  conv.credits[model]!.map((c) => [c.touch, c.channel, c.credit] as const);

function expectClose(actual: ReadonlyArray<readonly [number, string, number]>, expected: Array<[number, string, number]>) {
  expect(actual.map(([t, c]) => [t, c])).toEqual(expected.map(([t, c]) => [t, c]));
  actual.forEach(([, , credit], i) => expect(credit).toBeCloseTo(expected[i]![2], 12));
}

describe("position models, participation and campaign priority through the webhook", () => {
  test("A's stored credits under j_shaped, inverse_j, custom (POSITION_WEIGHTS) and participation", async () => {
    const { app } = await seed({ POSITION_WEIGHTS: "10,30,60" });
    const res = await request(app).get("/api/people/user-a").expect(200);
    expect(res.body.touchpoints.map((t: { channel: string }) => t.channel)).toEqual(["Organic Search", "Paid Search", "Organic Social", "Direct"]);
    const [conv] = res.body.conversions;
    const all = [0, 1, 2, 3].map((i) => [i, res.body.touchpoints[i].channel] as const);
    const withCredits = (xs: number[]) => all.map(([i, c]) => [i, c, xs[i]!] as [number, string, number]);
    expectClose(credits(conv, "j_shaped"), withCredits([0.2, 0.1, 0.1, 0.6]));
    expectClose(credits(conv, "inverse_j"), withCredits([0.6, 0.1, 0.1, 0.2]));
    expectClose(credits(conv, "custom"), withCredits([0.1, 0.15, 0.15, 0.6]));
    expectClose(credits(conv, "position_based"), withCredits([0.4, 0.1, 0.1, 0.4]));
    expect(credits(conv, "participation")).toEqual(withCredits([1, 1, 1, 1]));
    expect(res.body.traits).toMatchObject({
      position_based_channel: "Direct", // ties Organic Search at 0.4: the latest wins
      j_shaped_channel: "Direct",
      inverse_j_channel: "Organic Search",
      custom_channel: "Direct",
    });
  });

  test("custom defaults to the U shape", async () => {
    const { app } = await seed();
    const [conv] = (await request(app).get("/api/people/user-a").expect(200)).body.conversions;
    expect(conv.credits.custom).toEqual(conv.credits.position_based);
  });

  test("participation report: each channel once per conversion it took part in, flagged as not summing to conversions", async () => {
    const { app } = await seed();
    const r = await request(app).get("/api/reports/attribution?model=participation").expect(200);
    const rows = Object.fromEntries(r.body.rows.map((x: { key: string; conversions: number; revenue: number }) => [x.key, [x.conversions, x.revenue]]));
    // Organic Social and Direct are on both paths; B's repeated channel counts once.
    expect(rows).toEqual({
      "Organic Social": [2, 150],
      Direct: [2, 150],
      "Organic Search": [1, 100],
      "Paid Search": [1, 100],
    });
    expect(r.body.totals).toEqual({ conversions: 6, revenue: 500, unconverted: {} });
    expect(r.body.credits_sum_to_conversions).toBe(false);
    expect(r.body.note).toMatch(/totals exceed the conversions/);
    const csv = await request(app).get("/api/reports/attribution?model=participation&format=csv").expect(200);
    expect(csv.text.split("\r\n")[0]).toBe("channel,conversions,revenue");
    expect(csv.text).toContain("Organic Social,2,150");
  });

  test.each([
    { priority: "false", lastTouch: { A: "Direct", B: "Direct" }, lastNonDirect: { A: "Organic Social", B: "Organic Social" } },
    // A's gclid touch holds both; B's fbclid is no campaign, so B is unchanged.
    { priority: "true", lastTouch: { A: "Paid Search", B: "Direct" }, lastNonDirect: { A: "Paid Search", B: "Organic Social" } },
  ])("CAMPAIGN_PRIORITY=$priority", async ({ priority, lastTouch, lastNonDirect }) => {
    const { app } = await seed({ CAMPAIGN_PRIORITY: priority });
    const a = (await request(app).get("/api/people/user-a").expect(200)).body.conversions[0];
    const b = (await request(app).get("/api/people/b").expect(200)).body.conversions[0];
    expect(a.credits.last_touch.map((c: { channel: string }) => c.channel)).toEqual([lastTouch.A]);
    expect(b.credits.last_touch.map((c: { channel: string }) => c.channel)).toEqual([lastTouch.B]);
    expect(a.credits.last_non_direct.map((c: { channel: string }) => c.channel)).toEqual([lastNonDirect.A]);
    expect(b.credits.last_non_direct.map((c: { channel: string }) => c.channel)).toEqual([lastNonDirect.B]);
    // first_touch is not a last-touch model.
    expect(a.credits.first_touch.map((c: { channel: string }) => c.channel)).toEqual(["Organic Search"]);
    const report = await request(app).get("/api/reports/attribution?model=last_touch").expect(200);
    expect(report.body.totals.conversions).toBeCloseTo(2, 12);
  });
});
