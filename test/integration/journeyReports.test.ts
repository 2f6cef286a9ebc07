import request from "supertest";
import type { Express } from "express";
import { describe, expect, test } from "vitest";
import { identify, page, track } from "../support/segmentMessages.js";
import { useTestApps } from "../support/testApp.js";

const setup = useTestApps();
const PERSON = expect.stringMatching(/^person:\d+$/);

const GOOGLE = "https://www.google.com/";
const EMAIL_URL = "https://shop.example/?utm_source=newsletter&utm_medium=email";

/**
 * Four persons, four conversions:
 * A (1 device): Organic Search 03-01 10:00, Email 03-02 10:00, order 100 at 03-02 12:00 (26 h).
 * B (2 devices): Organic Search 03-03 09:00, Email 03-03 15:00, order 50 at 03-03 17:00 (8 h).
 * C (1 device): Direct 03-04 08:00, Direct again 03-04 12:00 (session timeout), order 30 at 13:00 (5 h).
 * D (userId only, 0 devices): Signed Up 03-05 10:00 with no touch: Unattributed.
 */
const JOURNEYS = [
  page("anon-a", "2026-03-01T10:00:00.000Z", "https://shop.example/", GOOGLE),
  page("anon-a", "2026-03-02T10:00:00.000Z", EMAIL_URL),
  identify("user-a", "anon-a", "2026-03-02T10:01:00.000Z", { email: "a@example.com" }),
  track({ userId: "user-a" }, "Order Completed", "2026-03-02T12:00:00.000Z", { revenue: 100 }),
  page("anon-b1", "2026-03-03T09:00:00.000Z", "https://shop.example/", GOOGLE),
  identify("user-b", "anon-b1", "2026-03-03T09:05:00.000Z"),
  page("anon-b2", "2026-03-03T15:00:00.000Z", EMAIL_URL),
  identify("user-b", "anon-b2", "2026-03-03T15:05:00.000Z"),
  track({ userId: "user-b" }, "Order Completed", "2026-03-03T17:00:00.000Z", { revenue: 50 }),
  page("anon-c", "2026-03-04T08:00:00.000Z", "https://shop.example/"),
  page("anon-c", "2026-03-04T12:00:00.000Z", "https://shop.example/pricing"),
  track({ anonymousId: "anon-c" }, "Order Completed", "2026-03-04T13:00:00.000Z", { revenue: 30 }),
  track({ userId: "user-d" }, "Signed Up", "2026-03-05T10:00:00.000Z"),
];

async function seeded(env: Record<string, string> = {}): Promise<Express> {
  const { app } = setup(env);
  const res = await request(app).post("/webhooks/segment").send({ batch: JOURNEYS });
  expect(res.body).toMatchObject({ accepted: JOURNEYS.length, rejected: 0 });
  return app;
}

describe("GET /api/reports/paths", () => {
  test("counts each conversion's eligible channel path, repeats kept, no touch = Unattributed", async () => {
    const app = await seeded();
    const res = await request(app).get("/api/reports/paths");
    expect(res.status).toBe(200);
    // Days from first touch: A 26 h, B 8 h (mean 17 h), C 5 h; D has no touch.
    expect(res.body).toEqual({
      model: "linear",
      from: null,
      to: null,
      conversion: null,
      currency: "USD",
      paths: [
        { path: ["Organic Search", "Email"], conversions: 2, revenue: 150, unconverted: {}, avg_touches: 2, avg_days: 17 / 24, example_person: PERSON },
        { path: ["Direct", "Direct"], conversions: 1, revenue: 30, unconverted: {}, avg_touches: 2, avg_days: 5 / 24, example_person: PERSON },
        { path: ["Unattributed"], conversions: 1, revenue: 0, unconverted: {}, avg_touches: 0, avg_days: null, example_person: PERSON },
      ],
      path_lengths: [
        { touches: 0, conversions: 1, revenue: 0, unconverted: {} },
        { touches: 2, conversions: 3, revenue: 180, unconverted: {} },
      ],
      time_lag: [
        { days: 0, conversions: 2, revenue: 80, unconverted: {} },
        { days: 1, conversions: 1, revenue: 100, unconverted: {} },
      ],
      total_conversions: 4,
    });
    // example_person is an id the person lookup takes: one of the persons who took the path.
    const example = await request(app).get(`/api/people/${res.body.paths[0].example_person}`).expect(200);
    expect(example.body.identities.map((i: { value: string }) => i.value)).toContain("user-a");
    expect(example.body.touchpoints.map((t: { channel: string }) => t.channel)).toEqual(["Organic Search", "Email"]);
    expect((await request(app).get("/api/people/person:999999")).status).toBe(404);
    const csv = await request(app).get("/api/reports/paths?format=csv");
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.text.split("\r\n")[0]).toBe("path,conversions,revenue,avg_touches,avg_days");
    expect(csv.text.split("\r\n")[1]).toBe(`Organic Search > Email,2,150,2,${17 / 24}`);
    const lags = await request(app).get("/api/reports/paths?format=csv&table=time_lag");
    expect(lags.text).toBe("days,conversions,revenue\r\n0,2,80\r\n1,1,100\r\n");
    const bad = await request(app).get("/api/reports/paths?table=nope");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("path_lengths");
  });

  test("limit keeps the most common paths; the total still counts every conversion", async () => {
    const app = await seeded();
    const res = await request(app).get("/api/reports/paths?limit=1");
    expect(res.body.paths).toEqual([{ path: ["Organic Search", "Email"], conversions: 2, revenue: 150, unconverted: {}, avg_touches: 2, avg_days: 17 / 24, example_person: PERSON }]);
    expect(res.body.total_conversions).toBe(4);
    expect(res.body.path_lengths.reduce((n: number, b: { conversions: number }) => n + b.conversions, 0)).toBe(4);
  });

  test("from/to and conversion filter the conversions", async () => {
    const app = await seeded();
    const ranged = await request(app).get("/api/reports/paths?from=2026-03-03T00:00:00Z&to=2026-03-04T12:59:59Z");
    expect(ranged.body.paths).toEqual([{ path: ["Organic Search", "Email"], conversions: 1, revenue: 50, unconverted: {}, avg_touches: 2, avg_days: 8 / 24, example_person: PERSON }]);
    expect(ranged.body.total_conversions).toBe(1);
    expect(ranged.body.from).toBe("2026-03-03T00:00:00.000Z");
    const signups = await request(app).get("/api/reports/paths?conversion=Signed%20Up");
    expect(signups.body.paths).toEqual([{ path: ["Unattributed"], conversions: 1, revenue: 0, unconverted: {}, avg_touches: 0, avg_days: null, example_person: PERSON }]);
    expect(signups.body).toMatchObject({ conversion: "Signed Up", total_conversions: 1, time_lag: [], path_lengths: [{ touches: 0, conversions: 1, revenue: 0, unconverted: {} }] });
  });

  test("model picks whose credited touches form the path: first_touch keeps only the first", async () => {
    const app = await seeded();
    const res = await request(app).get("/api/reports/paths?model=first_touch");
    expect(res.body.paths).toEqual([
      { path: ["Organic Search"], conversions: 2, revenue: 150, unconverted: {}, avg_touches: 1, avg_days: 17 / 24, example_person: PERSON },
      { path: ["Direct"], conversions: 1, revenue: 30, unconverted: {}, avg_touches: 1, avg_days: 5 / 24, example_person: PERSON },
      { path: ["Unattributed"], conversions: 1, revenue: 0, unconverted: {}, avg_touches: 0, avg_days: null, example_person: PERSON },
    ]);
  });

  test("GET /api/conversions/names lists each conversion name with its origin and count", async () => {
    const app = await seeded();
    const res = await request(app).get("/api/conversions/names").expect(200);
    expect(res.body).toEqual({
      currency: "USD",
      names: [
        { name: "Order Completed", origin: "track", conversions: 3, revenue: 180, unconverted: {} },
        { name: "Signed Up", origin: "track", conversions: 1, revenue: 0, unconverted: {} },
      ],
    });
    const csv = await request(app).get("/api/conversions/names?format=csv");
    expect(csv.text).toBe("name,origin,conversions,revenue\r\nOrder Completed,track,3,180\r\nSigned Up,track,1,0\r\n");
  });

  test.each(["0", "101", "abc", "1.5", "-3"])("limit=%s is a 400 naming the allowed range", async (limit) => {
    const { app } = setup();
    const res = await request(app).get(`/api/reports/paths?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "bad_query" });
    expect(res.body.error.message).toContain("1 to 100");
  });

  test("an unknown model or a bad time is a 400", async () => {
    const { app } = setup();
    const model = await request(app).get("/api/reports/paths?model=all");
    expect(model.status).toBe(400);
    expect(model.body.error.message).toContain("first_touch");
    expect((await request(app).get("/api/reports/paths?from=yesterday")).status).toBe(400);
  });
});

describe("GET /api/reports/overview", () => {
  test("all time: persons, devices per person, touches per conversion, median hours", async () => {
    const app = await seeded();
    const res = await request(app).get("/api/reports/overview");
    expect(res.status).toBe(200);
    // devices (1+2+1+0)/4; touches (2+2+2+0)/4; hours to conversion 26, 8, 5 (D has no touch).
    expect(res.body).toEqual({
      currency: "USD",
      unconverted: {},
      persons: 4,
      conversions: 4,
      revenue: 180,
      devices_per_person: 1,
      touches_per_conversion: 1.5,
      median_time_to_conversion_hours: 8,
    });
  });

  test("a range keeps its conversions and the persons active in it", async () => {
    const app = await seeded();
    const res = await request(app).get("/api/reports/overview?from=2026-03-03T00:00:00Z&to=2026-03-05T00:00:00Z");
    // B and C: devices (2+1)/2, touches (2+2)/2, median of 8 h and 5 h.
    expect(res.body).toEqual({
      currency: "USD",
      unconverted: {},
      persons: 2,
      conversions: 2,
      revenue: 80,
      devices_per_person: 1.5,
      touches_per_conversion: 2,
      median_time_to_conversion_hours: 6.5,
    });
  });

  test("no data: zeros and a null median", async () => {
    const { app } = setup();
    const res = await request(app).get("/api/reports/overview");
    expect(res.body).toEqual({
      currency: "USD",
      unconverted: {},
      persons: 0,
      conversions: 0,
      revenue: 0,
      devices_per_person: 0,
      touches_per_conversion: 0,
      median_time_to_conversion_hours: null,
    });
    expect((await request(app).get("/api/reports/overview?to=soon")).status).toBe(400);
  });
});

describe("API_TOKEN", () => {
  test("the journey reports need the bearer token", async () => {
    const app = await seeded({ API_TOKEN: "s3cret" });
    for (const path of ["/api/reports/paths", "/api/reports/overview"]) {
      const none = await request(app).get(path);
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe("unauthorized");
      expect((await request(app).get(path).set("authorization", "Bearer wrong")).status).toBe(401);
      expect((await request(app).get(path).set("authorization", "Bearer s3cret")).status).toBe(200);
    }
  });
});

describe("GET / (dashboard)", () => {
  test("without API_TOKEN the dashboard and its assets are open", async () => {
    const { app } = setup();
    const res = await request(app).get("/");
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="view-root"');
    expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
    expect((await request(app).get("/assets/dashboard.js")).headers["content-type"]).toMatch(/javascript/);
    expect((await request(app).get("/assets/dashboard.css")).headers["content-type"]).toMatch(/css/);
    expect((await request(app).get("/assets/index.html")).status).toBe(404);
  });

  test("with API_TOKEN: 401 login page for browsers, JSON error otherwise, never the token", async () => {
    const { app } = setup({ API_TOKEN: "s3cret" });
    const html = await request(app).get("/").set("accept", "text/html,application/xhtml+xml,*/*;q=0.8");
    expect(html.status).toBe(401);
    expect(html.headers["content-type"]).toMatch(/html/);
    expect(html.text).toContain('data-view="login"');
    expect(html.text).not.toContain("s3cret");
    const json = await request(app).get("/").set("accept", "application/json");
    expect(json.status).toBe(401);
    expect(json.body.error.code).toBe("unauthorized");
    const wrong = await request(app).get("/").set("cookie", "sa_token=nope").set("accept", "text/html");
    expect(wrong.status).toBe(401);
    expect((await request(app).get("/assets/dashboard.js")).status).toBe(200);
  });

  test("with API_TOKEN: a valid bearer header or sa_token cookie serves the dashboard", async () => {
    const { app } = setup({ API_TOKEN: "s3 cret/+" });
    const bearer = await request(app).get("/").set("authorization", "Bearer s3 cret/+");
    expect(bearer.status).toBe(200);
    expect(bearer.text).toContain('data-view="dashboard"');
    const cookie = await request(app).get("/").set("cookie", `other=1; sa_token=${encodeURIComponent("s3 cret/+")}`);
    expect(cookie.status).toBe(200);
    expect(cookie.headers["cache-control"]).toBe("no-store");
  });
});
