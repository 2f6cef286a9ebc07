/**
 * Classification rule 3 (DESIGN.md "Classification"): an external referrer,
 * first match of AI assistant, webmail, Google's video/shopping sites, search
 * engine, social network, ad network (snowplow's `paid`), else a plain referral.
 *
 * Naming choices:
 * - search, social and webmail providers are reported by their lower-cased
 *   provider name (`google`, `bing`, `duckduckgo`, `facebook`, `gmail`);
 *   X is reported as `twitter` whether the referrer is x.com, twitter.com or
 *   t.co (it is the name Google's source list and the twclid rule use);
 * - AI assistants, video and shopping sites and plain referrals are reported
 *   by the referrer host without `www.` (`chatgpt.com`, `m.youtube.com`).
 */
import { decodeQueryComponent, forEachQueryParam } from "./urlParts.js";
import type { ReferrerEntry } from "./referrerDatabase.js";

export interface ReferrerClassification {
  source: string;
  medium: string;
  /** Search term, when a search engine still sends it in the referrer URL. */
  term: string | null;
  rule: string;
}

/**
 * `entry` is the referrer database's match for the referrer (looked up once by
 * the caller, which also needs it for the AI Assistants channel rule); `host`
 * is the referrer's lower-case host without `www.`.
 */
export function classifyExternalReferrer(
  entry: ReferrerEntry | undefined,
  host: string,
  query: string,
): ReferrerClassification {
  switch (entry?.medium) {
    case "ai":
      return { source: host, medium: "referral", term: null, rule: "ai_assistant" };
    case "email":
      return { source: entry.name ?? host, medium: "email", term: null, rule: "referrer:email" };
    case "video":
      return { source: host, medium: "referral", term: null, rule: "referrer:video" };
    case "shopping":
      return { source: host, medium: "referral", term: null, rule: "referrer:shopping" };
    case "search":
      return { source: entry.name ?? host, medium: "organic", term: searchTerm(entry, query), rule: "referrer:search" };
    case "social":
      return { source: entry.name ?? host, medium: "social", term: null, rule: "referrer:social" };
    case "paid":
      // An ad network's frame or redirector (snowplow's `paid` section: googlesyndication.com,
      // doubleclick.net, taboola.com, criteo...) with no UTMs or click id: still a paid click.
      // GA4 reports these as `<host> / referral` (Referral); we say `<host> / paid` (Paid Other).
      return { source: host, medium: "paid", term: null, rule: "referrer:paid" };
    default:
      return { source: host, medium: "referral", term: null, rule: "referrer" };
  }
}

function searchTerm(entry: ReferrerEntry, query: string): string | null {
  const params = entry.params;
  if (params === null || query === "") return null;
  let term: string | null = null;
  forEachQueryParam(query, (key, raw) => {
    if (term === null && params.includes(key)) {
      const value = decodeQueryComponent(raw).trim().toLowerCase();
      if (value !== "") term = value;
    }
  });
  return term;
}
