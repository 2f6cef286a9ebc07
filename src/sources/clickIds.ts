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
}

export const CLICK_IDS: readonly ClickIdSource[] = [
  // Google Ads auto-tagging: gclid (web), gbraid/wbraid (iOS app/web measurement), gad_source (any Google ad click).
  { param: "gclid", source: "google", medium: "cpc" },
  { param: "gbraid", source: "google", medium: "cpc" },
  { param: "wbraid", source: "google", medium: "cpc" },
  { param: "gad_source", source: "google", medium: "cpc" },
  { param: "msclkid", source: "bing", medium: "cpc" },
  { param: "yclid", source: "yandex", medium: "cpc" },
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

/** Parameter name → its rank in CLICK_IDS, built once for the query scan. */
export const CLICK_ID_RANK: ReadonlyMap<string, number> = new Map(CLICK_IDS.map((c, i) => [c.param, i]));
