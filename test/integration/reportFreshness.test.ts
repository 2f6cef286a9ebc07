import request from "supertest";
import { describe, expect, test } from "vitest";
import { createDeriver } from "../../src/deriver/index.js";
import { page, track } from "../support/segmentMessages.js";
import { settled, silentLog, useTestApps } from "../support/testApp.js";

const makeApp = useTestApps();
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 4, 1, 8, 0, 0);
const at = (days: number) => new Date(t0 + days * DAY).toISOString();

/** Three persons converting on three days, each after one touch. */
const SEED = [
  page("a", at(0), "https://shop.example/", "https://www.google.com/"),
  track({ anonymousId: "a" }, "Order Completed", at(0.1), { revenue: 10 }),
  page("b", at(1), "https://shop.example/?gclid=x"),
  track({ anonymousId: "b" }, "Order Completed", at(1.1), { revenue: 20 }),
  page("c", at(2), "https://shop.example/"),
  track({ anonymousId: "c" }, "Signed Up", at(2.1)),
];

describe("report aggregates and the Markov fit are kept by the deriver", () => {
  test("dirty report days are re-summed as soon as input is derived, not on the maintenance timer", async () => {
    // A maintenance interval far longer than the test: only the eager refresh can clean the days.
    const t = makeApp({ SITE_DOMAINS: "shop.example" }, undefined, { settleReads: false, deriver: { maintenanceMs: 3_600_000 } });
    await request(t.app).post("/webhooks/segment").send({ batch: SEED }).expect(200);
    const store = t.pipeline.store;
    while ((await store.cursor.lag()) > 0 || (await store.reports.dirtyDayCount()) > 0) await new Promise((r) => setTimeout(r, 20));
    const r = await request(t.app).get("/api/reports/attribution?model=linear").expect(200);
    expect(r.body.totals).toEqual({ conversions: 3, revenue: 30, unconverted: {} });

    // A refit re-credits every person (every day dirty again): cleaned by the deriver too.
    await t.deriver.refit();
    while ((await store.cursor.refitProgress())?.nextPersonId != null || (await store.reports.dirtyDayCount()) > 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const m = await request(t.app).get("/api/reports/attribution?model=markov").expect(200);
    expect(m.body.totals.conversions).toBeCloseTo(3, 12);
    expect(m.body.fit.paths).toBe(3);
  });

  test("a deriver started on data with no Markov fit fits it at start; with a fit it does not refit", async () => {
    const t = makeApp({ SITE_DOMAINS: "shop.example" }, undefined, { settleReads: false });
    await request(t.app).post("/webhooks/segment").send({ batch: SEED }).expect(200);
    const store = await settled(t.pipeline);
    // The first deriver started on an empty store: nothing to fit, and no refit was asked since.
    expect(await store.derived.markovModel()).toBeUndefined();
    await t.deriver.stop();

    const second = createDeriver(t.pipeline, silentLog, { pollMs: 20 });
    second.start();
    try {
      await second.drain();
      const fitted = await store.derived.markovModel();
      expect(fitted?.paths).toBe(3);
      const r = await request(t.app).get("/api/reports/attribution?model=markov").expect(200);
      expect(r.body.fit).toEqual({ fitted_at: new Date(fitted!.computedAt).toISOString(), paths: 3, order: 1 });
    } finally {
      await second.stop();
    }

    const kept = (await store.derived.markovModel())!.computedAt;
    await new Promise((r) => setTimeout(r, 5)); // a refit now would store a later computedAt
    const third = createDeriver(t.pipeline, silentLog, { pollMs: 20 });
    third.start();
    try {
      await third.drain();
      expect((await store.derived.markovModel())?.computedAt).toBe(kept);
    } finally {
      await third.stop();
    }
  });
});
