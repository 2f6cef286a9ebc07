import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { identify, page as pageCall, track } from "../support/segmentMessages.js";
import { testApp } from "../support/testApp.js";

const TOKEN = "dashboard-test-token";
/**
 * Debian's chromium (`apt-get install -y chromium`). Where none is installed (a fresh machine
 * running `npm ci && npm test`) this file reports itself skipped with the reason, unless
 * REQUIRE_BROWSER=1 (as `.ci/run`, which installs it, sets): then a missing browser fails.
 */
const EXECUTABLE = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"].find((p) => existsSync(p));
const REQUIRED = process.env.REQUIRE_BROWSER === "1";
if (EXECUTABLE === undefined && !REQUIRED) {
  console.warn("dashboard browser test skipped: no Chromium found (apt-get install -y chromium; REQUIRE_BROWSER=1 makes this a failure)");
}
const CHROMIUM = {
  executablePath: EXECUTABLE ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
};

// Two persons whose first and last touches differ, so first_touch and last_touch disagree.
const SEED = [
  pageCall("anon-a", "2026-03-01T10:00:00.000Z", "https://shop.example/", "https://www.google.com/"),
  pageCall("anon-a", "2026-03-02T10:00:00.000Z", "https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring"),
  identify("user-a", "anon-a", "2026-03-02T10:01:00.000Z", { email: "a@example.com" }),
  track({ userId: "user-a" }, "Order Completed", "2026-03-02T12:00:00.000Z", { revenue: 100 }),
  pageCall("anon-b", "2026-03-03T09:00:00.000Z", "https://shop.example/"),
  pageCall("anon-b", "2026-03-03T15:00:00.000Z", "https://shop.example/", "https://www.google.com/"),
  track({ anonymousId: "anon-b" }, "Order Completed", "2026-03-03T17:00:00.000Z", { revenue: 33.333 }),
];

let t: ReturnType<typeof testApp>;
let server: Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (EXECUTABLE === undefined) {
    if (REQUIRED) throw new Error("REQUIRE_BROWSER=1 but no Chromium is installed (apt-get install -y chromium)");
    return;
  }
  t = testApp({ API_TOKEN: TOKEN });
  const seeded = await request(t.app).post("/webhooks/segment").send({ batch: SEED });
  expect(seeded.body).toMatchObject({ accepted: SEED.length, rejected: 0 });
  server = createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch(CHROMIUM);
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await t?.cleanup();
});

interface Section {
  rows: Array<{ key: string; conversions: number; revenue: number }>;
}

async function attribution(model: string): Promise<Section> {
  const res = await fetch(`${base}/api/reports/attribution?model=${model}&groupBy=channel`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Section;
}

async function signIn(p: Page, token: string) {
  const first = await p.goto(`${base}/`);
  expect(first?.status()).toBe(401);
  await p.locator("#login-form").waitFor();
  await p.fill("#token", token);
  await p.click("#login-form button[type=submit]");
}

/** The chart and the all-models table show exactly what the API answers for `model`. */
async function expectModelShown(p: Page, model: string) {
  await p.locator(`#revenue-chart[data-model="${model}"]`).waitFor();
  await p.locator('body[data-state="ready"]').waitFor();
  const expected = await attribution(model);
  expect(expected.rows.length).toBeGreaterThan(0);
  const bars = await p.$$eval("#revenue-chart rect[data-key]", (rects) =>
    rects.map((r) => ({ key: r.getAttribute("data-key"), value: Number(r.getAttribute("data-value")) })),
  );
  expect(bars.map((b) => b.key)).toEqual(expected.rows.map((r) => r.key));
  for (const [i, row] of expected.rows.entries()) expect(bars[i]?.value).toBeCloseTo(row.revenue, 9);
  for (const row of expected.rows) {
    const cell = p.locator(`#models-table td[data-model="${model}"][data-key="${row.key}"]`);
    expect(await cell.locator(".conversions").textContent()).toBe(row.conversions.toFixed(2));
    expect(await cell.locator(".revenue").textContent()).toBe(row.revenue.toFixed(2));
  }
}

describe.skipIf(EXECUTABLE === undefined && !REQUIRED)("dashboard in a real browser", () => {
  test("log in with the token, switch models, look a person up", async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    await signIn(p, TOKEN);
    await p.locator('body[data-view="dashboard"][data-state="ready"]').waitFor();
    expect(await p.textContent('[data-figure="revenue"]')).toBe("133.33");
    expect(await p.textContent('[data-figure="conversions"]')).toBe("2");

    await p.selectOption("#model", "first_touch");
    await expectModelShown(p, "first_touch");
    await p.selectOption("#model", "last_touch");
    await expectModelShown(p, "last_touch");
    const [first, last] = [await attribution("first_touch"), await attribution("last_touch")];
    expect(first.rows).not.toEqual(last.rows);

    expect(await p.locator("#paths-table tbody tr").count()).toBe(2);

    await p.fill("#person-id", "a@example.com");
    await p.click("#person-form button[type=submit]");
    const touches = p.locator("#person-touchpoints tbody tr");
    await touches.first().waitFor();
    expect(await touches.count()).toBe(2);
    expect(await touches.nth(0).textContent()).toContain("Organic Search");
    expect(await touches.nth(1).textContent()).toContain("spring");
    expect(await p.textContent("#person-devices")).toBe("1");
    expect(await p.locator('#person-result tr[data-model="linear"]').textContent()).toContain("Email (#1) 0.50");
    await context.close();
  });

  test("a wrong token brings the login back with an error", async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    await signIn(p, "not-the-token");
    await p.locator("#login-root .error").waitFor();
    expect(await p.textContent("#login-root .error")).toContain("not accepted");
    expect(await p.evaluate(() => sessionStorage.getItem("sa_token"))).toBeNull();
    await context.close();
  });
});
