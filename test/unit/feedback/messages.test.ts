import { describe, expect, test } from "vitest";
import {
  dealStatusChanged,
  identifyTraits,
  visitorSourceIdentified,
  type TouchSummary,
} from "../../../src/feedback/messages.js";
import { LOOP_GUARD_INTEGRATIONS, toSegmentCall } from "../../../src/feedback/segmentCall.js";
import type { OutboundMessage } from "../../../src/feedback/types.js";

const at = Date.UTC(2024, 4, 1, 12, 30, 0);
const touch: TouchSummary = {
  at,
  channel: "Paid Search",
  source: "google",
  medium: "cpc",
  campaign: "spring",
  term: "crm software",
  content: null,
  referrer: "https://www.google.com/",
  landingPage: "https://example.com/pricing",
  clickIdType: "gclid",
};

describe("message builders", () => {
  test("Visitor Source Identified carries every touch property in snake_case and the touch time", () => {
    const m = visitorSourceIdentified("m1", { userId: "u1" }, touch, 3, false);
    expect(m).toEqual({
      type: "track",
      event: "Visitor Source Identified",
      messageId: "m1",
      userId: "u1",
      timestamp: "2024-05-01T12:30:00.000Z",
      properties: {
        channel: "Paid Search",
        source: "google",
        medium: "cpc",
        campaign: "spring",
        term: "crm software",
        content: null,
        referrer: "https://www.google.com/",
        landing_page: "https://example.com/pricing",
        click_id_type: "gclid",
        touch_number: 3,
        is_first_touch: false,
      },
    });
  });

  test("Deal Status Changed carries the deal and the person's first and last touch channel", () => {
    const deal = {
      dealId: "d-9",
      status: "won",
      previousStatus: "open",
      amount: 1200,
      currency: "EUR",
      firstTouchChannel: "Organic Search",
      lastTouchChannel: "Email",
    };
    const m = dealStatusChanged("m2", { anonymousId: "a1" }, deal, at);
    expect(m).toEqual({
      type: "track",
      event: "Deal Status Changed",
      messageId: "m2",
      anonymousId: "a1",
      timestamp: "2024-05-01T12:30:00.000Z",
      properties: {
        deal_id: "d-9",
        status: "won",
        previous_status: "open",
        amount: 1200,
        currency: "EUR",
        first_touch_channel: "Organic Search",
        last_touch_channel: "Email",
      },
    });
  });

  test("identify copies the traits, so later changes to the caller's object do not leak in", () => {
    const traits: Record<string, unknown> = { touch_count: 2, touch_channels: ["Direct", "Email"] };
    const m = identifyTraits("m3", { userId: "u1" }, traits, at);
    traits.touch_count = 99;
    expect(m).toEqual({ type: "identify", messageId: "m3", userId: "u1", timestamp: "2024-05-01T12:30:00.000Z", traits: { touch_count: 2, touch_channels: ["Direct", "Email"] } });
  });

  test.each([
    { target: { userId: "u1", anonymousId: "a1" }, expected: { userId: "u1" } },
    { target: { anonymousId: "a1" }, expected: { anonymousId: "a1" } },
    { target: { userId: "", anonymousId: "a1" }, expected: { anonymousId: "a1" } },
  ])("the person is the userId when known, else the anonymousId: $target", ({ target, expected }) => {
    const m = identifyTraits("m", target, {}, at);
    expect({ userId: m.userId, anonymousId: m.anonymousId }).toEqual({ userId: undefined, anonymousId: undefined, ...expected });
  });

  test("a target without any id is a caller bug and fails at build time", () => {
    expect(() => visitorSourceIdentified("m", {}, touch, 1, true)).toThrow(/userId or an anonymousId/);
  });
});

describe("toSegmentCall (what the sender adds)", () => {
  const context = { name: "segment-attribution", version: "1.2.3" };

  test("a track gets the row id as messageId, the loop-guard integrations and context.segment_attribution", () => {
    const message = visitorSourceIdentified("ignored-by-sender", { userId: "u1" }, touch, 1, true);
    const call = toSegmentCall({ id: "row-1", message, attempts: 0 }, context);
    expect(call).toEqual({
      kind: "track",
      params: {
        userId: "u1",
        messageId: "row-1",
        timestamp: "2024-05-01T12:30:00.000Z",
        event: "Visitor Source Identified",
        properties: message.type === "track" ? message.properties : {},
        integrations: { Webhooks: false, "Webhooks (Actions)": false },
        context: { segment_attribution: { name: "segment-attribution", version: "1.2.3" } },
      },
    });
  });

  test("an identify gets the same guards and keeps its traits", () => {
    const call = toSegmentCall({ id: "row-2", message: identifyTraits("x", { anonymousId: "a1" }, { touch_count: 1 }, at), attempts: 2 }, context);
    if (call.kind !== "identify") throw new Error(`expected an identify call, got ${call.kind}`);
    expect(call.params).toMatchObject({
      anonymousId: "a1",
      messageId: "row-2",
      traits: { touch_count: 1 },
      integrations: LOOP_GUARD_INTEGRATIONS,
      context: { segment_attribution: context },
    });
  });

  test("each call gets its own context object, because analytics-node writes into it", () => {
    const row = { id: "r", message: identifyTraits("x", { userId: "u" }, {}, at), attempts: 0 };
    const a = toSegmentCall(row, context);
    const b = toSegmentCall(row, context);
    if (a.kind !== "identify" || b.kind !== "identify") throw new Error("expected identify calls");
    expect(a.params.context).not.toBe(b.params.context);
    expect(a.params.context?.segment_attribution).not.toBe(context);
  });

  test("a stored message without any id is reported invalid, not thrown", () => {
    const message: OutboundMessage = { type: "track", event: "E", properties: {}, messageId: "m", timestamp: "2024-01-01T00:00:00.000Z" };
    expect(toSegmentCall({ id: "r", message, attempts: 0 }, context)).toEqual({ kind: "invalid", error: "message has neither userId nor anonymousId" });
  });
});
