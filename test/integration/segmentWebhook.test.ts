import request from "supertest";
import { describe, expect, test } from "vitest";
import { page, identify, track, sign } from "../support/segmentMessages.js";
import { useTestApps, settled } from "../support/testApp.js";

const setup = useTestApps();

const T0 = "2026-03-01T10:00:00.000Z";
const secret = "whsec";
const post = (app: Parameters<typeof request>[0], body: string, headers: Record<string, string>) => {
  let r = request(app).post("/webhooks/segment").set("content-type", "application/json");
  for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
  return r.send(body);
};
/** A captured genuine event followed by forged ones: four $1,000,000 orders and a delete. */
const forgedAfter = (captured: object) => [
  captured,
  ...[1, 2, 3, 4].map(() => track({ userId: "victim" }, "Order Completed", T0, { revenue: 1_000_000 })),
  { type: "delete", messageId: "forged-delete", userId: "victim", timestamp: T0 },
];

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

    test.each(["x-signature", "x-segment-signature"])("the whole-body HMAC in %s is accepted", async (header) => {
      const { app } = setup({ SEGMENT_SHARED_SECRET: secret });
      const body = JSON.stringify([page("anon-h", T0, "https://x.example/"), page("anon-h", T0, "https://x.example/b")]);
      const res = await post(app, body, { [header]: sign(secret, body) });
      expect(res.status).toBe(200);
      expect(res.body.accepted).toBe(2);
    });

    test.each(["x-signature", "x-segment-signature"])("a forged batch under a captured first-event signature in %s is a 401 by default", async (header) => {
      const { app, pipeline } = setup({ SEGMENT_SHARED_SECRET: secret });
      const captured = page("anon-c", T0, "https://x.example/");
      const res = await post(app, JSON.stringify({ batch: forgedAfter(captured) }), { [header]: sign(secret, JSON.stringify(captured)) });
      expect(res.status).toBe(401);
      expect((await settled(pipeline).then((s) => s.admin.stats())).messages).toBe(0);
    });

    test("a forged batch resigned with a whole-body HMAC of another secret is a 401", async () => {
      const { app, pipeline } = setup({ SEGMENT_SHARED_SECRET: secret });
      const body = JSON.stringify(forgedAfter(page("anon-c", T0, "https://x.example/")));
      expect((await post(app, body, { "x-signature": sign("guessed", body), "x-segment-signature": sign("guessed", body) })).status).toBe(401);
      expect((await settled(pipeline).then((s) => s.admin.stats())).messages).toBe(0);
    });

    test("a signed body with forged events appended after signing is a 401", async () => {
      const { app, pipeline } = setup({ SEGMENT_SHARED_SECRET: secret });
      const genuine = [page("anon-g", T0, "https://x.example/")];
      const signature = sign(secret, JSON.stringify(genuine));
      const res = await post(app, JSON.stringify(forgedAfter(genuine[0]!)), { "x-signature": signature });
      expect(res.status).toBe(401);
      expect((await settled(pipeline).then((s) => s.admin.stats())).messages).toBe(0);
    });

    test("an unsigned deep body with a bogus signature is a 401, not a 500", async () => {
      const { app } = setup({ SEGMENT_SHARED_SECRET: secret, SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE: "true" });
      const deep = `[${"[".repeat(50_000)}${"]".repeat(50_000)}]`;
      expect((await post(app, deep, { "x-signature": "deadbeef" })).status).toBe(401);
    });

    describe("SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE=true (legacy form)", () => {
      const env = { SEGMENT_SHARED_SECRET: secret, SEGMENT_ALLOW_FIRST_EVENT_SIGNATURE: "true" };

      test("a batch signed on its new first event is accepted once; a replay with forged events is a 401", async () => {
        const { app, pipeline } = setup(env);
        const batch = [page("anon-b", T0, "https://x.example/"), page("anon-b", T0, "https://x.example/b")];
        const signature = sign(secret, JSON.stringify(batch[0]));
        const ok = await post(app, JSON.stringify({ batch }), { "x-signature": signature });
        expect(ok.status).toBe(200);
        expect(ok.body.accepted).toBe(2);
        const forged = await post(app, JSON.stringify({ batch: forgedAfter(batch[0]!) }), { "x-segment-signature": signature });
        expect(forged.status).toBe(401);
        expect(forged.body.error.code).toBe("replayed_signature");
        const stats = await settled(pipeline).then((s) => s.admin.stats());
        expect(stats.messages).toBe(2);
        expect(stats.conversions).toBe(0);
      });

      test("two concurrent requests under one first-event signature: at most one is accepted", async () => {
        const { app, pipeline } = setup(env);
        const captured = page("anon-r", T0, "https://x.example/");
        const signature = sign(secret, JSON.stringify(captured));
        const bodies = [JSON.stringify([captured, page("anon-r", T0, "https://x.example/1")]), JSON.stringify(forgedAfter(captured))];
        const results = await Promise.all(bodies.map((b) => post(app, b, { "x-signature": signature })));
        expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
        expect(results.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
        const stats = await settled(pipeline).then((s) => s.admin.stats());
        expect(stats.messages === 2 || stats.messages === 6).toBe(true);
      });

      test("the whole-body HMAC still works", async () => {
        const { app } = setup(env);
        const body = JSON.stringify([page("anon-w", T0, "https://x.example/")]);
        expect((await post(app, body, { "x-signature": sign(secret, body) })).status).toBe(200);
        // A Segment retry of the same whole-body-signed batch is a 200 of duplicates, not a 401.
        const again = await post(app, body, { "x-signature": sign(secret, body) });
        expect(again.status).toBe(200);
        expect(again.body.duplicates).toBe(1);
      });
    });
  });

  describe("with SEGMENT_WEBHOOK_TOKEN", () => {
    test("Authorization: Bearer with the token is accepted; another token, none, or a signature alone is a 401", async () => {
      const { app, pipeline } = setup({ SEGMENT_WEBHOOK_TOKEN: "hook-token" });
      const body = JSON.stringify([page("anon-t", T0, "https://x.example/")]);
      const send = (auth?: string, sig?: string) => {
        let r = request(app).post("/webhooks/segment").set("content-type", "application/json");
        if (auth) r = r.set("authorization", auth);
        if (sig) r = r.set("x-signature", sig);
        return r.send(body);
      };
      expect((await send()).status).toBe(401);
      expect((await send("Bearer other")).status).toBe(401);
      expect((await send(undefined, sign("hook-token", body))).status).toBe(401);
      expect((await settled(pipeline).then((s) => s.admin.stats())).messages).toBe(0);
      const ok = await send("Bearer hook-token");
      expect(ok.status).toBe(200);
      expect(ok.body.accepted).toBe(1);
    });

    test("with a shared secret too, either the token or the signature is enough; a forged batch with neither is a 401", async () => {
      const { app } = setup({ SEGMENT_WEBHOOK_TOKEN: "hook-token", SEGMENT_SHARED_SECRET: secret });
      const captured = page("anon-e", T0, "https://x.example/");
      const body = JSON.stringify([captured]);
      const base = () => request(app).post("/webhooks/segment").set("content-type", "application/json");
      expect((await base().set("authorization", "Bearer hook-token").send(body)).status).toBe(200);
      const body2 = JSON.stringify([page("anon-e", T0, "https://x.example/2")]);
      expect((await base().set("x-signature", sign(secret, body2)).send(body2)).status).toBe(200);
      const forged = JSON.stringify(forgedAfter(captured));
      expect((await base().set("authorization", "Bearer nope").set("x-signature", sign(secret, JSON.stringify(captured))).send(forged)).status).toBe(401);
    });

    test("a token configured with surrounding spaces still matches (trimmed at config)", async () => {
      const { app } = setup({ SEGMENT_WEBHOOK_TOKEN: "  hook-token\n" });
      const body = JSON.stringify([page("anon-sp", T0, "https://x.example/")]);
      const res = await request(app).post("/webhooks/segment").set("content-type", "application/json").set("authorization", "Bearer hook-token").send(body);
      expect(res.status).toBe(200);
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
