/**
 * The classifier: source and medium by DESIGN.md's rules (UTMs, then click
 * ids, then an external referrer, else direct), then the channel (user rules,
 * AI Assistants, Google's default channel group). Everything it needs is
 * built once in createClassifier(); classify() parses each URL once, runs no
 * regex compilation and does O(host labels) map lookups.
 *
 * Choices where DESIGN.md is silent:
 * - UTMs without utm_source: with a click id, source (and medium, unless
 *   utm_medium is given) come from the click id and rule is `click_id:<name>`;
 *   without one, source is `(not set)` as GA4 reports it, rule `utm`.
 * - UTMs with utm_source win over a click id for source/medium; the click id
 *   is still recorded in clickIdType.
 * - Internal, ignored and unparseable referrers give the same result as no
 *   referrer: `(direct)` / `(none)`, rule `direct`, kind `none`.
 * - The landing page's own host is compared without `www.`.
 */
import type { Classification, ClassifyInput } from "./types.js";
import { loadClassifierData } from "./dataFiles.js";
import { buildDomainSet, inDomainSet } from "./domainSet.js";
import { buildReferrerDatabase } from "./referrerDatabase.js";
import { campaignFromQuery, utmFromContext, type CampaignParams } from "./campaignParams.js";
import { classifyExternalReferrer } from "./classifyReferrer.js";
import { defaultChannel, isPaidMedium } from "./channelGroups.js";
import { compileChannelRules, type ChannelRule } from "./channelRules.js";
import { createSpecEventClassifier } from "./specEvents.js";
import { splitUrl, stripWww } from "./urlParts.js";

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

export function createClassifier(opts: ClassifierOptions): Classifier {
  const data = loadClassifierData();
  const db = buildReferrerDatabase(data);
  const siteDomains = buildDomainSet(opts.siteDomains);
  const ignored = buildDomainSet([...data.ignoredHosts, ...opts.ignoredReferrers]);
  const customRules = compileChannelRules(opts.customRules ?? []);

  const customChannel = (source: string, medium: string, campaign: string | null, referrerHost: string | null) => {
    for (const rule of customRules) {
      if (rule.matches({ source, medium, campaign, referrerHost })) return rule.channel;
    }
    return null;
  };

  const channelOf = (
    source: string,
    medium: string,
    campaign: string | null,
    referrerHost: string | null,
    referrerIsAi: boolean,
  ): string =>
    customChannel(source, medium, campaign, referrerHost) ??
    defaultChannel({
      source,
      medium,
      campaign,
      category: db.categoryOfSource(source),
      aiAssistant: referrerIsAi || db.isAiSource(source),
      paid: isPaidMedium(medium),
    });

  const classify = (input: ClassifyInput): Classification => {
    const landing = splitUrl(input.url);
    const ref = splitUrl(input.referrer);

    let referrerHost: string | null = null;
    if (ref !== null) {
      const host = stripWww(ref.host);
      const own = landing !== null && stripWww(landing.host) === host;
      if (!own && !inDomainSet(siteDomains, host) && !inDomainSet(ignored, host)) referrerHost = host;
    }
    const refEntry = referrerHost !== null && ref !== null ? db.lookup(referrerHost, ref.path) : undefined;
    const referrerIsAi = refEntry?.medium === "ai";

    const params = landing !== null ? campaignFromQuery(landing.query) : NO_PARAMS;
    const utm = params.utm ?? utmFromContext(input.campaign);
    const click = params.clickId;

    // Fields are gathered in locals and the result built as one literal: one
    // object shape for every call, no spreads (this is the hot path).
    let kind: Classification["kind"] = "none";
    let source = "(direct)";
    let medium = "(none)";
    let campaign: string | null = null;
    let term: string | null = null;
    let content: string | null = null;
    let rule = "direct";
    if (utm !== null && (utm.source !== null || click === null)) {
      kind = "campaign";
      source = utm.source ?? "(not set)";
      medium = utm.medium ?? "(not set)";
      campaign = utm.campaign;
      term = utm.term;
      content = utm.content;
      rule = "utm";
    } else if (click !== null) {
      kind = "campaign";
      source = click.source;
      medium = utm?.medium ?? click.medium;
      campaign = utm?.campaign ?? null;
      term = utm?.term ?? null;
      content = utm?.content ?? null;
      rule = `click_id:${click.param}`;
    } else if (referrerHost !== null && ref !== null) {
      const r = classifyExternalReferrer(refEntry, referrerHost, ref.query);
      kind = "referrer";
      source = r.source;
      medium = r.medium;
      term = r.term;
      rule = r.rule;
    }
    return {
      kind,
      source,
      medium,
      campaign,
      term,
      content,
      channel: channelOf(source, medium, campaign, referrerHost, referrerIsAi),
      clickIdType: click?.param ?? null,
      rule,
    };
  };

  const classifySpecEvent = createSpecEventClassifier({
    classify,
    fixedChannel: (source, medium, campaign, fixed) => customChannel(source, medium, campaign, null) ?? fixed,
  });

  return { classify, classifySpecEvent };
}
