/**
 * Sessionization (DESIGN.md "Touchpoint"): turns one device's calls into
 * touchpoints. Pure: `stepVisit` is one step of a fold, so the shell can keep
 * a device's VisitState and feed new calls incrementally; `sessionize` is the
 * same fold from scratch.
 *
 * A page/screen call starts a touchpoint when
 *   1. it carries campaign parameters or a click id, or
 *   2. it has an external referrer,
 *   unless, inside the visit, it repeats the visit's source/medium/campaign
 *   (a reload of a tagged URL) or, for a referrer, the visit's source (a
 *   single-page app resends its landing document.referrer with every virtual
 *   page view: after a google/cpc landing, `google.com` again is not a new
 *   google/organic touch);
 *   3. else, when it starts a visit (device's first call, or more than
 *      sessionTimeoutMs after the device's previous call: exactly the timeout
 *      is the same visit), it is `(direct)` / `(none)` with rule `direct`
 *      (first call) or `session_timeout`.
 * Track calls all count as activity; `Email Link Clicked`, `Push Notification
 * Tapped` and `Deep Link Opened` are touchpoints too (Classifier.classifySpecEvent),
 * unless they repeat the visit's source/medium/campaign. A visit started by any
 * other track call (an app's `Application Opened` before its first screen) has
 * no touchpoint yet: its first page/screen call makes the Direct one (rule
 * `direct`).
 *
 * VisitState keeps only the persisted fields; `source === null` means "this
 * visit has no touchpoint yet" (every touchpoint has a non-empty source).
 */
import type { Classification } from "../sources/types.js";
import type { Classifier } from "../sources/index.js";
import type { DeviceCall, Touchpoint, VisitState } from "./types.js";

export interface SessionizeOptions {
  classifier: Classifier;
  sessionTimeoutMs: number;
}

export interface VisitStep {
  state: VisitState;
  touchpoint: Touchpoint | null;
}

/** The one ordering of calls: time, then messageId (plain code-unit order, locale-independent). */
export function compareCalls(a: { at: number; messageId: string }, b: { at: number; messageId: string }): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.messageId === b.messageId) return 0;
  return a.messageId < b.messageId ? -1 : 1;
}

/** What the current visit knows when a call arrives. */
interface Visit {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  /** How a page/screen call without campaign or external referrer is classified: null = not a touchpoint. */
  directRule: "direct" | "session_timeout" | null;
}

export function stepVisit(
  state: VisitState | null,
  call: DeviceCall,
  deviceId: string,
  opts: SessionizeOptions,
): VisitStep {
  const newVisit = state === null || call.at - state.lastAt > opts.sessionTimeoutMs;
  const visit: Visit = newVisit
    ? { source: null, medium: null, campaign: null, directRule: state === null ? "direct" : "session_timeout" }
    : {
        source: state.source,
        medium: state.medium,
        campaign: state.campaign,
        directRule: state.source === null ? "direct" : null,
      };
  // Calls normally come in order; a late one must not move the visit's clock back.
  const isLatest = state === null || compareCalls(call, { at: state.lastAt, messageId: state.lastMessageId }) >= 0;
  const lastAt = isLatest || state === null ? call.at : state.lastAt;
  const lastMessageId = isLatest || state === null ? call.messageId : state.lastMessageId;

  const touch = call.type === "track" ? trackTouch(call, visit, opts) : pageTouch(call, visit, opts);
  const next: VisitState = {
    lastAt,
    lastMessageId,
    source: touch?.source ?? visit.source,
    medium: touch?.medium ?? visit.medium,
    campaign: touch === null ? visit.campaign : touch.campaign,
  };
  if (touch === null) return { state: next, touchpoint: null };

  const touchpoint: Touchpoint = {
    messageId: call.messageId,
    deviceId,
    at: call.at,
    channel: touch.channel,
    source: touch.source,
    medium: touch.medium,
    campaign: touch.campaign,
    term: touch.term,
    content: touch.content,
    referrer: call.referrer ?? (call.type === "track" ? prop(call, "referring_application") : null),
    landingPage: call.url ?? (call.type === "track" ? (prop(call, "link_url") ?? prop(call, "url")) : null),
    clickIdType: touch.clickIdType,
    rule: touch.rule,
  };
  return { state: next, touchpoint };
}

/** Touchpoints of one device; the calls are sorted with compareCalls first, then folded with stepVisit. */
export function sessionize(calls: DeviceCall[], deviceId: string, opts: SessionizeOptions): Touchpoint[] {
  const sorted = [...calls].sort(compareCalls);
  const touchpoints: Touchpoint[] = [];
  let state: VisitState | null = null;
  for (const call of sorted) {
    const step = stepVisit(state, call, deviceId, opts);
    state = step.state;
    if (step.touchpoint !== null) touchpoints.push(step.touchpoint);
  }
  return touchpoints;
}

function pageTouch(call: DeviceCall, visit: Visit, opts: SessionizeOptions): Classification | null {
  const c = opts.classifier.classify({ url: call.url, referrer: call.referrer, campaign: call.campaign });
  if (c.kind === "campaign") return repeatsVisit(visit, c) ? null : c;
  if (c.kind === "referrer") return visit.source === c.source ? null : c;
  return visit.directRule === null ? null : { ...c, rule: visit.directRule };
}

function trackTouch(call: DeviceCall, visit: Visit, opts: SessionizeOptions): Classification | null {
  if (call.event === null) return null;
  const c = opts.classifier.classifySpecEvent(call.event, call.properties);
  return c === null || repeatsVisit(visit, c) ? null : c;
}

/** Within a visit, the same source/medium/campaign again is the same touch (a reload, a second click). */
function repeatsVisit(visit: Visit, c: Classification): boolean {
  return visit.source === c.source && visit.medium === c.medium && visit.campaign === c.campaign;
}

function prop(call: DeviceCall, key: string): string | null {
  const value = call.properties?.[key];
  return typeof value === "string" && value.trim() !== "" ? value : null;
}
