import type { ConversionEvents } from "../../pipeline/conversionEvents.js";
import { MESSAGE_TYPES, type MessageType, type ValidMessage } from "../../ingest/validateMessage.js";
import { conversionFromTrack } from "../../pipeline/conversionFromTrack.js";
import type { BulkMessage } from "../../store/index.js";
import type { ConversionRow } from "../../store/types.js";
import { toDeviceCall } from "../../touchpoints/toDeviceCall.js";
import type { DeviceCall } from "../../touchpoints/types.js";
import type { Classifier } from "../../sources/index.js";

type Obj = Record<string, unknown>;

const KNOWN_TYPES: ReadonlySet<string> = new Set(MESSAGE_TYPES);

/**
 * Track events whose payload the derivation reads: conversions (revenue, currency) and the
 * email/push/deep-link spec events (touchpoints of their own, src/sources/specEvents.ts).
 * Every other track event only counts as activity, so its payload is never parsed.
 */
export interface DetailEvents {
  /** Exact event names the store is asked to send the detail of (conversions, the spec events as the spec spells them). */
  names: readonly string[];
  /** Whether the derivation reads this event's payload (the exact rule, for any spelling). */
  needs(event: string): boolean;
}

// The spec's own spelling; specEvents.ts matches them trimmed and lower-cased.
const SPEC_EVENT_NAMES = ["Email Link Clicked", "Push Notification Tapped", "Deep Link Opened"];
// Properties that make every spec handler return a touchpoint: a spec event of the classifier
// is recognised by it, whatever events src/sources adds later.
const PROBE: Obj = {
  link_url: "https://probe.invalid/?utm_source=probe",
  url: "https://probe.invalid/?utm_source=probe",
  referring_application: "https://probe.invalid/",
};

export function detailEvents(classifier: Classifier, conversionEvents: ConversionEvents): DetailEvents {
  const spec = new Set(SPEC_EVENT_NAMES.map((e) => e.toLowerCase()));
  const known = new Map<string, boolean>();
  return {
    names: [...new Set([...conversionEvents, ...SPEC_EVENT_NAMES])],
    needs(event: string): boolean {
      let v = known.get(event);
      if (v === undefined) {
        v = conversionEvents.has(event) || spec.has(event.trim().toLowerCase()) || classifier.classifySpecEvent(event, PROBE) !== null;
        known.set(event, v);
      }
      return v;
    },
  };
}

/** What derivation reads of one stored message: src/pipeline/storedMessage.ts's fromStored, from the detail instead of the payload. */
export interface MessageParts {
  type: MessageType;
  /** identify: the traits.email identity (src/identity/identityClaim.ts). */
  email: string | null;
  /** alias: previousId. */
  previousId: string | null;
  call: DeviceCall | null;
  conversion: ConversionRow | null;
}

/** A JSON value as stored; the common case (a string without escapes) without JSON.parse. */
function json(text: string | null): unknown {
  if (text === null) return undefined;
  if (text.charCodeAt(0) === 34 && text.indexOf("\\") < 0) return text.slice(1, -1);
  return JSON.parse(text);
}

/**
 * What derivation reads of one message, from the parts the store read of it, and `more` (what
 * RawReader.moreParts gives) once asked for. null for a row of an unknown type (fromStored skips
 * it too); "more" when derivation needs parts the store left out: the caller asks and calls again.
 */
export function messageParts(m: BulkMessage, more: readonly unknown[] | null, conversionEvents: ConversionEvents, detail: DetailEvents): MessageParts | "more" | null {
  // A Segment delete request is applied after the rebuild (applyDeleteRequests), not derived.
  if (!KNOWN_TYPES.has(m.type) || m.type === "delete") return null;
  const type = m.type as MessageType;
  switch (type) {
    case "page":
    case "screen": {
      const page = { url: json(m.pageUrl), referrer: json(m.pageReferrer) };
      if (more === null && m.more !== null) more = JSON.parse(m.more) as unknown[];
      const raw: Obj =
        more === null
          ? { context: { page, campaign: json(m.campaign) } }
          : { context: { page, campaign: json(m.campaign), referrer: { link: more[2] } }, properties: { url: more[0], referrer: more[1] } };
      const call = toDeviceCall(m.messageId, type, m.timestamp, raw)!;
      // properties.url / .referrer and context.referrer.link are read only when these are missing.
      if (more === null && (call.url === null || call.referrer === null)) return "more";
      return { type, email: null, previousId: null, call, conversion: null };
    }
    case "track": {
      const needs = m.event !== null && detail.needs(m.event);
      let raw: Obj = { event: m.event };
      if (needs) {
        if (m.more === null && more === null) return "more";
        const [properties, link] = m.more !== null ? (JSON.parse(m.more) as unknown[]) : [more![3], more![4]];
        const context =
          m.more !== null
            ? { page: { url: json(m.pageUrl), referrer: json(m.pageReferrer) }, campaign: json(m.campaign), referrer: { link } }
            : { page: { url: more![0], referrer: more![1] }, campaign: more![2], referrer: { link } };
        // toDeviceCall reads a track's event from the message; the column holds it as stored.
        raw = { event: m.event, context, properties };
      }
      const call = toDeviceCall(m.messageId, type, m.timestamp, raw);
      let conversion: ConversionRow | null = null;
      if (m.event !== null && conversionEvents.has(m.event)) {
        const message: ValidMessage = {
          messageId: m.messageId,
          type,
          anonymousId: m.anonymousId,
          userId: m.userId,
          event: m.event,
          previousId: null,
          timestamp: m.timestamp,
          raw,
          payload: "",
        };
        conversion = conversionFromTrack(message, 0, conversionEvents);
      }
      return { type, email: null, previousId: null, call, conversion };
    }
    case "identify":
      return { type, email: emailOf(json(m.value)), previousId: null, call: null, conversion: null };
    case "alias":
      return { type, email: null, previousId: previousIdOf(json(m.value)), call: null, conversion: null };
    default:
      return { type, email: null, previousId: null, call: null, conversion: null };
  }
}

/** As fromStored reads previousId. */
function previousIdOf(v: unknown): string | null {
  return (typeof v === "string" && v !== "") || typeof v === "number" ? String(v) : null;
}

/** src/identity/identityClaim.ts's reading of an identify's email trait (the store picked traits or context.traits). */
function emailOf(email: unknown): string | null {
  if (typeof email !== "string") return null;
  const e = email.trim().toLowerCase();
  return e.includes("@") ? e : null;
}
