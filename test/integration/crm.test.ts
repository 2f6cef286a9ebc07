import request from "supertest";
import { describe, expect, test } from "vitest";
import { identify, page } from "../support/segmentMessages.js";
import { useTestApps, settled } from "../support/testApp.js";

const makeApp = useTestApps();

const TOKEN = "crm-secret";
async function seed(env: Record<string, string> = {}) {
  // The deals are in EUR: reports sum them as the reporting currency (other currencies stay apart).
  const t = makeApp({ CRM_WEBHOOK_TOKEN: TOKEN, REPORTING_CURRENCY: "EUR", ...env });
  await request(t.app)
    .post("/webhooks/segment")
    .send([
      page("anon-1", "2026-06-01T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
      page("anon-1", "2026-06-03T10:00:00Z", "https://shop.example/?utm_source=newsletter&utm_medium=email"),
      identify("user-1", "anon-1", "2026-06-03T10:01:00Z", { email: "buyer@example.com" }),
    ])
    .expect(200);
  const hit = (body: object | object[] | string, type = "application/json") =>
    request(t.app).post("/webhooks/crm").set("authorization", `Bearer ${TOKEN}`).set("content-type", type).send(body);
  const report = async (model = "first_touch") => (await request(t.app).get(`/api/reports/attribution?model=${model}`)).body;
  const traits = async (id = "user-1") => (await request(t.app).get(`/api/people/${id}`)).body.traits;
  return { ...t, hit, report, traits };
}

const deal = (status: string, updatedAt: string, extra: object = {}) => ({
  dealId: "D-1",
  status,
  amount: "1200.50",
  currency: "eur",
  userId: "user-1",
  createdAt: "2026-06-04T09:00:00Z",
  updatedAt,
  ...extra,
});

describe("POST /webhooks/crm", () => {
  test("a won deal is revenue in reports under every model", async () => {
    const { hit, report } = await seed();
    const r = await hit(deal("closed_won", "2026-06-05T00:00:00Z"));
    expect(r.status).toBe(200);
    expect(r.body.hits[0]).toMatchObject({ deal_id: "D-1", status: "closed_won", outcome: "won" });
    for (const model of ["first_touch", "last_touch", "linear", "time_decay", "position_based", "last_non_direct", "markov"]) {
      const rep = await report(model);
      expect(rep.totals.conversions).toBeCloseTo(1, 12);
      expect(rep.totals.revenue).toBeCloseTo(1200.5, 9);
    }
    expect((await report("first_touch")).rows).toEqual([{ key: "Organic Search", conversions: 1, revenue: 1200.5, unconverted: {} }]);
    expect((await report("last_touch")).rows).toEqual([{ key: "Email", conversions: 1, revenue: 1200.5, unconverted: {} }]);
  });

  test("a refund later removes the revenue from reports and traits", async () => {
    const { hit, report, traits } = await seed();
    await hit(deal("won", "2026-06-05T00:00:00Z")).expect(200);
    expect(await traits()).toMatchObject({ lifetime_revenue: 1200.5, deals_won: 1, last_deal_status: "won" });
    await hit(deal("refunded", "2026-06-20T00:00:00Z")).expect(200);
    expect((await report()).totals).toEqual({ conversions: 0, revenue: 0, unconverted: {} });
    expect((await report()).rows).toEqual([]);
    expect(await traits()).toMatchObject({ lifetime_revenue: 0, deals_won: 0, last_deal_status: "refunded" });
  });

  test("an older hit arriving after a newer one changes nothing", async () => {
    const { hit, report, pipeline } = await seed();
    await hit(deal("refunded", "2026-06-20T00:00:00Z")).expect(200);
    const stale = await hit(deal("won", "2026-06-05T00:00:00Z")).expect(200);
    expect(stale.body.hits[0]).toMatchObject({ status: "won", outcome: "won" });
    expect((await report()).totals).toEqual({ conversions: 0, revenue: 0, unconverted: {} });
    expect((await settled(pipeline).then((s) => s.deals.deal("D-1")))?.status).toBe("refunded");
  });

  test("won → refunded → won again follows its latest state", async () => {
    const { hit, report } = await seed();
    await hit(deal("won", "2026-06-05T00:00:00Z")).expect(200);
    await hit(deal("refunded", "2026-06-06T00:00:00Z")).expect(200);
    await hit(deal("won", "2026-06-07T00:00:00Z", { amount: 900 })).expect(200);
    expect((await report()).totals).toEqual({ conversions: 1, revenue: 900, unconverted: {} });
  });

  test("a later hit without amount keeps the deal's amount and creation time", async () => {
    const { hit, report, pipeline } = await seed();
    await hit(deal("won", "2026-06-05T00:00:00Z")).expect(200);
    await hit({ dealId: "D-1", status: "refunded", userId: "user-1", updatedAt: "2026-06-06T00:00:00Z" }).expect(200);
    await hit({ dealId: "D-1", status: "won", userId: "user-1", updatedAt: "2026-06-07T00:00:00Z" }).expect(200);
    expect((await report()).totals).toEqual({ conversions: 1, revenue: 1200.5, unconverted: {} });
    expect((await settled(pipeline).then((s) => s.derived.conversion("deal:D-1")))).toMatchObject({ at: Date.parse("2026-06-04T09:00:00Z"), currency: "EUR" });
  });

  test("a form-encoded hit is accepted", async () => {
    const { hit, report } = await seed();
    const r = await hit("orderId=O-7&status=paid&total=42.5&email=Buyer%40Example.com&createdAt=2026-06-04T09%3A00%3A00Z", "application/x-www-form-urlencoded");
    expect(r.status).toBe(200);
    expect((await report()).totals).toEqual({ conversions: 1, revenue: 42.5, unconverted: {} });
  });

  test("token missing or wrong is a 401", async () => {
    const { app, pipeline } = await seed();
    expect((await request(app).post("/webhooks/crm").send(deal("won", "2026-06-05T00:00:00Z"))).status).toBe(401);
    expect((await request(app).post("/webhooks/crm").set("authorization", "Bearer nope").send(deal("won", "2026-06-05T00:00:00Z"))).status).toBe(401);
    expect((await settled(pipeline).then((s) => s.admin.stats())).deals).toBe(0);
  });

  test.each([
    ["missing id", { status: "won", userId: "user-1" }, /dealId/],
    ["missing status", { dealId: "D-9", userId: "user-1" }, /status/],
    ["bad amount", { dealId: "D-9", status: "won", amount: "lots", userId: "user-1" }, /amount/],
    ["bad date", { dealId: "D-9", status: "won", userId: "user-1", updatedAt: "soon" }, /updatedAt/],
    ["no person key", { dealId: "D-9", status: "won" }, /userId/],
  ])("%s is a 400 naming the field, the raw hit is kept, nothing else changes", async (_name, body, field) => {
    const { hit, pipeline, report } = await seed();
    const before = (await settled(pipeline).then((s) => s.admin.stats()));
    const r = await hit(body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(field);
    expect((await settled(pipeline).then((s) => s.admin.stats()))).toEqual(before);
    expect((await report()).totals).toEqual({ conversions: 0, revenue: 0, unconverted: {} });
    expect((await settled(pipeline).then((s) => s.raw.validHits()))).toHaveLength(0);
  });

  test("an unknown person is Unattributed, then re-attributed when an identify brings the email", async () => {
    const { app, hit, report } = await seed();
    await hit({ dealId: "D-2", status: "won", amount: 300, email: "new@example.com", createdAt: "2026-06-10T00:00:00Z" }).expect(200);
    expect((await report()).rows).toEqual([{ key: "Unattributed", conversions: 1, revenue: 300, unconverted: {} }]);
    await request(app)
      .post("/webhooks/segment")
      .send([
        page("anon-2", "2026-06-08T10:00:00Z", "https://shop.example/", "https://www.bing.com/"),
        identify("user-2", "anon-2", "2026-06-09T10:00:00Z", { email: "New@Example.com" }),
      ])
      .expect(200);
    expect((await report()).rows).toEqual([{ key: "Organic Search", conversions: 1, revenue: 300, unconverted: {} }]);
  });

  test("Deal Status Changed is queued once per real status change, not for duplicates or stale hits", async () => {
    const { hit, pipeline } = await seed();
    await hit(deal("open", "2026-06-04T10:00:00Z")).expect(200);
    await hit(deal("open", "2026-06-04T11:00:00Z")).expect(200); // same status again
    await hit(deal("won", "2026-06-05T00:00:00Z")).expect(200);
    await hit(deal("open", "2026-06-04T12:00:00Z")).expect(200); // stale
    const personId = (await settled(pipeline).then((s) => s.identities.identity("userId", "user-1")))!.personId;
    const changes = (await pipeline.store.outbox.outboxOf(personId))
      .map((r) => r.message)
      .filter((m) => m.type === "track" && m.event === "Deal Status Changed");
    expect(changes.map((m) => (m.type === "track" ? [m.properties.previous_status, m.properties.status] : null))).toEqual([
      [null, "open"],
      ["open", "won"],
    ]);
    expect(changes[1]).toMatchObject({ userId: "user-1", properties: { deal_id: "D-1", amount: 1200.5, currency: "EUR", first_touch_channel: "Organic Search", last_touch_channel: "Email" } });
  });

  test("GET /api/deals/:id shows the ledger of hits and the current credits", async () => {
    const { app, hit } = await seed();
    await hit(deal("won", "2026-06-05T00:00:00Z")).expect(200);
    await hit(deal("open", "2026-06-04T00:00:00Z")).expect(200);
    const r = await request(app).get("/api/deals/D-1").expect(200);
    expect(r.body.state).toMatchObject({ status: "won", outcome: "won", amount: 1200.5 });
    expect(r.body.hits.map((h: { status: string; current: boolean }) => [h.status, h.current])).toEqual([
      ["won", true],
      ["open", false],
    ]);
    expect(r.body.credits.filter((c: { model: string }) => c.model === "first_touch")).toEqual([
      { model: "first_touch", touch: 0, channel: "Organic Search", credit: 1 },
    ]);
    expect((await request(app).get("/api/deals/none")).status).toBe(404);
  });
});
