/**
 * Ad-platform click ids (DESIGN.md "Classification", rule 2).
 *
 * Order matters when a URL carries several: the first listed wins (paid ids
 * before the organic fbclid/igshid that Meta appends to every outbound link).
 * Names are matched case-insensitively and reported lower-cased
 * (`ScCid` → `sccid`), so `rule` is always `click_id:<lower-case name>`.
 */

export interface ClickIdSource {
  /** Lower-case query parameter name, also the touchpoint's `clickIdType`. */
  param: string;
  source: string;
  medium: string;
  /** Search-ad click ids: the ad platform, whose referrers decide the network (see classifier.ts). */
  ads?: "google" | "microsoft" | "yandex";
}

export const CLICK_IDS: readonly ClickIdSource[] = [
  // Google Ads auto-tagging: gclid (web), gbraid/wbraid (iOS app/web measurement), gad_source (any Google ad click).
  { param: "gclid", source: "google", medium: "cpc", ads: "google" },
  { param: "gbraid", source: "google", medium: "cpc", ads: "google" },
  { param: "wbraid", source: "google", medium: "cpc", ads: "google" },
  { param: "gad_source", source: "google", medium: "cpc", ads: "google" },
  { param: "msclkid", source: "bing", medium: "cpc", ads: "microsoft" },
  { param: "yclid", source: "yandex", medium: "cpc", ads: "yandex" },
  // Campaign Manager / Display & Video 360.
  { param: "dclid", source: "google", medium: "display" },
  { param: "ttclid", source: "tiktok", medium: "paid" },
  { param: "li_fat_id", source: "linkedin", medium: "paid" },
  // One naming for X/Twitter everywhere: "twitter" (it is what Google's source list knows).
  { param: "twclid", source: "twitter", medium: "paid" },
  { param: "sccid", source: "snapchat", medium: "paid" },
  { param: "epik", source: "pinterest", medium: "paid" },
  { param: "rdt_cid", source: "reddit", medium: "paid" },
  // Meta adds these to organic shares too: on their own they only say "came from Facebook/Instagram".
  { param: "fbclid", source: "facebook", medium: "social" },
  { param: "igshid", source: "instagram", medium: "social" },
];

/**
 * Referrer hosts of Google's ad networks, for a Google click id (gclid, gbraid, wbraid,
 * gad_source): YouTube serves Google's video ads (PostHog's "youtube sidebar/video ad" cases:
 * Paid Video); googlesyndication.com (safeframe, tpc, pagead2) and doubleclick.net frame the
 * Display Network's ads on publishers' pages (PostHog's "daily mail ad click").
 */
export const GOOGLE_VIDEO_NETWORK_HOSTS: readonly string[] = ["youtube.com", "youtu.be", "youtube-nocookie.com"];
export const GOOGLE_DISPLAY_NETWORK_HOSTS: readonly string[] = ["googlesyndication.com", "doubleclick.net"];

/** Parameter name → its rank in CLICK_IDS, built once for the query scan. */
export const CLICK_ID_RANK: ReadonlyMap<string, number> = new Map(CLICK_IDS.map((c, i) => [c.param, i]));
