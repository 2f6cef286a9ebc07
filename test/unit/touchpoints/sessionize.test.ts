import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createClassifier } from "../../../src/sources/index.js";
import { compareCalls, sessionize, stepVisit, type SessionizeOptions } from "../../../src/touchpoints/index.js";
import type { DeviceCall, Touchpoint, VisitState } from "../../../src/touchpoints/types.js";

const MIN = 60_000;
const TIMEOUT = 30 * MIN;
const opts: SessionizeOptions = {
  classifier: createClassifier({ siteDomains: ["example.com"], ignoredReferrers: [] }),
  sessionTimeoutMs: TIMEOUT,
};

const SITE = "https://example.com";
let seq = 0;
const nextId = (): string => `m${++seq}`;

function page(at: number, url: string = `${SITE}/`, referrer: string | null = null, id = nextId()): DeviceCall {
  return { messageId: id, at, type: "page", url, referrer, campaign: null, event: null, properties: null };
}
function screen(at: number, id = nextId()): DeviceCall {
  return { messageId: id, at, type: "screen", url: null, referrer: null, campaign: null, event: null, properties: null };
}
function track(at: number, event: string, properties: Record<string, unknown> = {}, id = nextId()): DeviceCall {
  return { messageId: id, at, type: "track", url: null, referrer: null, campaign: null, event, properties };
}
const summary = (t: Touchpoint) => `${t.source}/${t.medium}/${t.campaign ?? "-"} ${t.channel} ${t.rule}`;
const run = (calls: DeviceCall[]) => sessionize(calls, "device-1", opts);

describe("sessionize: visits and timeout", () => {
  test("the device's first call is a Direct touchpoint with rule direct", () => {
    expect(run([page(0, `${SITE}/home`, null, "first")])).toEqual([{
      messageId: "first",
      deviceId: "device-1",
      at: 0,
      channel: "Direct",
      source: "(direct)",
      medium: "(none)",
      campaign: null,
      term: null,
      content: null,
      referrer: null,
      landingPage: `${SITE}/home`,
      clickIdType: null,
      rule: "direct",
    }]);
  });

  test("a call exactly 30 minutes after the previous one is the same visit", () => {
    expect(run([page(0), page(TIMEOUT)]).map(summary)).toEqual(["(direct)/(none)/- Direct direct"]);
  });

  test("30 minutes and 1 ms later starts a new Direct visit with rule session_timeout", () => {
    const touches = run([page(0), page(TIMEOUT + 1)]);
    expect(touches.map(summary)).toEqual(["(direct)/(none)/- Direct direct", "(direct)/(none)/- Direct session_timeout"]);
    expect(touches[1]?.at).toBe(TIMEOUT + 1);
  });

  test("the timeout runs from the previous call, not the visit start", () => {
    expect(run([page(0), page(20 * MIN), page(45 * MIN), page(70 * MIN)])).toHaveLength(1);
  });

  test("track calls count as activity", () => {
    expect(run([page(0), track(25 * MIN, "Product Viewed"), page(50 * MIN)])).toHaveLength(1);
  });

  test("an internal referrer after the timeout is a new Direct visit", () => {
    const touches = run([page(0), page(TIMEOUT + 5, `${SITE}/b`, `${SITE}/a`)]);
    expect(touches.map((t) => t.rule)).toEqual(["direct", "session_timeout"]);
  });
});

describe("sessionize: campaigns and referrers", () => {
  const tagged = `${SITE}/?utm_source=google&utm_medium=cpc&utm_campaign=brand`;

  test("reloading a tagged URL inside a visit is one touchpoint", () => {
    const touches = run([page(0, tagged), page(1 * MIN, tagged), page(2 * MIN, tagged)]);
    expect(touches.map(summary)).toEqual(["google/cpc/brand Paid Search utm"]);
  });

  test("a campaign change mid-visit is a second touchpoint", () => {
    const touches = run([page(0, tagged), page(5 * MIN, `${SITE}/?utm_source=google&utm_medium=cpc&utm_campaign=generic`)]);
    expect(touches.map(summary)).toEqual(["google/cpc/brand Paid Search utm", "google/cpc/generic Paid Search utm"]);
  });

  test("the same UTMs after a timeout are a new visit's touchpoint", () => {
    expect(run([page(0, tagged), page(TIMEOUT + 1, tagged)])).toHaveLength(2);
  });

  test("a campaign in the middle of a Direct visit is a touchpoint", () => {
    const touches = run([page(0), page(3 * MIN, `${SITE}/?utm_source=newsletter&utm_medium=email`)]);
    expect(touches.map(summary)).toEqual(["(direct)/(none)/- Direct direct", "newsletter/email/- Email utm"]);
  });

  test("internal navigation is not a touchpoint", () => {
    const touches = run([
      page(0, `${SITE}/a`, "https://www.google.com/"),
      page(1 * MIN, `${SITE}/b`, `${SITE}/a`),
      page(2 * MIN, `${SITE}/c`, "https://blog.example.com/post"),
      page(3 * MIN, `${SITE}/d`, null),
    ]);
    expect(touches.map(summary)).toEqual(["google/organic/- Organic Search referrer:search"]);
    expect(touches[0]).toMatchObject({ referrer: "https://www.google.com/", landingPage: `${SITE}/a` });
  });

  test("an external referrer mid-visit is a touchpoint", () => {
    const touches = run([page(0), page(2 * MIN, `${SITE}/x`, "https://www.facebook.com/")]);
    expect(touches.map(summary)).toEqual(["(direct)/(none)/- Direct direct", "facebook/social/- Organic Social referrer:social"]);
  });

  test("a single-page app resending its landing referrer is not a new touchpoint", () => {
    const touches = run([
      page(0, `${SITE}/?gclid=abc`, "https://www.google.com/"),
      page(1 * MIN, `${SITE}/pricing`, "https://www.google.com/"),
      page(2 * MIN, `${SITE}/signup`, "https://www.google.com/"),
    ]);
    expect(touches.map(summary)).toEqual(["google/cpc/- Paid Search click_id:gclid"]);
  });

  test("two devices interleaved keep separate visits", () => {
    // A's activity at 20 and 40 minutes must not keep B's visit (10 → 50 minutes) alive.
    const interleaved: Array<[string, DeviceCall]> = [
      ["a", page(0, tagged)],
      ["b", page(10 * MIN)],
      ["a", page(20 * MIN)],
      ["a", page(40 * MIN)],
      ["b", page(50 * MIN)],
      ["b", page(60 * MIN, `${SITE}/`, "https://t.co/x")],
    ];
    const byDevice = new Map<string, DeviceCall[]>();
    for (const [device, call] of interleaved) byDevice.set(device, [...(byDevice.get(device) ?? []), call]);
    expect(sessionize(byDevice.get("a") ?? [], "a", opts).map(summary)).toEqual(["google/cpc/brand Paid Search utm"]);
    const touchesB = sessionize(byDevice.get("b") ?? [], "b", opts);
    expect(touchesB.map(summary)).toEqual([
      "(direct)/(none)/- Direct direct",
      "(direct)/(none)/- Direct session_timeout",
      "twitter/social/- Organic Social referrer:social",
    ]);
    expect(touchesB.every((t) => t.deviceId === "b")).toBe(true);
  });
});

describe("sessionize: spec events", () => {
  test("Email Link Clicked is an Email touchpoint and the page it opens does not repeat it", () => {
    const link = `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=june`;
    const touches = run([track(0, "Email Link Clicked", { link_url: link, campaign_name: "June" }), page(2_000, link)]);
    expect(touches.map(summary)).toEqual(["newsletter/email/june Email email_event"]);
    expect(touches[0]?.landingPage).toBe(link);
  });

  test("Email Link Clicked without UTMs takes its campaign from properties", () => {
    const touches = run([page(0), track(5 * MIN, "Email Link Clicked", { campaign_name: "Weekly" })]);
    expect(touches.map(summary)).toEqual(["(direct)/(none)/- Direct direct", "email/email/weekly Email email_event"]);
  });

  test("Email Opened is not a touchpoint but keeps the visit alive", () => {
    const touches = run([page(0), track(25 * MIN, "Email Opened", { campaign_name: "Weekly" }), page(50 * MIN)]);
    expect(touches).toHaveLength(1);
  });

  test("Push Notification Tapped is a Mobile Push Notifications touchpoint", () => {
    const touches = run([track(0, "Push Notification Tapped", { campaign: { name: "Sale", source: "braze" } }), screen(1_000)]);
    expect(touches.map(summary)).toEqual(["braze/push/sale Mobile Push Notifications push_event"]);
  });

  test("a visit opened by a plain track call gets its Direct touchpoint from the first screen", () => {
    const touches = run([track(0, "Application Opened"), screen(2_000), screen(60_000)]);
    expect(touches.map(summary)).toEqual(["(direct)/(none)/- Direct direct"]);
    expect(touches[0]?.at).toBe(2_000);
  });
});

describe("stepVisit and compareCalls", () => {
  test("compareCalls orders by time, then messageId", () => {
    expect(compareCalls({ at: 1, messageId: "b" }, { at: 2, messageId: "a" })).toBe(-1);
    expect(compareCalls({ at: 2, messageId: "a" }, { at: 1, messageId: "b" })).toBe(1);
    expect(compareCalls({ at: 1, messageId: "a" }, { at: 1, messageId: "b" })).toBe(-1);
    expect(compareCalls({ at: 1, messageId: "B" }, { at: 1, messageId: "a" })).toBe(-1);
    expect(compareCalls({ at: 1, messageId: "a" }, { at: 1, messageId: "a" })).toBe(0);
  });

  test("sessionize sorts its input first", () => {
    const calls = [page(0, `${SITE}/a`), page(TIMEOUT + 1, `${SITE}/b`)];
    expect(run([...calls].reverse())).toEqual(run(calls));
  });

  test("a late call does not move the visit clock back", () => {
    const first = stepVisit(null, page(10 * MIN, `${SITE}/`, null, "x2"), "d", opts);
    const late = stepVisit(first.state, page(5 * MIN, `${SITE}/`, null, "x1"), "d", opts);
    expect(late.state).toEqual({ lastAt: 10 * MIN, lastMessageId: "x2", source: "(direct)", medium: "(none)", campaign: null });
  });

  test("state after a touchpoint holds the visit's source, medium and campaign", () => {
    const step = stepVisit(null, page(0, `${SITE}/?utm_source=a&utm_medium=email&utm_campaign=c`, null, "s1"), "d", opts);
    expect(step.state).toEqual<VisitState>({ lastAt: 0, lastMessageId: "s1", source: "a", medium: "email", campaign: "c" });
  });
});

describe("sessionize laws", () => {
  const urls = [
    `${SITE}/`,
    `${SITE}/a`,
    `${SITE}/?utm_source=google&utm_medium=cpc&utm_campaign=x`,
    `${SITE}/?utm_source=newsletter&utm_medium=email`,
    `${SITE}/?gclid=1`,
    "not a url",
  ];
  const referrers = [null, `${SITE}/a`, "https://www.google.com/", "https://t.co/x", "https://chatgpt.com/", "::::"];
  const events = ["Email Link Clicked", "Email Opened", "Push Notification Tapped", "Order Completed", "Deep Link Opened"];

  const callArb = fc.record({
    at: fc.integer({ min: 0, max: 4 * TIMEOUT }),
    type: fc.constantFrom("page" as const, "screen" as const, "track" as const),
    url: fc.constantFrom(...urls),
    referrer: fc.constantFrom(...referrers),
    event: fc.constantFrom(...events),
  });
  const callsArb = fc.array(callArb, { maxLength: 25 }).map((raw) =>
    raw.map(
      (r, i): DeviceCall => ({
        messageId: `p${String(i).padStart(3, "0")}`,
        at: r.at,
        type: r.type,
        url: r.type === "track" ? null : r.url,
        referrer: r.type === "track" ? null : r.referrer,
        campaign: null,
        event: r.type === "track" ? r.event : null,
        properties: r.type === "track" ? { campaign_name: "c", url: r.url } : null,
      }),
    ),
  );

  test("sessionize equals folding stepVisit call by call", () => {
    fc.assert(
      fc.property(callsArb, (calls) => {
        const sorted = [...calls].sort(compareCalls);
        let state: VisitState | null = null;
        const folded: Touchpoint[] = [];
        for (const call of sorted) {
          const step = stepVisit(state, call, "d", opts);
          state = step.state;
          if (step.touchpoint) folded.push(step.touchpoint);
        }
        expect(sessionize(calls, "d", opts)).toEqual(folded);
      }),
    );
  });

  test("sessionize does not depend on input order", () => {
    fc.assert(
      fc.property(
        callsArb.chain((calls) => fc.tuple(fc.constant(calls), fc.shuffledSubarray(calls, { minLength: calls.length, maxLength: calls.length }))),
        ([calls, shuffled]) => {
          expect(sessionize(shuffled, "d", opts)).toEqual(sessionize(calls, "d", opts));
        },
      ),
    );
  });

  test("every visit start is a touchpoint: the first call, or the first page/screen of a device", () => {
    fc.assert(
      fc.property(callsArb, (calls) => {
        const firstPage = [...calls].sort(compareCalls).find((c) => c.type !== "track");
        const touches = sessionize(calls, "d", opts);
        if (firstPage !== undefined) expect(touches.some((t) => t.at <= firstPage.at)).toBe(true);
      }),
    );
  });
});
