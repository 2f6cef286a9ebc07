/**
 * Channel of a source/medium/campaign: our AI Assistants rule, then Google
 * Analytics 4's "[GA4] Default channel group" rules in Google's order
 * (support.google.com/analytics/answer/9756891). First match wins; the
 * catch-all is Unassigned. Inputs are lower-cased by the caller, which makes
 * every rule case-insensitive as Google's are.
 *
 * "Source matches a list of X sites" uses Google's source-category list
 * (data/ga4-source-categories.csv) extended by our referrer database: see
 * ReferrerDatabase.categoryOfSource.
 */
import type { Ga4Category } from "./dataFiles.js";

export interface ChannelInput {
  source: string;
  medium: string;
  campaign: string | null;
  /** Google's source category of `source`, if listed. */
  category: Ga4Category | null;
  /** The source or the external referrer host is an AI assistant. */
  aiAssistant: boolean;
  /** Medium matches Google's paid regex (see paidInput()); computed once per call. */
  paid: boolean;
}

interface ChannelGroupRule {
  channel: string;
  matches(input: ChannelInput): boolean;
}

// Google's regexes are written as string scans (linear in the input): run by a backtracking
// engine, `^(.*cp.*|...)$` takes quadratic time on `cpcp...cp\n` (issue 16: a 32 KB utm_medium
// blocked the event loop 682 ms). The scans give the regexes' exact answers, including their
// quirk that `.` does not match a line break (checked against the regexes by property tests).
/** GA4 Display rule: Medium is one of these. */
export const DISPLAY_MEDIA: ReadonlySet<string> = new Set(["display", "banner", "expandable", "interstitial", "cpm"]);
const SOCIAL_MEDIA: ReadonlySet<string> = new Set([
  "social",
  "social-network",
  "social-media",
  "sm",
  "social network",
  "social media",
]);
const EMAIL_VALUES: ReadonlySet<string> = new Set(["email", "e-mail", "e_mail", "e mail"]);
const REFERRAL_MEDIA: ReadonlySet<string> = new Set(["referral", "app", "link"]);

/** Google's paid-medium regex ^(.*cp.*|ppc|retargeting|paid.*)$. */
export function isPaidMedium(medium: string): boolean {
  if (lineBreakAt(medium, 0) >= 0) return false;
  return medium.includes("cp") || medium === "ppc" || medium === "retargeting" || medium.startsWith("paid");
}

/** Google's shopping-campaign regex ^(.*(([^a-df-z]|^)shop|shopping).*)$. */
export function isShoppingCampaign(campaign: string): boolean {
  const br = lineBreakAt(campaign, 0);
  if (br < 0) {
    if (campaign.includes("shopping") || campaign.startsWith("shop")) return true;
    for (let i = campaign.indexOf("shop", 1); i >= 0; i = campaign.indexOf("shop", i + 1)) {
      if (!isLowerExceptE(campaign.charCodeAt(i - 1))) return true;
    }
    return false;
  }
  // One line break can only be the [^a-df-z] character right before "shop"; `.` matches no other.
  return lineBreakAt(campaign, br + 1) < 0 && campaign.startsWith("shop", br + 1);
}

/** Google's video-medium regex ^(.*video.*)$. */
export function isVideoMedium(medium: string): boolean {
  return lineBreakAt(medium, 0) < 0 && medium.includes("video");
}

/** Index of the first character from `from` that JavaScript's `.` does not match, or -1. */
function lineBreakAt(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return i;
  }
  return -1;
}

/** a-d or f-z: the letters Google's `[^a-df-z]` excludes before "shop" (so "eshop" counts, "workshop" not). */
function isLowerExceptE(c: number): boolean {
  return c >= 97 && c <= 122 && c !== 101;
}

const shoppingCampaign = (i: ChannelInput): boolean => i.campaign !== null && isShoppingCampaign(i.campaign);

export const CHANNEL_GROUP_RULES: readonly ChannelGroupRule[] = [
  // Ours, before Google's: "the source or referrer host is an AI assistant, or the medium is
  // ai-assistant, and the medium is not paid" (DESIGN.md). GA4 would call these Referral.
  { channel: "AI Assistants", matches: (i) => (i.aiAssistant || i.medium === "ai-assistant") && !i.paid },
  // Direct: Source exactly matches "(direct)" AND Medium is one of ("(not set)", "(none)").
  { channel: "Direct", matches: (i) => i.source === "(direct)" && (i.medium === "(not set)" || i.medium === "(none)") },
  // Cross-network: Campaign Name contains "cross-network".
  { channel: "Cross-network", matches: (i) => i.campaign !== null && i.campaign.includes("cross-network") },
  // Paid Shopping: (Source matches a list of shopping sites OR Campaign Name matches regex
  // ^(.*(([^a-df-z]|^)shop|shopping).*)$) AND Medium matches regex ^(.*cp.*|ppc|retargeting|paid.*)$.
  {
    channel: "Paid Shopping",
    matches: (i) => (i.category === "shopping" || shoppingCampaign(i)) && i.paid,
  },
  // Paid Search: Source matches a list of search sites AND Medium matches the paid regex.
  { channel: "Paid Search", matches: (i) => i.category === "search" && i.paid },
  // Paid Social: Source matches a list of social sites AND Medium matches the paid regex.
  { channel: "Paid Social", matches: (i) => i.category === "social" && i.paid },
  // Paid Video: Source matches a list of video sites AND Medium matches the paid regex.
  { channel: "Paid Video", matches: (i) => i.category === "video" && i.paid },
  // Display: Medium is one of ("display", "banner", "expandable", "interstitial", "cpm").
  { channel: "Display", matches: (i) => DISPLAY_MEDIA.has(i.medium) },
  // Paid Other: Medium matches the paid regex (and no paid rule above matched).
  { channel: "Paid Other", matches: (i) => i.paid },
  // Organic Shopping: Source matches a list of shopping sites OR Campaign name matches the shopping regex.
  { channel: "Organic Shopping", matches: (i) => i.category === "shopping" || shoppingCampaign(i) },
  // Organic Social: Source matches a list of social sites OR Medium is one of ("social",
  // "social-network", "social-media", "sm", "social network", "social media").
  { channel: "Organic Social", matches: (i) => i.category === "social" || SOCIAL_MEDIA.has(i.medium) },
  // Organic Video: Source matches a list of video sites OR Medium matches regex ^(.*video.*)$.
  { channel: "Organic Video", matches: (i) => i.category === "video" || isVideoMedium(i.medium) },
  // Organic Search: Source matches a list of search sites OR Medium exactly matches "organic".
  { channel: "Organic Search", matches: (i) => i.category === "search" || i.medium === "organic" },
  // Referral: Medium is one of ("referral", "app", "link").
  { channel: "Referral", matches: (i) => REFERRAL_MEDIA.has(i.medium) },
  // Email: Source = email|e-mail|e_mail|e mail OR Medium = email|e-mail|e_mail|e mail.
  { channel: "Email", matches: (i) => EMAIL_VALUES.has(i.source) || EMAIL_VALUES.has(i.medium) },
  // Affiliates: Medium = "affiliate".
  { channel: "Affiliates", matches: (i) => i.medium === "affiliate" },
  // Audio: Medium exactly matches "audio".
  { channel: "Audio", matches: (i) => i.medium === "audio" },
  // SMS: Source exactly matches "sms" OR Medium exactly matches "sms".
  { channel: "SMS", matches: (i) => i.source === "sms" || i.medium === "sms" },
  // Mobile Push Notifications: Medium ends with "push" OR Medium contains "mobile" or
  // "notification" OR Source exactly matches "firebase".
  {
    channel: "Mobile Push Notifications",
    matches: (i) =>
      i.medium.endsWith("push") ||
      i.medium.includes("mobile") ||
      i.medium.includes("notification") ||
      i.source === "firebase",
  },
];

/** The first matching default rule's channel; "Unassigned" when none matches (Google's catch-all). */
export function defaultChannel(input: ChannelInput): string {
  for (const rule of CHANNEL_GROUP_RULES) {
    if (rule.matches(input)) return rule.channel;
  }
  return "Unassigned";
}
