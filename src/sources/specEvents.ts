/**
 * Track calls of Segment's email and mobile specs that are touchpoints of
 * their own (DESIGN.md "Touchpoint"). Every other track event, `Email Opened`
 * included, is not a touchpoint (sessionization still counts it as activity).
 *
 * - `Email Link Clicked`: if `link_url` carries UTMs or a click id, classified
 *   by them (the page call that follows carries the same ones, so the visit
 *   sees one touch); else source = `email_provider` (e.g. `mailchimp`) or
 *   `email`, medium `email`, campaign = `campaign_name` or `campaign_id`,
 *   channel Email. Rule `email_event`.
 * - `Push Notification Tapped`: source = `campaign.source` / `campaign_source`
 *   or `push`, medium `push`, campaign = `campaign.name` / `campaign_name` /
 *   `campaign_id`, content = `campaign.content`; channel Mobile Push
 *   Notifications. Rule `push_event`.
 * - `Deep Link Opened`: `url` classified as a landing page and
 *   `referring_application` as its referrer (a bare app id such as
 *   `com.google.android.gm` is read as `android-app://com.google.android.gm`);
 *   a touchpoint only when that finds a campaign or an external referrer.
 *   Rule `deep_link`.
 * Email and push channels are fixed (a campaign named "Shopping week" must not
 * turn an email click into Organic Shopping), but user channel rules still win.
 */
import type { Classification, ClassifyInput } from "./types.js";
import { MAX_CAMPAIGN_FIELD_LENGTH } from "./inputLimits.js";

type Properties = Record<string, unknown>;

export interface SpecEventDeps {
  classify(input: ClassifyInput): Classification;
  /** Channel from user rules if one matches, else `fixed`. */
  fixedChannel(source: string, medium: string, campaign: string | null, fixed: string): string;
}

export type SpecEventClassifier = (event: string, properties: Properties | null) => Classification | null;

export function createSpecEventClassifier(deps: SpecEventDeps): SpecEventClassifier {
  const handlers: ReadonlyMap<string, (p: Properties) => Classification | null> = new Map([
    ["email link clicked", (p: Properties) => emailLinkClicked(p, deps)],
    ["push notification tapped", (p: Properties) => pushNotificationTapped(p, deps)],
    ["deep link opened", (p: Properties) => deepLinkOpened(p, deps)],
  ]);
  return (event, properties) => handlers.get(event.trim().toLowerCase())?.(properties ?? {}) ?? null;
}

function emailLinkClicked(p: Properties, deps: SpecEventDeps): Classification {
  const linkUrl = text(p["link_url"]);
  if (linkUrl !== null) {
    const byLink = deps.classify({ url: linkUrl, referrer: null, campaign: null });
    if (byLink.kind === "campaign") return { ...byLink, rule: "email_event" };
  }
  const source = lower(p["email_provider"]) ?? "email";
  const campaign = lower(p["campaign_name"]) ?? lower(p["campaign_id"]);
  return {
    kind: "campaign",
    source,
    medium: "email",
    campaign,
    term: null,
    content: null,
    channel: deps.fixedChannel(source, "email", campaign, "Email"),
    clickIdType: null,
    rule: "email_event",
  };
}

function pushNotificationTapped(p: Properties, deps: SpecEventDeps): Classification {
  const nested = p["campaign"];
  const c: Properties = typeof nested === "object" && nested !== null ? (nested as Properties) : {};
  const source = lower(c["source"]) ?? lower(p["campaign_source"]) ?? "push";
  const campaign = lower(c["name"]) ?? lower(p["campaign_name"]) ?? lower(p["campaign_id"]);
  return {
    kind: "campaign",
    source,
    medium: "push",
    campaign,
    term: null,
    content: lower(c["content"]) ?? lower(p["campaign_content"]),
    channel: deps.fixedChannel(source, "push", campaign, "Mobile Push Notifications"),
    clickIdType: null,
    rule: "push_event",
  };
}

function deepLinkOpened(p: Properties, deps: SpecEventDeps): Classification | null {
  const app = text(p["referring_application"]);
  const referrer = app === null || app.includes("://") ? app : `android-app://${app}`;
  const result = deps.classify({ url: text(p["url"]), referrer, campaign: null });
  return result.kind === "none" ? null : { ...result, rule: "deep_link" };
}

function text(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** A campaign field: lower-cased and bounded like the UTMs (inputLimits.ts). */
function lower(value: unknown): string | null {
  const t = text(value);
  if (t === null) return null;
  return (t.length > MAX_CAMPAIGN_FIELD_LENGTH ? t.slice(0, MAX_CAMPAIGN_FIELD_LENGTH).trimEnd() : t).toLowerCase();
}
