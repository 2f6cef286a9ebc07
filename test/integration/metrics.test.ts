import request from "supertest";
import { describe, expect, test } from "vitest";
import { createMetrics } from "../../src/http/metrics.js";
import { page, track } from "../support/segmentMessages.js";
import { useTestApps } from "../support/testApp.js";

const makeApp = useTestApps();
const T0 = "2026-03-01T10:00:00.000Z";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition format (version 0.0.4): comments, then `name{labels} value`. */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe("GET /metrics", () => {
  test("requests and latency by route, messages by outcome, derivation lag and outbox by status", async () => {
    const { app } = makeApp();
    const batch = [
      page("anon-m", T0, "https://x.example/?utm_source=news&utm_medium=email"),
      track({ anonymousId: "anon-m" }, "Order Completed", T0, { revenue: 5 }),
      { type: "nope", messageId: "bad-1" },
    ];
    await request(app).post("/webhooks/segment").send(batch).expect(200);
    await request(app).post("/webhooks/segment").send(batch.slice(0, 2)).expect(200);
    await request(app).get("/api/people/anon-m").expect(200);
    await request(app).get("/api/people/nobody").expect(404);

    const res = await request(app).get("/metrics").expect(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseMetrics(res.text);

    expect(value(samples, "http_requests_total", { method: "POST", route: "/webhooks/segment", status: "200" })).toBe(2);
    // The route pattern, one series for every person looked up.
    expect(value(samples, "http_requests_total", { method: "GET", route: "/api/people/:id", status: "200" })).toBe(1);
    expect(value(samples, "http_requests_total", { method: "GET", route: "/api/people/:id", status: "404" })).toBe(1);
    expect(value(samples, "http_request_duration_seconds_count", { method: "POST", route: "/webhooks/segment" })).toBe(2);
    expect(value(samples, "segment_messages_total", { outcome: "accepted" })).toBe(2);
    expect(value(samples, "segment_messages_total", { outcome: "duplicate" })).toBe(2);
    expect(value(samples, "segment_messages_total", { outcome: "rejected" })).toBe(1);
    expect(value(samples, "derivation_lag")).toBe(0);
    const stats = (await request(app).get("/api/stats").expect(200)).body;
    expect(stats.outbox_pending).toBeGreaterThan(0);
    expect(value(samples, "outbox_messages", { status: "pending" })).toBe(stats.outbox_pending);
    expect(value(samples, "outbox_messages", { status: "sent" })).toBe(0);
    expect(value(samples, "outbox_messages", { status: "dead" })).toBe(0);
    expect(value(samples, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  test("with API_TOKEN set, /metrics needs the bearer token", async () => {
    const { app } = makeApp({ API_TOKEN: "scrape-me" });
    expect((await request(app).get("/metrics")).status).toBe(401);
    expect((await request(app).get("/metrics").set("authorization", "Bearer scrape-me")).status).toBe(200);
  });

  test("a Markov refit is timed", async () => {
    const { pipeline, deriver } = makeApp();
    const metrics = createMetrics(pipeline.store, { defaultMetrics: false });
    await metrics.timeRefit(() => deriver.refit());
    const samples = parseMetrics(await metrics.registry.metrics());
    expect(value(samples, "markov_refit_duration_seconds_count")).toBe(1);
    expect(value(samples, "markov_refit_duration_seconds_sum")).toBeGreaterThan(0);
  });
});
