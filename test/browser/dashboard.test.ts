import { existsSync, mkdirSync } from "node:fs";
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
// With SCREENSHOTS=<dir> each view is also saved at 1366 and 390 px there (for a person to look at).
const SHOTS = process.env.SCREENSHOTS;

const DAY = 86_400_000;
// Times relative to today, so that the "last 30 days" preset holds the seed.
const ago = (days: number, hour = 10) => new Date(Math.floor(Date.now() / DAY) * DAY - days * DAY + hour * 3_600_000).toISOString();
const SITE = "https://shop.example/";
const GOOGLE = "https://www.google.com/";
const NEWSLETTER = `${SITE}?utm_source=newsletter&utm_medium=email&utm_campaign=spring`;
const ADS = `${SITE}?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=abc`;

/**
 * A: Organic Search, then Email (spring) → order 100. B: Direct, then Organic Search → order 33.333.
 * C: Paid Search (brand) → order 250. D: Email → Signed Up. E: a won CRM deal (1,200) linked by
 * userId, dated before E's only visit → Unattributed. F: an older order (45 days ago, Paid Search)
 * in the previous period only.
 */
const SEED = [
  pageCall("anon-a", ago(9), SITE, GOOGLE),
  pageCall("anon-a", ago(8), NEWSLETTER),
  identify("user-a", "anon-a", ago(8, 11), { email: "a@example.com" }),
  track({ userId: "user-a" }, "Order Completed", ago(8, 12), { revenue: 100 }),
  pageCall("anon-b", ago(6, 9), SITE),
  pageCall("anon-b", ago(6, 15), SITE, GOOGLE),
  track({ anonymousId: "anon-b" }, "Order Completed", ago(6, 17), { revenue: 33.333 }),
  pageCall("anon-c", ago(4), ADS),
  track({ anonymousId: "anon-c" }, "Order Completed", ago(3), { revenue: 250 }),
  pageCall("anon-d", ago(2), NEWSLETTER),
  track({ anonymousId: "anon-d" }, "Signed Up", ago(2, 11)),
  pageCall("anon-e", ago(1), SITE, GOOGLE),
  identify("user-e", "anon-e", ago(1, 11)),
  pageCall("anon-f", ago(46), ADS),
  track({ anonymousId: "anon-f" }, "Order Completed", ago(45), { revenue: 80 }),
];
/** Input the service refuses: two tracks without an event (one sent twice), an unknown type whose text is markup. */
const BAD = [
  { type: "track", messageId: "bad-1", anonymousId: "anon-x", timestamp: ago(1) },
  { type: "track", messageId: "bad-2", anonymousId: "anon-y", timestamp: ago(1) },
  { type: "<img src=x onerror=alert(1)>", messageId: "bad-3", anonymousId: "anon-z", timestamp: ago(1) },
];
const DEAL = { dealId: "D-1", status: "closed_won", amount: "1200", userId: "user-e", createdAt: ago(5), updatedAt: ago(5, 12) };

let t: ReturnType<typeof testApp>;
let server: Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (EXECUTABLE === undefined) {
    if (REQUIRED) throw new Error("REQUIRE_BROWSER=1 but no Chromium is installed (apt-get install -y chromium)");
    return;
  }
  t = testApp({ API_TOKEN: TOKEN, SITE_DOMAINS: "shop.example" });
  const seeded = await request(t.app).post("/webhooks/segment").send({ batch: SEED });
  expect(seeded.body).toMatchObject({ accepted: SEED.length, rejected: 0 });
  expect((await request(t.app).post("/webhooks/crm").send(DEAL)).status).toBe(200);
  for (const batch of [BAD, BAD.slice(0, 1)]) expect((await request(t.app).post("/webhooks/segment").send(batch)).body).toMatchObject({ rejected: batch.length });
  server = createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch(CHROMIUM);
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await t?.cleanup();
});

async function apiGet<T = any>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function signIn(p: Page, token: string) {
  const first = await p.goto(`${base}/`);
  expect(first?.status()).toBe(401);
  await p.locator("#login-form").waitFor();
  await p.fill("#token", token);
  await p.click("#login-form button[type=submit]");
}

/** A signed-in page at `width` px; CSP violations and script errors fail the test. */
async function openDashboard(width = 1366) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const p = await context.newPage();
  const problems: string[] = [];
  p.on("pageerror", (e) => problems.push(e.message));
  p.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  await signIn(p, TOKEN);
  await ready(p);
  problems.splice(0); // the 401 of the login page itself
  return { p, context, problems };
}

async function ready(p: Page, view?: string) {
  await p.locator(`body[data-state="ready"]${view ? `[data-current-view="${view}"]` : ""}`).waitFor();
}

async function go(p: Page, hash: string) {
  const view = hash.split("/")[0]!;
  await p.evaluate((h) => (location.hash = h), hash);
  await ready(p, view);
}

async function shot(p: Page, name: string) {
  if (SHOTS) await p.screenshot({ path: `${SHOTS}/${name}-${p.viewportSize()!.width}.png`, fullPage: true });
}

const range30 = () => {
  const tomorrow = Math.floor(Date.now() / DAY) * DAY + DAY;
  return `from=${new Date(tomorrow - 30 * DAY).toISOString()}&to=${new Date(tomorrow).toISOString()}`;
};

describe.skipIf(EXECUTABLE === undefined && !REQUIRED)("dashboard in a real browser", () => {
  test("model comparison: every model of the API, named in plain language, chart and table as the API answers", async () => {
    const { p, context, problems } = await openDashboard();
    const report = await apiGet(`/api/reports/attribution?model=all&groupBy=channel&${range30()}`);
    const models = Object.keys(report.models);
    expect(await p.$$eval("#model-legend li", (li) => li.map((l) => l.getAttribute("data-model")))).toEqual(models);
    expect(await p.textContent('#model-legend li[data-model="first_touch"]')).toContain("First touch — all credit to the first visit");
    // Before the first Markov fit its column is not linear credit under another name: it is left out.
    expect(report.models.markov.fit).toBeNull();
    expect(await p.textContent('#model-legend li[data-model="markov"] .not-fitted')).toContain("not fitted yet");
    expect(await p.locator('#models-table .cell[data-model="markov"]').count()).toBe(0);
    expect(await p.locator('svg[data-chart="compare"] rect[data-model="markov"]').count()).toBe(0);
    // Overview of the last 30 days: four orders and a sign-up from track, one won deal.
    expect(await p.textContent('[data-figure="conversions"]')).toBe("5");
    // The reports say their currency (REPORTING_CURRENCY, issue 15): the dashboard shows it.
    expect(await p.textContent('[data-figure="revenue"]')).toBe("$1,583");
    for (const m of ["first_touch", "last_touch", "linear"]) {
      for (const row of report.models[m].rows) {
        const bar = p.locator(`svg[data-chart="compare"] rect[data-model="${m}"][data-key="${row.key}"]`);
        expect(Number(await bar.getAttribute("data-value"))).toBeCloseTo(row.conversions, 9);
        const cell = p.locator(`#models-table .cell[data-model="${m}"][data-key="${row.key}"]`);
        expect(Number(await cell.getAttribute("data-value"))).toBeCloseTo(row.conversions, 9);
      }
    }
    // Email: last touch of A and D (2), first touch of D only (1): first touch is 50 % below last touch.
    const email = p.locator('#models-table .cell[data-model="first_touch"][data-key="Email"]');
    expect(await email.locator(".vs").textContent()).toContain("−50 %");
    // Revenue instead of conversions, and leaving a model out of the chart.
    await p.selectOption("#metric", "revenue");
    await ready(p, "compare");
    const paid = p.locator('#models-table .cell[data-model="linear"][data-key="Paid Search"] .v');
    expect(await paid.textContent()).toBe("$250");
    await p.locator('#model-legend li[data-model="time_decay"] input').uncheck();
    await ready(p, "compare");
    expect(await p.locator('svg[data-chart="compare"] rect[data-model="time_decay"]').count()).toBe(0);
    expect(await p.locator('svg[data-chart="compare"] rect[data-model="linear"]').count()).toBeGreaterThan(0);
    await p.selectOption("#metric", "conversions");
    await p.locator('#model-legend li[data-model="time_decay"] input').check();
    await ready(p, "compare");
    await shot(p, "compare");
    expect(problems).toEqual([]);
    await context.close();
  });

  test("conversion filter, date presets and the previous period", async () => {
    const { p, context } = await openDashboard();
    const names = await p.$$eval("#conversion option", (o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(names).toEqual(["", "Order Completed", "Deal Won", "Signed Up"]);
    await p.selectOption("#conversion", "Signed Up");
    await ready(p);
    const cells = await p.$$eval('#models-table .cell[data-model="last_touch"]', (c) => c.map((x) => [x.getAttribute("data-key"), x.getAttribute("data-value")]));
    expect(cells).toEqual([["Email", "1"], ["", "1"]]);
    await p.selectOption("#conversion", "");
    await p.selectOption("#preset", "7");
    await ready(p);
    // Last 7 days (today and the 6 before): B (6 days ago), C, D and E's deal; A (8 days ago) is older.
    expect(await p.textContent('[data-figure="conversions"]')).toBe("4");
    await p.selectOption("#preset", "90");
    await ready(p);
    expect(await p.textContent('[data-figure="conversions"]')).toBe("6");
    await p.selectOption("#preset", "30");
    await p.check("#compare");
    await ready(p);
    // Previous 30 days: F's order only. 5 now vs 1 before.
    expect(await p.textContent('[data-delta="conversions"] .delta')).toBe("+400 %");
    expect(await p.textContent("#range-label")).toContain("compared with");
    await p.selectOption("#preset", "custom");
    await p.fill("#from", ago(50).slice(0, 10));
    await p.fill("#to", ago(40).slice(0, 10));
    await p.locator("#to").dispatchEvent("change");
    await ready(p);
    expect(await p.textContent('[data-figure="conversions"]')).toBe("1");
    await p.fill("#from", ago(400).slice(0, 10));
    await p.fill("#to", ago(390).slice(0, 10));
    await p.locator("#to").dispatchEvent("change");
    await ready(p);
    expect(await p.textContent(".notice.empty")).toContain("No conversions from");
    await p.click("#show-all-time");
    await ready(p);
    expect(await p.textContent('[data-figure="conversions"]')).toBe("6");
    await context.close();
  });

  test("drill-down: channel → source / medium → campaign with conversions, revenue and share; Unattributed explained", async () => {
    const { p, context, problems } = await openDashboard();
    await go(p, "drill");
    await p.selectOption("#model", "last_touch");
    await ready(p, "drill");
    const rows = await p.$$eval("#drill-table tbody tr[data-key]", (r) => r.map((x) => x.getAttribute("data-key")));
    const api = await apiGet(`/api/reports/attribution?model=last_touch&groupBy=channel&${range30()}`);
    expect(rows).toEqual(api.rows.map((r: { key: string }) => r.key));
    const unattributed = p.locator('#drill-table tr[data-key="Unattributed"]');
    expect(await unattributed.locator("[data-share]").textContent()).toBe("20 %");
    expect(await unattributed.locator("[data-revenue]").textContent()).toBe("$1,200");
    await p.click('#drill-table button.drill[data-key="Email"]');
    await ready(p, "drill");
    expect(await p.textContent("#crumbs")).toContain("Email");
    expect(await p.$$eval("#drill-table tbody tr[data-key]", (r) => r.map((x) => x.getAttribute("data-key")))).toEqual(["newsletter / email"]);
    await p.click('#drill-table button.drill[data-key="newsletter / email"]');
    await ready(p, "drill");
    expect(await p.$$eval("#drill-table tbody tr[data-key]", (r) => r.map((x) => x.getAttribute("data-key")))).toEqual(["spring"]);
    expect(await p.textContent('#drill-table tr[data-key="spring"] [data-share]')).toBe("100 %");
    await shot(p, "drill-campaign");
    await p.click("#crumbs button >> text=All channels");
    await ready(p, "drill");
    await shot(p, "drill");
    // With the previous period: Paid Search had F's order before (1 → 1), Email nothing (new).
    await p.check("#compare");
    await ready(p, "drill");
    expect(await p.textContent("#drill-table thead")).toContain("vs previous");
    expect(await p.textContent('#drill-table tr[data-key="Paid Search"] td:last-child')).toBe("±0 %");
    expect(await p.textContent('#drill-table tr[data-key="Email"] td:last-child')).toBe("new");
    await shot(p, "drill-compare");
    expect(problems).toEqual([]);
    await context.close();
  });

  test("markov: 'not fitted yet' before the first fit, then removal effects with paths and fit time", async () => {
    const { p, context } = await openDashboard();
    await go(p, "markov");
    expect(await p.textContent("#view-root")).toContain("not fitted yet");
    expect(await p.locator('svg[data-chart="removal-effects"]').count()).toBe(0);
    await shot(p, "markov-unfitted");
    await t.deriver.refit();
    const report = await apiGet("/api/reports/attribution?model=markov");
    await p.reload();
    await ready(p, "markov");
    expect(await p.textContent("#markov-fit")).toContain(`Fitted on ${report.fit.paths} paths`);
    const bars = await p.$$eval('svg[data-chart="removal-effects"] rect', (r) => r.map((x) => [x.getAttribute("data-key"), Number(x.getAttribute("data-value"))]));
    expect(Object.fromEntries(bars)).toEqual(report.removal_effects);
    await shot(p, "markov");
    await context.close();
  });

  test("conversion paths: top paths, distributions, a journey opened from a path", async () => {
    const { p, context, problems } = await openDashboard();
    await go(p, "paths");
    const api = await apiGet(`/api/reports/paths?model=linear&limit=20&${range30()}`);
    const shown = await p.$$eval("#paths-table tbody tr", (r) => r.map((x) => [x.getAttribute("data-path"), Number(x.getAttribute("data-conversions"))]));
    expect(shown).toEqual(api.paths.map((x: { path: string[]; conversions: number }) => [x.path.join(" > "), x.conversions]));
    expect(await p.textContent('#lengths-table tr[data-bucket="2 touches"]')).toContain("2");
    expect(await p.textContent('#lengths-table tr[data-bucket="No touch"]')).toContain("1");
    expect(await p.textContent('#lag-table tr[data-bucket="1 day"]')).toContain("1");
    expect(await p.locator('svg[data-chart="time-lag"] rect').count()).toBeGreaterThan(0);
    const row = p.locator('#paths-table tr[data-path="Organic Search > Email"]');
    // A: 2 touches, 26 h from the first.
    expect(await row.textContent()).toContain("2.0");
    expect(await row.textContent()).toContain("1.1 d");
    await shot(p, "paths");
    await row.locator("a.journey-link").click();
    await ready(p, "journey");
    expect(await p.locator("#timeline li.touch").count()).toBe(2);
    expect(await p.textContent("#person-identities")).toContain("user-a");
    expect(problems).toEqual([]);
    await context.close();
  });

  test("person journey: lookup, timeline with each model's credit; a deal older than its visits is explained", async () => {
    const { p, context } = await openDashboard();
    await go(p, "journey");
    await shot(p, "journey-empty");
    await p.fill("#person-id", "a@example.com");
    await p.click("#person-form button[type=submit]");
    await ready(p, "journey");
    const touches = p.locator("#timeline li.touch");
    expect(await touches.count()).toBe(2);
    expect(await touches.nth(0).textContent()).toContain("Organic Search");
    expect(await touches.nth(1).textContent()).toContain("spring");
    expect(await p.textContent("#person-devices")).toBe("1");
    const conversion = p.locator("#timeline li.conversion");
    expect(await conversion.textContent()).toContain("Order Completed");
    expect(await conversion.locator('tr[data-touch="1"] [data-model="linear"]').textContent()).toBe("50 %");
    expect(await conversion.locator('tr[data-touch="1"] [data-model="last_touch"]').textContent()).toBe("100 %");
    expect(await conversion.locator('tr[data-touch="0"] [data-model="last_touch"]').textContent()).toBe("–");
    await shot(p, "journey");
    await go(p, "journey/user-e");
    expect(await p.textContent("#timeline li.conversion")).toContain("older than the visits");
    await go(p, "journey/nobody-here");
    expect(await p.textContent("#person-result")).toContain("No person “nobody-here”");
    await context.close();
  });

  test("rejected input: the reasons over every row, the messages newest first, as text", async () => {
    const { p, context, problems } = await openDashboard();
    expect(await p.textContent("#rejected-count")).toBe("3");
    await go(p, "rejected");
    expect(await p.isVisible("#controls")).toBe(false);
    const api = await apiGet<{ reasons: Array<{ reason: string; payloads: number; arrivals: number }>; total: number }>("/api/rejected");
    const reasons = p.locator("#reasons-table tbody tr");
    expect(await reasons.count()).toBe(api.reasons.length);
    const noEvent = p.locator('#reasons-table tr[data-reason="track message without event"]');
    expect(await noEvent.getAttribute("data-payloads")).toBe("2");
    expect(await noEvent.locator("td").nth(1).textContent()).toBe("3"); // bad-1 arrived twice
    const rows = p.locator("#rejected-table tbody tr");
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).getAttribute("data-message-id")).toBe("bad-1"); // its latest arrival is the newest
    // Visitor-controlled text is shown as text, never as markup.
    const markup = p.locator('#rejected-table tr[data-message-id="bad-3"]');
    expect(await markup.locator("summary").textContent()).toBe(BAD[2]!.type);
    expect(await p.locator("#rejected-table img").count()).toBe(0);
    await markup.locator("summary").click();
    expect(JSON.parse((await markup.locator("pre.payload").textContent())!)).toEqual(BAD[2]);
    expect(await p.textContent("#rejected-pager")).toContain("1–3 of 3");
    await shot(p, "rejected");
    expect(problems).toEqual([]);
    await context.close();
  });

  test("CSV export of a table downloads the API's CSV with the token", async () => {
    const { p, context } = await openDashboard();
    await go(p, "paths");
    const [download] = await Promise.all([p.waitForEvent("download"), p.locator("#view-root button.csv").first().click()]);
    expect(download.suggestedFilename()).toBe("paths.csv");
    const path = await download.path();
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(path, "utf8");
    expect(text.split("\r\n")[0]).toBe("path,conversions,revenue,avg_touches,avg_days");
    expect(text).toContain("Organic Search > Email,1,100");
    await context.close();
  });

  test("at 390 px every view fits the width (no page-wide horizontal scroll)", async () => {
    const { p, context, problems } = await openDashboard(390);
    for (const view of ["compare", "drill", "markov", "paths", "journey/a@example.com", "rejected"]) {
      await go(p, view);
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, view).toBeLessThanOrEqual(0);
      await shot(p, view.split("/")[0]!);
    }
    expect(problems).toEqual([]);
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

describe.skipIf(EXECUTABLE === undefined && !REQUIRED)("dashboard of a service that has received nothing", () => {
  test("tells a new user how to point Segment at the service", async () => {
    const empty = testApp({});
    const s = createServer(empty.app);
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    try {
      const p = await context.newPage();
      await p.goto(`${url}/`);
      await ready(p);
      expect(await p.isVisible("#onboarding")).toBe(true);
      expect(await p.textContent("#webhook-url")).toBe(`${url}/webhooks/segment`);
      expect(await p.isVisible("#view-root")).toBe(false);
      await shot(p, "empty");
      await p.setViewportSize({ width: 390, height: 900 });
      await shot(p, "empty");
    } finally {
      await context.close();
      await new Promise<void>((resolve) => s.close(() => resolve()));
      await empty.cleanup();
    }
  });
});
