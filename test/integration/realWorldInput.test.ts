import request from "supertest";
import { describe, expect, test } from "vitest";
import { allTableRows, settled, useTestApps } from "../support/testApp.js";
import { identify, page, track } from "../support/segmentMessages.js";

const setup = useTestApps();

/** Messages as Segment's docs show them: no messageId (Webhooks destination, HTTP API batch, mobile spec). */
const noIdPage = { type: "page", anonymousId: "anon-noid", name: "Home", properties: { url: "https://shop.example/?utm_source=news&utm_medium=email" }, timestamp: "2026-03-01T10:00:00Z" };
const noIdTrack = { type: "track", userId: "user-noid", event: "Order Completed", properties: { revenue: 20 }, timestamp: "2026-03-01T10:05:00Z" };
const noIdIdentify = { type: "identify", userId: "user-noid", anonymousId: "anon-noid", traits: { email: "n@example.com" }, timestamp: "2026-03-01T10:01:00Z" };

describe("real-world Segment input (issue 15)", () => {
  test("messages without messageId are accepted once; a re-send (keys in another order too) is all duplicates", async () => {
    const { app } = setup();
    const first = await request(app).post("/webhooks/segment").send({ batch: [noIdPage, noIdIdentify, noIdTrack] });
    expect(first.body).toEqual({ accepted: 3, duplicates: 0, rejected: 0, ignored: 0 });
    const reordered = Object.fromEntries(Object.entries(noIdTrack).reverse());
    const again = await request(app).post("/webhooks/segment").send([noIdTrack, reordered, noIdPage, noIdIdentify]);
    expect(again.body).toEqual({ accepted: 0, duplicates: 4, rejected: 0, ignored: 0 });
    const stats = await request(app).get("/api/stats");
    expect(stats.body).toMatchObject({ messages: 3, conversions: 1, persons: 1 });
  });

  test("a message without timestamp takes originalTimestamp, sentAt, receivedAt or the time of receipt, and the row says which", async () => {
    const received = Date.UTC(2026, 4, 5, 6, 7, 8);
    const { app, pipeline } = setup({}, () => received);
    const msgs = [
      { type: "page", messageId: "t-orig", anonymousId: "a1", originalTimestamp: "2026-03-01T12:00:00+02:00", sentAt: "2026-03-02T00:00:00Z" },
      { type: "page", messageId: "t-sent", anonymousId: "a2", sentAt: "2026-03-02T00:00:00.250Z" },
      { type: "page", messageId: "t-recv", anonymousId: "a3", receivedAt: "2019-05-16 13:52:11.542209 +0000 UTC m=+0.000000001" },
      { type: "page", messageId: "t-none", anonymousId: "a4" },
      { type: "page", messageId: "t-own", anonymousId: "a5", timestamp: "2026-03-03T00:00:00-05:00", originalTimestamp: "2000-01-01T00:00:00Z" },
    ];
    expect((await request(app).post("/webhooks/segment").send(msgs)).body).toEqual({ accepted: 5, duplicates: 0, rejected: 0, ignored: 0 });
    await settled(pipeline);
    const rows = (await allTableRows(pipeline)).messages!;
    const byId = Object.fromEntries(rows.map((r) => [r.message_id, [Number(r.timestamp), r.timestamp_source]]));
    expect(byId).toEqual({
      "t-orig": [Date.UTC(2026, 2, 1, 10), "originalTimestamp"],
      "t-sent": [Date.UTC(2026, 2, 2, 0, 0, 0, 250), "sentAt"],
      "t-recv": [Date.UTC(2019, 4, 16, 13, 52, 11, 542), "receivedAt"],
      "t-none": [received, "received"],
      "t-own": [Date.UTC(2026, 2, 3, 5), "timestamp"],
    });
    // The touchpoint is at the message's time.
    const person = await request(app).get("/api/people/a1");
    expect(person.body.touchpoints[0].at).toBe("2026-03-01T10:00:00.000Z");
  });

  test("the Webhooks destination's delete (no messageId, Go-style time) erases the person and says so", async () => {
    const { app, pipeline } = setup();
    await request(app)
      .post("/webhooks/segment")
      .send([
        page("anon-del", "2026-07-01T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
        identify("user-del", "anon-del", "2026-07-01T10:05:00Z", { email: "del@example.com" }),
        track({ userId: "user-del" }, "Order Completed", "2026-07-03T10:00:00Z", { revenue: 10 }),
        page("anon-other", "2026-07-01T10:00:00Z", "https://shop.example/"),
      ])
      .expect(200);
    expect((await request(app).get("/api/people/user-del")).status).toBe(200);
    const del = { type: "delete", userId: "user-del", channel: "server", context: { library: { name: "unknown", version: "unknown" } }, originalTimestamp: "2019-05-16 13:52:11.542 +0000 UTC" };
    const r = await request(app).post("/webhooks/segment").send(del).expect(200);
    expect(r.body).toEqual({ accepted: 1, duplicates: 0, rejected: 0, ignored: 0, deleted: 1 });
    await settled(pipeline);
    expect((await request(app).get("/api/people/user-del")).status).toBe(404);
    expect((await request(app).get("/api/people/anon-del")).status).toBe(404);
    const rows = await allTableRows(pipeline);
    expect(JSON.stringify(rows).includes("user-del")).toBe(false);
    expect(JSON.stringify(rows).includes("anon-del")).toBe(false);
    expect((await request(app).get("/api/people/anon-other")).status).toBe(200);
    // Sent again, it erases again (nothing left) and still says so.
    const again = await request(app).post("/webhooks/segment").send(del).expect(200);
    expect(again.body.deleted).toBe(1);
    expect(again.body.rejected).toBe(0);
  });
});

describe("identity across devices (issue 15)", () => {
  test("an alias previousId is an id, not an extra device; it becomes one only when it sends messages itself", async () => {
    const { app } = setup();
    await request(app)
      .post("/webhooks/segment")
      .send([
        page("anon-phone", "2026-05-01T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
        identify("user-al", "anon-phone", "2026-05-01T10:01:00Z"),
        // The id this user had in the old system: never sent a message of its own.
        { type: "alias", messageId: "al-1", userId: "user-al", previousId: "legacy-42", timestamp: "2026-05-01T10:02:00Z" },
      ])
      .expect(200);
    const person = (await request(app).get("/api/people/user-al")).body;
    expect(person.identities.map((i: { value: string }) => i.value).sort()).toEqual(["anon-phone", "legacy-42", "user-al"]);
    expect(person.device_count).toBe(1);
    expect(person.traits.device_count).toBe(1);
    expect((await request(app).get("/api/reports/overview")).body.devices_per_person).toBe(1);
    // The previousId turns out to be a real device.
    await request(app).post("/webhooks/segment").send([page("legacy-42", "2026-05-02T10:00:00Z", "https://shop.example/")]).expect(200);
    const after = (await request(app).get("/api/people/user-al")).body;
    expect(after.device_count).toBe(2);
    expect(after.traits.device_count).toBe(2);
  });

  test("a previousId whose first own message adds nothing else (an identify of known ids) still becomes a device in the traits", async () => {
    const { app } = setup();
    await request(app)
      .post("/webhooks/segment")
      .send([
        page("anon-laptop", "2026-05-01T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
        identify("user-id2", "anon-laptop", "2026-05-01T10:01:00Z"),
        { type: "alias", messageId: "al-2", userId: "user-id2", previousId: "anon-tablet", timestamp: "2026-05-01T10:02:00Z" },
      ])
      .expect(200);
    expect((await request(app).get("/api/people/user-id2")).body.traits.device_count).toBe(1);
    // No touchpoint, no conversion, no new id: only the alias-only id turning into a device.
    await request(app).post("/webhooks/segment").send([identify("user-id2", "anon-tablet", "2026-05-02T10:00:00Z")]).expect(200);
    const after = (await request(app).get("/api/people/user-id2")).body;
    expect(after.device_count).toBe(2);
    expect(after.traits.device_count).toBe(2);
  });

  test("after a merge, the identify traits describe the merged person; no Visitor Source Identified is sent twice", async () => {
    const { app, pipeline } = setup();
    await request(app)
      .post("/webhooks/segment")
      .send([
        page("anon-tab", "2026-05-01T09:00:00Z", "https://shop.example/?utm_source=fb&utm_medium=paid_social"),
        page("anon-desk", "2026-05-03T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
        identify("user-mg", "anon-desk", "2026-05-03T10:01:00Z"),
      ])
      .expect(200);
    const before = (await request(app).get("/api/people/user-mg")).body.traits;
    expect(before).toMatchObject({ first_touch_channel: "Organic Search", touch_count: 1, device_count: 1 });
    // The tablet turns out to be the same person: merged.
    await request(app).post("/webhooks/segment").send([identify("user-mg", "anon-tab", "2026-05-04T10:00:00Z")]).expect(200);
    const merged = (await request(app).get("/api/people/user-mg")).body;
    expect(merged.traits).toMatchObject({ first_touch_channel: "Paid Social", first_touch_source: "fb", touch_count: 2, device_count: 2 });
    const store = await settled(pipeline);
    const rows = (await allTableRows(pipeline)).outbox!.map((r) => JSON.parse(String(r.message)) as Record<string, any>);
    // The last identify queued for the userId carries the merged first touch.
    const identifies = rows.filter((m) => m.type === "identify" && m.userId === "user-mg");
    expect(identifies.at(-1)!.traits).toMatchObject({ first_touch_channel: "Paid Social", touch_count: 2, device_count: 2 });
    // One Visitor Source Identified per touchpoint, never re-sent by the merge.
    const vsi = rows.filter((m) => m.event === "Visitor Source Identified");
    expect(vsi.map((m) => m.properties.source).sort()).toEqual(["fb", "google"]);
    expect(await store.admin.stats()).toMatchObject({ persons: 1 });
  });
});

describe("CRM dates out of range (issue 15)", () => {
  test.each([
    ["createdAt", 9e15],
    ["updatedAt", 9e15],
    ["createdAt", 1e308],
    ["updatedAt", "+275760-09-13T00:00:00Z"],
  ])("%s %j is a 400 naming the field; nothing changes; the person and deal pages still answer", async (field, value) => {
    const { app, pipeline } = setup({ CRM_WEBHOOK_TOKEN: "t" });
    await request(app).post("/webhooks/segment").send([identify("user-crm", "anon-crm", "2026-05-01T10:00:00Z", { email: "c@example.com" })]).expect(200);
    const crm = (body: object) => request(app).post("/webhooks/crm").set("authorization", "Bearer t").send(body);
    await crm({ dealId: "D-9", status: "won", amount: 10, userId: "user-crm", createdAt: "2026-05-02T00:00:00Z" }).expect(200);
    const stats = (await request(app).get("/api/stats")).body;
    const report = (await request(app).get("/api/reports/attribution")).body;
    const bad = await crm({ dealId: "D-9", status: "lost", userId: "user-crm", [field]: value });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(new RegExp(`^${field}: ${field} must be .*1970 to 9999`));
    const fresh = await crm({ dealId: "D-10", status: "won", amount: 5, userId: "user-crm", [field]: value });
    expect(fresh.status).toBe(400);
    await settled(pipeline);
    expect((await request(app).get("/api/reports/attribution")).body).toEqual(report);
    const after = (await request(app).get("/api/stats")).body;
    expect({ ...after, derivation_lag: 0 }).toMatchObject({ ...stats, derivation_lag: 0, deals: 1, conversions: 1 });
    expect((await request(app).get("/api/people/user-crm")).status).toBe(200);
    expect((await request(app).get("/api/deals/D-9")).status).toBe(200);
  });
});
