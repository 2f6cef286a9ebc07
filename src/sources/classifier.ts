/**
 * The classifier: source and medium by DESIGN.md's rules (UTMs, then click
 * ids, then an external referrer, else direct), then the channel (user rules,
 * AI Assistants, Google's default channel group). Everything it needs is
 * built once in createClassifier(); classify() parses each URL once, runs no
 * regex and does O(host labels) map lookups on bounded input (inputLimits.ts).
 *
 * Partial UTMs and click ids (README "Channels"), each with its `rule`:
 * - `utm`: UTMs with utm_source: source and medium from them (`(not set)` for
 *   a missing medium). With a Google Ads click id (gclid, gbraid, wbraid,
 *   gad_source) and a Google/YouTube utm_source whose medium is not paid
 *   (`pmax`, `organic`, none), the click id proves a paid click: medium `cpc`,
 *   rule `utm+click_id:<name>` (PostHog's "firefox google search" case; GA4's
 *   auto-tagging also overrides the manual medium).
 * - UTMs without utm_source and a click id: source (and medium, unless
 *   utm_medium is given) from the click id, rule `click_id:<name>`.
 * - UTMs without utm_source and an external referrer: source from the
 *   referrer (engine or network name, else its host), medium and campaign
 *   from the UTMs, rule `utm+referrer` (PostHog's and Plausible's youtube.com
 *   + utm_medium=cpc = Paid Video; GA4 would report `(not set)`).
 * - UTMs without utm_source, no click id, no referrer: source `(not set)` as
 *   GA4 reports it, rule `utm`.
 * - A Google click id from YouTube: youtube / cpc (Paid Video), rule
 *   `click_id:<name>:video`; from the Display Network's frames
 *   (googlesyndication.com, doubleclick.net): google / display (Display),
 *   rule `click_id:<name>:display`; otherwise google / cpc (Paid Search).
 * - msclkid or yclid with another engine's search referrer (DuckDuckGo,
 *   Ecosia...): the referrer decides (Organic Search, rule `referrer:search`),
 *   as Plausible and GA4 (which ignores both ids) do; the id is still recorded.
 * - UTMs with utm_source win over a click id for source/medium; the click id
 *   is still recorded in clickIdType.
 * - Internal, ignored and unparseable referrers give the same result as no
 *   referrer: `(direct)` / `(none)`, rule `direct`, kind `none`.
 * - The landing page's own host is compared without `www.`; a landing URL
 *   without a scheme (`shop.example/?utm_source=x`, `//shop.example/...`) or
 *   a bare path (`/landing?utm_source=x`) keeps its UTMs and click ids.
 */
import type { Classification, ClassifyInput } from "./types.js";
import { loadClassifierData } from "./dataFiles.js";
import { buildDomainSet, inDomainSet } from "./domainSet.js";
import { buildReferrerDatabase } from "./referrerDatabase.js";
import { campaignFromQuery, utmFromContext, type CampaignParams } from "./campaignParams.js";
import { classifyExternalReferrer } from "./classifyReferrer.js";
import { defaultChannel, DISPLAY_MEDIA, isPaidMedium } from "./channelGroups.js";
import { compileChannelRules, type ChannelRule } from "./channelRules.js";
import { createSpecEventClassifier } from "./specEvents.js";
import { queryOfPath, splitUrl, stripWww } from "./urlParts.js";
import { GOOGLE_DISPLAY_NETWORK_HOSTS, GOOGLE_VIDEO_NETWORK_HOSTS, type ClickIdSource } from "./clickIds.js";
import { bounded, MAX_REFERRER_LENGTH, MAX_URL_LENGTH } from "./inputLimits.js";
import type { ReferrerEntry } from "./referrerDatabase.js";

export interface ClassifierOptions {
  /** Our own domains (SITE_DOMAINS): referrers from them or their subdomains are internal. */
  siteDomains: string[];
  /** Added to the built-in payment/login hosts (IGNORED_REFERRERS). */
  ignoredReferrers: string[];
  /** User channel rules, evaluated before every default rule. */
  customRules?: ChannelRule[];
}

export interface Classifier {
  classify(input: ClassifyInput): Classification;
  /**
   * A track call of the email/push/deep-link specs that is a touchpoint of its
   * own (`Email Link Clicked`, `Push Notification Tapped`, `Deep Link Opened`);
   * null for every other event.
   */
  classifySpecEvent(event: string, properties: Record<string, unknown> | null): Classification | null;
}

const NO_PARAMS: CampaignParams = { utm: null, clickId: null };

const GOOGLE_VIDEO_NETWORK = buildDomainSet(GOOGLE_VIDEO_NETWORK_HOSTS);
const GOOGLE_DISPLAY_NETWORK = buildDomainSet(GOOGLE_DISPLAY_NETWORK_HOSTS);
/** utm_source values under which a Google Ads click id proves a paid click (see the header). */
const GOOGLE_ADS_SOURCES: ReadonlySet<string> = new Set([
  "google",
  "adwords",
  "google_ads",
  "google-ads",
  "googleads",
  "youtube",
  "youtube.com",
]);

/** Which Google network a Google Ads click came through, by its referrer host. */
function googleNetwork(referrerHost: string | null): "video" | "display" | null {
  if (referrerHost === null) return null;
  if (inDomainSet(GOOGLE_VIDEO_NETWORK, referrerHost)) return "video";
  if (inDomainSet(GOOGLE_DISPLAY_NETWORK, referrerHost)) return "display";
  return null;
}

/** msclkid/yclid from another engine's search results: the referrer decides (see the header). */
function otherEnginesSearch(click: ClickIdSource, entry: ReferrerEntry | undefined, host: string | null): boolean {
  if (entry?.medium !== "search" || host === null) return false;
  const name = entry.name ?? host;
  if (click.ads === "microsoft") return !(name === "bing" || name.includes("bing.") || name.includes("msn."));
  if (click.ads === "yandex") return !(name.startsWith("yandex") || name === "ya.ru");
  return false;
}

export function createClassifier(opts: ClassifierOptions): Classifier {
  const data = loadClassifierData();
  const db = buildReferrerDatabase(data);
  const siteDomains = buildDomainSet(opts.siteDomains);
  const ignored = buildDomainSet([...data.ignoredHosts, ...opts.ignoredReferrers]);
  const customRules = compileChannelRules(opts.customRules ?? []);

  const customRule = (source: string, medium: string, campaign: string | null, referrerHost: string | null) => {
    for (const rule of customRules) {
      if (rule.matches({ source, medium, campaign, referrerHost })) return rule;
    }
    return null;
  };
  const customChannel = (source: string, medium: string, campaign: string | null, referrerHost: string | null) =>
    customRule(source, medium, campaign, referrerHost)?.channel ?? null;

  const defaultChannelOf = (source: string, medium: string, campaign: string | null, referrerIsAi: boolean): string =>
    defaultChannel({
      source,
      medium,
      campaign,
      category: db.categoryOfSource(source),
      aiAssistant: referrerIsAi || db.isAiSource(source),
      paid: isPaidMedium(medium),
    });

  const classify = (input: ClassifyInput): Classification => {
    const url = bounded(input.url, MAX_URL_LENGTH);
    const landing = splitUrl(url);
    const ref = splitUrl(bounded(input.referrer, MAX_REFERRER_LENGTH));

    let referrerHost: string | null = null;
    if (ref !== null) {
      const host = stripWww(ref.host);
      const own = landing !== null && stripWww(landing.host) === host;
      if (!own && !inDomainSet(siteDomains, host) && !inDomainSet(ignored, host)) referrerHost = host;
    }
    const refEntry = referrerHost !== null && ref !== null ? db.lookup(referrerHost, ref.path) : undefined;
    const referrerIsAi = refEntry?.medium === "ai";

    const query = landing !== null ? landing.query : queryOfPath(url);
    const params = query !== "" ? campaignFromQuery(query) : NO_PARAMS;
    const utm = params.utm ?? utmFromContext(input.campaign);
    let click = params.clickId;
    if (click !== null && utm?.source == null && otherEnginesSearch(click, refEntry, referrerHost)) click = null;

    // Fields are gathered in locals and the result built as one literal: one
    // object shape for every call, no spreads (this is the hot path).
    let kind: Classification["kind"] = "none";
    let source = "(direct)";
    let medium = "(none)";
    // Campaign, term and content come from the UTMs whichever rule decides (a referrer alone
    // has no campaign; its search term replaces `term` below).
    const campaign = utm?.campaign ?? null;
    let term = utm?.term ?? null;
    const content = utm?.content ?? null;
    let rule = "direct";
    if (utm !== null && utm.source !== null) {
      kind = "campaign";
      source = utm.source;
      medium = utm.medium ?? "(not set)";
      rule = "utm";
      if (click?.ads === "google" && GOOGLE_ADS_SOURCES.has(source) && !isPaidMedium(medium) && !DISPLAY_MEDIA.has(medium)) {
        medium = click.medium;
        rule = `utm+click_id:${click.param}`;
      }
    } else if (click !== null) {
      kind = "campaign";
      source = click.source;
      medium = click.medium;
      rule = `click_id:${click.param}`;
      const network = click.ads === "google" ? googleNetwork(referrerHost) : null;
      if (network === "video") {
        source = "youtube";
        rule = `click_id:${click.param}:video`;
      } else if (network === "display") {
        medium = "display";
        rule = `click_id:${click.param}:display`;
      }
      // A Google Ads click stays paid whatever utm_medium says (pmax, organic...); other ids
      // take utm_medium as given (msclkid + utm_medium=display is Display).
      const utmMedium = utm?.medium ?? null;
      if (utmMedium !== null && (click.ads !== "google" || isPaidMedium(utmMedium) || DISPLAY_MEDIA.has(utmMedium))) {
        medium = utmMedium;
      }
    } else if (referrerHost !== null && ref !== null) {
      const r = classifyExternalReferrer(refEntry, referrerHost, ref.query);
      source = r.source;
      if (utm !== null) {
        kind = "campaign";
        medium = utm.medium ?? "(not set)";
        rule = "utm+referrer";
      } else {
        kind = "referrer";
        medium = r.medium;
        term = r.term;
        rule = r.rule;
      }
    } else if (utm !== null) {
      kind = "campaign";
      source = "(not set)";
      medium = utm.medium ?? "(not set)";
      rule = "utm";
    }
    // A user rule sets the channel and says so in `rule` (`utm+channel_rule:Partners`).
    const custom = customRules.length > 0 ? customRule(source, medium, campaign, referrerHost) : null;
    return {
      kind,
      source,
      medium,
      campaign,
      term,
      content,
      channel: custom !== null ? custom.channel : defaultChannelOf(source, medium, campaign, referrerIsAi),
      clickIdType: params.clickId?.param ?? null,
      rule: custom !== null ? `${rule}+channel_rule:${custom.name}` : rule,
    };
  };

  const classifySpecEvent = createSpecEventClassifier({
    classify,
    fixedChannel: (source, medium, campaign, fixed) => customChannel(source, medium, campaign, null) ?? fixed,
  });

  return { classify, classifySpecEvent };
}
