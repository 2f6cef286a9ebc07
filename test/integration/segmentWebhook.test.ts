import request from "supertest";
import { describe, expect, test } from "vitest";
import { page, identify, track, sign } from "../support/segmentMessages.js";
import { useTestApps, settled } from "../support/testApp.js";

const setup = useTestApps();

const T0 = "2026-03-01T10:00:00.000Z";

describe("POST /webhooks/segment", () => {
  test("a batch of mixed messages is counted and stored; a re-post is all duplicates", async () => {
    const { app } = setup();
    const batch = [
      page("anon-1", T0, "https://shop.example/?utm_source=newsletter&utm_medium=email"),
      identify("user-1", "anon-1", "2026-03-01T10:01:00.000Z", { email: "Ann@Example.com" }),
      track({ userId: "user-1" }, "Order Completed", "2026-03-01T10:05:00.000Z", { revenue: 120 }),
    ];
    const first = await request(app).post("/webhooks/segment").send({ batch });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 3, duplicates: 0, rejected: 0, ignored: 0 });
    const again = await request(app).post("/webhooks/segment").send(batch);
    expect(again.body).toEqual({ accepted: 0, duplicates: 3, rejected: 0, ignored: 0 });
    const stats = await request(app).get("/api/stats");
    expect(stats.body).toMatchObject({ messages: 3, rejected: 0, persons: 1, conversions: 1 });
  });

  test("one bare message is accepted", async () => {
    const { app } = setup();
    const res = await request(app).post("/webhooks/segment").send(page("a", T0, "https://x.example/"));
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, rejected: 0, ignored: 0 });
  });

  test("invalid messages are rejected with their reason without failing the batch", async () => {
    const { app, pipeline } = setup();
    const good = page("anon-2", T0, "https://x.example/");
    const res = await request(app)
      .post("/webhooks/segment")
      .send([good, { type: "track", messageId: "t1", anonymousId: "a", timestamp: T0 }, { type: "nope" }]);
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, rejected: 2, ignored: 0 });
    expect((await settled(pipeline).then((s) => s.admin.stats()))).toMatchObject({ messages: 1, rejected: 2 });
  });

  test("our own feedback messages are ignored and store nothing", async () => {
    const { app, pipeline } = setup();
    const own = { ...track({ userId: "u" }, "Visitor Source Identified", T0), context: { segment_attribution: { name: "segment-attribution", version: "1" } } };
    const res = await request(app).post("/webhooks/segment").send([own]);
    expect(res.body).toEqual({ accepted: 0, duplicates: 0, rejected: 0, ignored: 1 });
    expect((await settled(pipeline).then((s) => s.admin.stats()))).toMatchObject({ messages: 0, persons: 0 });
  });

  test("malformed JSON is a 400 with a JSON error", async () => {
    const { app } = setup();
    const res = await request(app).post("/webhooks/segment").set("content-type", "application/json").send("{not json");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("malformed_json");
  });

  test("a JSON body that is not a message is a 400", async () => {
    const { app } = setup();
    const res = await request(app).post("/webhooks/segment").set("content-type", "application/json").send("42");
    expect(res.status).toBe(400);
  });

  test("a body over 20 MB is a 413", async () => {
    const { app } = setup();
    const res = await request(app)
      .post("/webhooks/segment")
      .set("content-type", "application/json")
      .send(`[${JSON.stringify("x".repeat(21 * 1024 * 1024))}]`);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  describe("with SEGMENT_SHARED_SECRET", () => {
    const secret = "whsec";
    test("a signed body is accepted, an unsigned or wrongly signed one is a 401", async () => {
      const { app, pipeline } = setup({ SEGMENT_SHARED_SECRET: secret });
      const body = JSON.stringify([page("anon-s", T0, "https://x.example/")]);
      const unsigned = await request(app).post("/webhooks/segment").set("content-type", "application/json").send(body);
      expect(unsigned.status).toBe(401);
      const wrong = await request(app).post("/webhooks/segment").set("content-type", "application/json").set("x-signature", sign("other", body)).send(body);
      expect(wrong.status).toBe(401);
      expect((await settled(pipeline).then((s) => s.admin.stats())).messages).toBe(0);
      const ok = await request(app).post("/webhooks/segment").set("content-type", "application/json").set("x-signature", sign(secret, body)).send(body);
      expect(ok.status).toBe(200);
      expect(ok.body.accepted).toBe(1);
    });

    test("the Actions batch form signed on its first event is accepted", async () => {
      const { app } = setup({ SEGMENT_SHARED_SECRET: secret });
      const batch = [page("anon-b", T0, "https://x.example/"), page("anon-b", T0, "https://x.example/b")];
      const res = await request(app)
        .post("/webhooks/segment")
        .set("content-type", "application/json")
        .set("x-signature", sign(secret, JSON.stringify(batch[0])))
        .send(JSON.stringify({ batch }));
      expect(res.status).toBe(200);
      expect(res.body.accepted).toBe(2);
    });
  });
});

describe("GET /api/people/:id", () => {
  test("a person is found by anonymousId, userId and email across two devices", async () => {
    const { app } = setup();
    await request(app)
      .post("/webhooks/segment")
      .send([
        page("laptop", T0, "https://x.example/"),
        page("phone", "2026-03-02T10:00:00.000Z", "https://x.example/"),
        identify("user-9", "laptop", "2026-03-01T10:02:00.000Z", { email: "nine@example.com" }),
        identify("user-9", "phone", "2026-03-02T10:02:00.000Z"),
      ]);
    const byAnon = await request(app).get("/api/people/phone");
    expect(byAnon.status).toBe(200);
    expect(byAnon.body.device_count).toBe(2);
    expect(byAnon.body.identities).toEqual(
      expect.arrayContaining([
        { type: "anonymousId", value: "laptop", inferred: false },
        { type: "anonymousId", value: "phone", inferred: false },
        { type: "userId", value: "user-9", inferred: false },
        { type: "email", value: "nine@example.com", inferred: false },
      ]),
    );
    const byUser = await request(app).get("/api/people/user-9");
    const byEmail = await request(app).get("/api/people/NINE@example.com");
    expect(byUser.body.person_id).toBe(byAnon.body.person_id);
    expect(byEmail.body.person_id).toBe(byAnon.body.person_id);
    expect(byAnon.body.touchpoints).toHaveLength(2);
  });

  test("an unknown id is a 404 with a JSON error", async () => {
    const { app } = setup();
    const res = await request(app).get("/api/people/nobody");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});

describe("API_TOKEN", () => {
  test("guards /api/* when set", async () => {
    const { app } = setup({ API_TOKEN: "tok" });
    expect((await request(app).get("/api/stats")).status).toBe(401);
    expect((await request(app).get("/api/stats").set("authorization", "Bearer nope")).status).toBe(401);
    expect((await request(app).get("/api/stats").set("authorization", "Bearer tok")).status).toBe(200);
    expect((await request(app).get("/health")).status).toBe(200);
  });
});
