import { createHmac } from "node:crypto";

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

type Extra = Record<string, unknown>;

/** Segment spec messages as analytics.js sends them (https://segment.com/docs/connections/spec/). */
export function page(anonymousId: string, at: string, url: string, referrer = "", extra: Extra = {}) {
  return {
    type: "page",
    messageId: nextId("page"),
    anonymousId,
    timestamp: at,
    context: { page: { url, referrer, path: new URL(url).pathname }, ip: "203.0.113.77", userAgent: "Mozilla/5.0" },
    properties: { url, referrer },
    ...extra,
  };
}

export function identify(userId: string, anonymousId: string | null, at: string, traits: Extra = {}) {
  return { type: "identify", messageId: nextId("identify"), userId, ...(anonymousId ? { anonymousId } : {}), timestamp: at, traits };
}

export function track(ids: { userId?: string; anonymousId?: string }, event: string, at: string, properties: Extra = {}) {
  return { type: "track", messageId: nextId("track"), ...ids, event, timestamp: at, properties };
}

export function alias(userId: string, previousId: string, at: string) {
  return { type: "alias", messageId: nextId("alias"), userId, previousId, timestamp: at };
}

export function sign(secret: string, body: string): string {
  return createHmac("sha1", secret).update(body).digest("hex");
}
