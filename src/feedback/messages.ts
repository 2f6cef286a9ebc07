import type { Touchpoint } from "../touchpoints/types.js";
import type { OutboundMessage } from "./types.js";

/**
 * Pure builders of the messages we send back to Segment (DESIGN.md, "Feedback to Segment").
 * The caller supplies the stable id (the outbox row id) so a retried send dedupes in Segment.
 */

export const VISITOR_SOURCE_IDENTIFIED = "Visitor Source Identified";
export const DEAL_STATUS_CHANGED = "Deal Status Changed";

export interface MessageTarget {
  userId?: string;
  anonymousId?: string;
}

export type TouchSummary = Pick<
  Touchpoint,
  "at" | "channel" | "source" | "medium" | "campaign" | "term" | "content" | "referrer" | "landingPage" | "clickIdType"
>;

export interface DealChange {
  dealId: string;
  status: string;
  previousStatus: string | null;
  amount: number | null;
  currency: string | null;
  firstTouchChannel: string | null;
  lastTouchChannel: string | null;
}

/**
 * The design says "userId when known, else the anonymousId": once a person is identified we
 * report on the userId only, so destinations keyed by userId see one profile.
 * A target with neither is a bug in the caller; failing here keeps an unsendable row out of the outbox.
 */
function envelope(id: string, target: MessageTarget, at: number) {
  const who = target.userId ? { userId: target.userId } : target.anonymousId ? { anonymousId: target.anonymousId } : null;
  if (who === null) throw new RangeError(`message ${id}: target needs a userId or an anonymousId`);
  return { messageId: id, ...who, timestamp: new Date(at).toISOString() };
}

export function visitorSourceIdentified(
  id: string,
  target: MessageTarget,
  touch: TouchSummary,
  touchNumber: number,
  isFirstTouch: boolean,
): OutboundMessage {
  return {
    ...envelope(id, target, touch.at),
    type: "track",
    event: VISITOR_SOURCE_IDENTIFIED,
    properties: {
      channel: touch.channel,
      source: touch.source,
      medium: touch.medium,
      campaign: touch.campaign,
      term: touch.term,
      content: touch.content,
      referrer: touch.referrer,
      landing_page: touch.landingPage,
      click_id_type: touch.clickIdType,
      touch_number: touchNumber,
      is_first_touch: isFirstTouch,
    },
  };
}

export function identifyTraits(id: string, target: MessageTarget, traits: Record<string, unknown>, at: number): OutboundMessage {
  return { ...envelope(id, target, at), type: "identify", traits: { ...traits } };
}

export function dealStatusChanged(id: string, target: MessageTarget, deal: DealChange, at: number): OutboundMessage {
  return {
    ...envelope(id, target, at),
    type: "track",
    event: DEAL_STATUS_CHANGED,
    properties: {
      deal_id: deal.dealId,
      status: deal.status,
      previous_status: deal.previousStatus,
      amount: deal.amount,
      currency: deal.currency,
      first_touch_channel: deal.firstTouchChannel,
      last_touch_channel: deal.lastTouchChannel,
    },
  };
}

/**
 * The traits to send, or null when nothing changed since `previous` (the set last queued).
 *
 * When anything changed we return the FULL set, not only the changed keys: identify merges in
 * Segment anyway, and a full set lets a destination that missed an earlier identify catch up.
 * A key that disappeared is sent as null, because a merge would otherwise keep its stale value.
 * `undefined` counts as absent (JSON drops it).
 */
export function changedTraits(
  previous: Record<string, unknown> | null,
  next: Record<string, unknown>,
): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) if (value !== undefined) out[key] = value;
  for (const [key, value] of Object.entries(previous ?? {})) {
    if (value !== undefined && !(key in out)) out[key] = null;
  }
  const before = previous ?? {};
  const changed = Object.keys(out).some((key) => !sameValue(before[key] ?? null, out[key] ?? null));
  return changed ? out : null;
}

/** Structural equality over JSON-like values (arrays by element, plain objects by key, Dates by time). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}
