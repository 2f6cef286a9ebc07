import request from "supertest";
import { describe, expect, test } from "vitest";
import { page, track } from "../support/segmentMessages.js";
import { useTestApps } from "../support/testApp.js";

const makeApp = useTestApps();

async function seed() {
  const t = makeApp();
  await request(t.app)
    .post("/webhooks/segment")
    .send([
      page("a", "2026-02-01T10:00:00Z", "https://shop.example/?utm_source=news,letter&utm_medium=email&utm_campaign=Feb \"sale\""),
      page("a", "2026-02-03T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
      track({ anonymousId: "a" }, "Order Completed", "2026-02-04T10:00:00Z", { revenue: 90 }),
      page("b", "2026-02-01T10:00:00Z", "https://shop.example/", "https://www.bing.com/"),
      track({ anonymousId: "b" }, "Order Completed", "2026-02-02T10:00:00Z", { revenue: 30 }),
      track({ userId: "c" }, "Signed Up", "2026-02-02T10:00:00Z"),
    ])
    .expect(200);
  return t;
}

/** A small RFC 4180 reader, enough to check our writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  return rows;
}

describe("CSV reports", () => {
  test.each(["channel", "source", "source_medium", "campaign"])("CSV equals JSON for groupBy=%s, every model", async (groupBy) => {
    const { app } = await seed();
    for (const model of ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based"]) {
      const json = (await request(app).get(`/api/reports/attribution?model=${model}&groupBy=${groupBy}`)).body;
      const csv = await request(app).get(`/api/reports/attribution?model=${model}&groupBy=${groupBy}&format=csv`);
      expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
      const [header, ...rows] = parseCsv(csv.text);
      expect(header).toEqual([groupBy, "conversions", "revenue"]);
      expect(rows.map(([k, c, r]) => ({ key: k, conversions: Number(c), revenue: Number(r), unconverted: {} }))).toEqual(json.rows);
    }
    // The data-driven models add their bootstrap bounds (empty cells where null).
    const bound = (v: string | undefined) => (v === "" || v === undefined ? null : Number(v));
    for (const model of ["markov", "shapley", ...(groupBy === "channel" ? ["markov_global"] : [])]) {
      const json = (await request(app).get(`/api/reports/attribution?model=${model}&groupBy=${groupBy}`)).body;
      const csv = await request(app).get(`/api/reports/attribution?model=${model}&groupBy=${groupBy}&format=csv`);
      const [header, ...rows] = parseCsv(csv.text);
      expect(header).toEqual([groupBy, "conversions", "revenue", "credit_low", "credit_high"]);
      expect(
        rows.map(([k, c, r, lo, hi]) => ({ key: k, conversions: Number(c), revenue: Number(r), unconverted: {}, credit_low: bound(lo), credit_high: bound(hi) })),
      ).toEqual(json.rows);
    }
  });

  test("Accept: text/csv gives CSV too", async () => {
    const { app } = await seed();
    const res = await request(app).get("/api/reports/attribution?model=first_touch").set("accept", "text/csv");
    expect(parseCsv(res.text)[0]).toEqual(["channel", "conversions", "revenue"]);
  });

  test("model=all gives one column pair per model, equal to the JSON", async () => {
    const { app } = await seed();
    const json = (await request(app).get("/api/reports/attribution?model=all&groupBy=campaign")).body;
    const [header, ...rows] = parseCsv((await request(app).get("/api/reports/attribution?model=all&groupBy=campaign&format=csv")).text);
    const models = Object.keys(json.models);
    expect(header).toEqual(["campaign", ...models.flatMap((m) => [`${m}_conversions`, `${m}_revenue`])]);
    for (const row of rows) {
      models.forEach((m, i) => {
        const found = json.models[m].rows.find((r: { key: string }) => r.key === row[0]) ?? { conversions: 0, revenue: 0 };
        expect(Number(row[1 + 2 * i])).toBe(found.conversions);
        expect(Number(row[2 + 2 * i])).toBe(found.revenue);
      });
    }
    expect(rows.map((r) => r[0]).sort()).toEqual(['(not set)', 'Unattributed', 'feb "sale"'].sort());
  });

  test("visitor-controlled campaigns and sources starting with a formula prefix are neutralised in the CSV", async () => {
    const t = makeApp();
    const hostile = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1"];
    await request(t.app)
      .post("/webhooks/segment")
      .send(
        hostile.flatMap((h, i) => [
          page(`h${i}`, "2026-02-01T10:00:00Z", `https://shop.example/?utm_source=${encodeURIComponent(h)}&utm_medium=cpc&utm_campaign=${encodeURIComponent(h)}`),
          track({ anonymousId: `h${i}` }, "Order Completed", "2026-02-02T10:00:00Z", { revenue: 10 }),
        ]),
      )
      .expect(200);
    for (const groupBy of ["campaign", "source"]) {
      const json = (await request(t.app).get(`/api/reports/attribution?model=linear&groupBy=${groupBy}`)).body;
      const keys = (json.rows as Array<{ key: string }>).map((r) => r.key);
      expect(keys.filter((k) => /^[=+\-@\t\r]/.test(k)).length).toBeGreaterThanOrEqual(4);
      const [, ...rows] = parseCsv((await request(t.app).get(`/api/reports/attribution?model=linear&groupBy=${groupBy}&format=csv`)).text);
      for (const row of rows) expect(row[0]).not.toMatch(/^[=+\-@\t\r]/);
      expect(rows.map((r) => r[0]).sort()).toEqual(keys.map((k) => (/^[=+\-@\t\r]/.test(k) ? `'${k}` : k)).sort());
      // Numbers stay numbers.
      for (const row of rows) expect(Number.isFinite(Number(row[2]))).toBe(true);
    }
  });
});
