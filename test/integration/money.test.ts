import { writeFileSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { afterAll, describe, expect, test } from "vitest";
import { identify, page, track } from "../support/segmentMessages.js";
import { tempDir, useTestApps } from "../support/testApp.js";
import { recompute } from "../support/derive.js";
import { loadConfig } from "../../src/config/index.js";
import { createPipeline } from "../../src/pipeline/context.js";

const setup = useTestApps();
const { dir, cleanup } = tempDir("sa-money-");
afterAll(cleanup);

function ratesFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, ["date,currency,rate", ...lines].join("\n"));
  return path;
}

const CRM = { CRM_WEBHOOK_TOKEN: "t" };

/** One person (google organic) with EUR and USD orders and a conversion without currency; another with an EUR deal. */
async function seedMixed(app: Parameters<typeof request>[0]) {
  await request(app)
    .post("/webhooks/segment")
    .send([
      page("anon-m", "2026-02-01T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
      identify("user-m", "anon-m", "2026-02-01T10:01:00Z", { email: "m@example.com" }),
      track({ userId: "user-m" }, "Order Completed", "2026-02-15T10:00:00Z", { revenue: 4800, currency: "eur" }),
      track({ userId: "user-m" }, "Order Completed", "2026-02-16T10:00:00Z", { revenue: 463, currency: "USD" }),
      track({ userId: "user-m" }, "Order Completed", "2026-03-05T10:00:00Z", { revenue: 100 }),
    ])
    .expect(200);
  await request(app).post("/webhooks/crm").set("authorization", "Bearer t")
    .send({ dealId: "D-EUR", status: "won", amount: "1.000,00 €", email: "m@example.com", createdAt: "2026-03-10T00:00:00Z" })
    .expect(200);
}

describe("currencies (issue 15)", () => {
  test("without rates, other currencies are never added to the reporting one: reports, overview, paths, CSV and traits say so", async () => {
    const { app } = setup(CRM);
    await seedMixed(app);
    const r = (await request(app).get("/api/reports/attribution?model=linear")).body;
    expect(r.currency).toBe("USD");
    expect(r.totals).toEqual({ conversions: 4, revenue: 563, unconverted: { EUR: 5800 } });
    expect(r.rows).toEqual([{ key: "Organic Search", conversions: 4, revenue: 563, unconverted: { EUR: 5800 } }]);
    const all = (await request(app).get("/api/reports/attribution?model=all")).body;
    expect(all.currency).toBe("USD");
    expect(all.models.first_touch.totals).toEqual({ conversions: 4, revenue: 563, unconverted: { EUR: 5800 } });
    const overview = (await request(app).get("/api/reports/overview")).body;
    expect(overview).toMatchObject({ conversions: 4, revenue: 563, currency: "USD", unconverted: { EUR: 5800 } });
    const paths = (await request(app).get("/api/reports/paths")).body;
    expect(paths.currency).toBe("USD");
    expect(paths.paths).toEqual([
      {
        path: ["Organic Search"], conversions: 4, revenue: 563, unconverted: { EUR: 5800 },
        avg_touches: 1, avg_days: expect.any(Number), example_person: expect.stringMatching(/^person:\d+$/),
      },
    ]);
    expect(paths.path_lengths).toEqual([{ touches: 1, conversions: 4, revenue: 563, unconverted: { EUR: 5800 } }]);
    const pathsCsv = (await request(app).get("/api/reports/paths?format=csv&table=path_lengths")).text;
    expect(pathsCsv).toBe("touches,conversions,revenue,revenue_EUR\r\n1,4,563,5800\r\n");
    const names = (await request(app).get("/api/conversions/names")).body;
    expect(names).toEqual({
      currency: "USD",
      names: [
        { name: "Order Completed", origin: "track", conversions: 3, revenue: 563, unconverted: { EUR: 4800 } },
        { name: "Deal Won", origin: "crm", conversions: 1, revenue: 0, unconverted: { EUR: 1000 } },
      ],
    });
    expect((await request(app).get("/api/conversions/names?format=csv")).text).toBe(
      "name,origin,conversions,revenue,revenue_EUR\r\nOrder Completed,track,3,563,4800\r\nDeal Won,crm,1,0,1000\r\n",
    );
    // The overview CSV spells unconverted revenue out per currency, never "[object Object]".
    const overviewCsv = (await request(app).get("/api/reports/overview?format=csv")).text;
    const [header, values] = overviewCsv.trim().split("\r\n").map((l) => l.split(","));
    expect(overviewCsv).not.toContain("object");
    expect(Object.fromEntries(header!.map((h, i) => [h, values![i]]))).toMatchObject({ revenue: "563", currency: "USD", revenue_EUR: "5800" });
    const csv = (await request(app).get("/api/reports/attribution?model=linear&format=csv")).text;
    expect(csv).toBe("channel,conversions,revenue,revenue_EUR\r\nOrganic Search,4,563,5800\r\n");
    const person = (await request(app).get("/api/people/user-m")).body;
    expect(person.traits).toMatchObject({ lifetime_revenue: 0, lifetime_revenue_currency: "USD", lifetime_revenue_unconverted: { EUR: 1000 } });
    const eur = person.conversions.find((c: { currency: string | null; origin: string }) => c.currency === "EUR" && c.origin === "track");
    expect(eur).toMatchObject({ revenue: 4800, currency: "EUR", reporting_revenue: null });
  });

  test("with a rates file, the latest rate on or before each conversion's date converts it; a later rates file applies after recompute", async () => {
    const rates = ratesFile("rates.csv", ["2026-01-01,EUR,1.1", "2026-03-01,EUR,1.2", "2026-03-01,GBP,1.3"]);
    const { app, pipeline } = setup({ ...CRM, EXCHANGE_RATES_PATH: rates });
    await seedMixed(app);
    // 4800 EUR on 2026-02-15 at 1.1 = 5280; 463 USD; 100 (no currency: USD); deal 1000 EUR on 2026-03-10 at 1.2 = 1200.
    const r = (await request(app).get("/api/reports/attribution?model=last_touch")).body;
    expect(r.totals).toEqual({ conversions: 4, revenue: 7043, unconverted: {} });
    expect(r.rows[0]).toEqual({ key: "Organic Search", conversions: 4, revenue: 7043, unconverted: {} });
    expect((await request(app).get("/api/reports/overview")).body).toMatchObject({ revenue: 7043, unconverted: {} });
    const person = (await request(app).get("/api/people/user-m")).body;
    expect(person.traits).toMatchObject({ lifetime_revenue: 1200, lifetime_revenue_currency: "USD" });
    expect(person.traits.lifetime_revenue_unconverted).toBeUndefined();

    // A new rates file: recompute applies it to everything derived.
    const other = ratesFile("rates2.csv", ["2026-01-01,EUR,2"]);
    const config = loadConfig({ DATABASE_PATH: pipeline.config.databasePath, EXCHANGE_RATES_PATH: other, LOG_LEVEL: "silent", ...CRM });
    await recompute(createPipeline(pipeline.store, pipeline.classifier, config, pipeline.now));
    const after = (await request(app).get("/api/reports/attribution?model=last_touch")).body;
    expect(after.totals).toEqual({ conversions: 4, revenue: 4800 * 2 + 463 + 100 + 2000, unconverted: {} });
  });

  test("a conversion before the first rate of its currency stays unconverted", async () => {
    const rates = ratesFile("late.csv", ["2026-03-01,EUR,1.2"]);
    const { app } = setup({ ...CRM, EXCHANGE_RATES_PATH: rates });
    await seedMixed(app);
    const r = (await request(app).get("/api/reports/attribution?model=linear")).body;
    expect(r.totals).toEqual({ conversions: 4, revenue: 563 + 1200, unconverted: { EUR: 4800 } });
  });

  test("REPORTING_CURRENCY=EUR: a conversion without currency is in EUR, USD without a rate is unconverted", async () => {
    const { app } = setup({ ...CRM, REPORTING_CURRENCY: "eur" });
    await seedMixed(app);
    const r = (await request(app).get("/api/reports/attribution?model=linear")).body;
    expect(r.currency).toBe("EUR");
    expect(r.totals).toEqual({ conversions: 4, revenue: 4800 + 100 + 1000, unconverted: { USD: 463 } });
  });
});

describe("numbers at the edge (issue 15)", () => {
  test("money is rounded to the currency's minor unit and credits to 1e-9 in JSON and CSV", async () => {
    const { app } = setup({ REPORTING_CURRENCY: "USD" });
    const msgs: unknown[] = [
      page("anon-r", "2026-02-01T10:00:00Z", "https://shop.example/?utm_source=a&utm_medium=email"),
      page("anon-r", "2026-02-01T12:00:00Z", "https://shop.example/?utm_source=b&utm_medium=cpc"),
      page("anon-r", "2026-02-01T14:00:00Z", "https://shop.example/", "https://www.bing.com/"),
    ];
    // 0.1 + 0.2 + ... : binary fractions that do not add up exactly; 1/3 credits thrice.
    for (let i = 0; i < 9; i++) msgs.push(track({ anonymousId: "anon-r" }, "Order Completed", `2026-02-0${2 + (i % 7)}T10:0${i}:00Z`, { revenue: 0.1 + i * 0.1, currency: i % 2 ? "JPY" : undefined }));
    await request(app).post("/webhooks/segment").send(msgs).expect(200);
    const r = (await request(app).get("/api/reports/attribution?model=linear")).body;
    const text = JSON.stringify(r);
    expect(text).not.toMatch(/\d\.\d{10,}/);
    for (const row of r.rows) {
      expect(Number.isInteger(row.conversions * 1e9 + 1e-6) || Math.abs(row.conversions * 1e9 - Math.round(row.conversions * 1e9)) < 1e-6).toBe(true);
      expect(Math.abs(row.revenue * 100 - Math.round(row.revenue * 100))).toBeLessThan(1e-6);
      for (const v of Object.values(row.unconverted as Record<string, number>)) expect(Number.isInteger(v)).toBe(true); // JPY: no minor unit
    }
    expect(r.totals.conversions).toBe(9);
    expect(r.totals.revenue).toBe(2.5); // 0.1 + 0.3 + 0.5 + 0.7 + 0.9 in USD
    expect(r.totals.unconverted).toEqual({ JPY: 2 }); // 0.2 + 0.4 + 0.6 + 0.8 = 2 yen
    const csv = (await request(app).get("/api/reports/attribution?model=linear&format=csv")).text;
    expect(csv).not.toMatch(/\d\.\d{10,}/);
    const person = (await request(app).get("/api/people/anon-r")).body;
    expect(JSON.stringify(person.conversions)).not.toMatch(/\d\.\d{10,}/);
  });

  test("absurd revenue is rejected at the gate with its reason; totals stay finite", async () => {
    const { app } = setup();
    const res = await request(app)
      .post("/webhooks/segment")
      .send([
        track({ anonymousId: "a" }, "Order Completed", "2026-02-01T10:00:00Z", { revenue: 1e308 }),
        track({ anonymousId: "a" }, "Order Completed", "2026-02-01T10:01:00Z", { revenue: 1e308 }),
        track({ anonymousId: "a" }, "Order Completed", "2026-02-01T10:02:00Z", { revenue: 5 }),
      ]);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 2 });
    const rejected = (await request(app).get("/api/rejected")).body;
    expect(rejected.rows[0].reason).toBe("properties.revenue is out of range (at most 1e+12 either way)");
    expect((await request(app).get("/api/reports/attribution")).body.totals).toEqual({ conversions: 1, revenue: 5, unconverted: {} });
  });
});

describe("money strings and conversion names (issue 15)", () => {
  test("money strings are parsed; an unreadable one keeps the conversion, flagged, never 0", async () => {
    const { app } = setup();
    const at = (m: number) => `2026-02-01T10:0${m}:00Z`;
    await request(app)
      .post("/webhooks/segment")
      .send([
        page("anon-s", at(0), "https://shop.example/"),
        track({ anonymousId: "anon-s" }, "Order Completed", at(1), { total: "1,299.00" }),
        track({ anonymousId: "anon-s" }, "Order Completed", at(2), { revenue: "$19.99" }),
        track({ anonymousId: "anon-s" }, "Order Completed", at(3), { revenue: "1.299,00 €" }),
        track({ anonymousId: "anon-s" }, "Order Completed", at(4), { value: "19,99" }),
        track({ anonymousId: "anon-s" }, "Order Completed", at(5), { revenue: "lots of money" }),
      ])
      .expect(200);
    const person = (await request(app).get("/api/people/anon-s")).body;
    expect(person.conversions.map((c: { revenue: number | null; currency: string | null }) => [c.revenue, c.currency])).toEqual([
      [1299, null],
      [19.99, null],
      [1299, "EUR"],
      [19.99, null],
      [null, null],
    ]);
    expect(person.conversions[4].revenue_error).toContain("properties.revenue");
    expect(person.conversions[0].revenue_error).toBeUndefined();
    const r = (await request(app).get("/api/reports/attribution?model=linear")).body;
    expect(r.totals).toEqual({ conversions: 5, revenue: 1338.98, unconverted: { EUR: 1299 } });
  });

  test("CONVERSION_EVENTS match case- and space-insensitively, named as configured (reports filter alike)", async () => {
    const { app } = setup({ CONVERSION_EVENTS: "Order Completed,Signed Up" });
    await request(app)
      .post("/webhooks/segment")
      .send([
        page("anon-c", "2026-02-01T10:00:00Z", "https://shop.example/"),
        track({ anonymousId: "anon-c" }, "Signed up", "2026-02-01T10:01:00Z"),
        track({ anonymousId: "anon-c" }, "  signed   UP ", "2026-02-01T10:02:00Z"),
        track({ anonymousId: "anon-c" }, "ORDER COMPLETED", "2026-02-01T10:03:00Z", { revenue: 10 }),
        track({ anonymousId: "anon-c" }, "Signed-Up", "2026-02-01T10:04:00Z"),
      ])
      .expect(200);
    const person = (await request(app).get("/api/people/anon-c")).body;
    expect(person.conversions.map((c: { name: string }) => c.name)).toEqual(["Signed Up", "Signed Up", "Order Completed"]);
    const signed = (await request(app).get("/api/reports/attribution?conversion=signed%20up")).body;
    expect(signed.totals.conversions).toBe(2);
  });
});
