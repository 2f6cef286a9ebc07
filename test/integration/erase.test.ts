import request from "supertest";
import { describe, expect, test } from "vitest";
import type { Pipeline } from "../../src/pipeline/context.js";
import { identify, page, track } from "../support/segmentMessages.js";
import { allTableRows, useTestApps, settled } from "../support/testApp.js";

const makeApp = useTestApps();

const IDS = ["anon-x1", "anon-x2", "user-x", "erase.me@example.com"];

async function seed() {
  const t = makeApp({ CRM_WEBHOOK_TOKEN: "t" });
  await request(t.app)
    .post("/webhooks/segment")
    .send([
      page("anon-x1", "2026-07-01T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
      page("anon-x2", "2026-07-02T10:00:00Z", "https://shop.example/?utm_source=fb&utm_medium=paid_social"),
      identify("user-x", "anon-x1", "2026-07-01T10:05:00Z", { email: "Erase.Me@example.com" }),
      identify("user-x", "anon-x2", "2026-07-02T10:05:00Z"),
      track({ userId: "user-x" }, "Order Completed", "2026-07-03T10:00:00Z", { revenue: 10 }),
      { type: "track", messageId: "bad-1", userId: "user-x", timestamp: "2026-07-03T10:00:00Z" }, // rejected: no event
      page("anon-keep", "2026-07-01T10:00:00Z", "https://shop.example/", "https://www.bing.com/"),
    ])
    .expect(200);
  await request(t.app)
    .post("/webhooks/crm")
    .set("authorization", "Bearer t")
    .send({ dealId: "DX", status: "won", amount: 99, email: "erase.me@example.com", createdAt: "2026-07-04T00:00:00Z" })
    .expect(200);
  return t;
}

/** Every row of every table that mentions one of the person's identity values. */
async function leftovers(p: Pipeline): Promise<string[]> {
  const found: string[] = [];
  for (const [table, rows] of Object.entries(await allTableRows(p))) {
    for (const row of rows) {
      const text = JSON.stringify(row).toLowerCase();
      for (const id of IDS) if (text.includes(id.toLowerCase())) found.push(`${table}: ${id}`);
    }
  }
  return found;
}

describe("erasure", () => {
  test("DELETE /api/people/:id leaves nothing about the person in any table", async () => {
    const { app, pipeline } = await seed();
    expect((await leftovers(pipeline)).length).toBeGreaterThan(0);
    const r = await request(app).delete("/api/people/erase.me@example.com").expect(200);
    expect(r.body.erased).toBe(true);
    expect((await leftovers(pipeline))).toEqual([]);
    expect((await request(app).get("/api/people/user-x")).status).toBe(404);
    // someone else is untouched
    expect((await request(app).get("/api/people/anon-keep")).status).toBe(200);
    const report = await request(app).get("/api/reports/attribution?model=linear");
    expect(report.body.totals).toEqual({ conversions: 0, revenue: 0, unconverted: {} });
  });

  test("a Segment delete message erases the person too, and is not stored", async () => {
    const { app, pipeline } = await seed();
    const r = await request(app)
      .post("/webhooks/segment")
      .send({ type: "delete", messageId: "del-1", userId: "user-x", timestamp: "2026-08-01T00:00:00Z" })
      .expect(200);
    expect(r.body.accepted).toBe(1);
    // Erased as soon as the deriver has applied what arrived before the request (the request,
    // kept until then, goes too): on PostgreSQL a derivation may commit beside the webhook.
    await settled(pipeline);
    expect((await leftovers(pipeline))).toEqual([]);
    expect((await settled(pipeline).then((s) => s.admin.stats()))).toMatchObject({ persons: 1, messages: 1 });
  });

  test("DELETE of an unknown person is a 404", async () => {
    const { app } = await seed();
    expect((await request(app).delete("/api/people/nobody")).status).toBe(404);
  });
});
