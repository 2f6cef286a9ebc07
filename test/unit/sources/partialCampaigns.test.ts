/**
 * Issue 14 ("Traffic sources v2"): partial UTMs, Google click ids and their networks, gad_source,
 * landing URLs without a scheme, and the `rule` of each. Every row names where its rule comes from.
 */
import { describe, expect, test } from "vitest";
import { createClassifier, type Classification, type ClassifyInput } from "../../../src/sources/index.js";

const classifier = createClassifier({ siteDomains: ["example.com"], ignoredReferrers: [] });
const LANDING = "https://example.com/landing";

function visit(query: string, referrer: string | null = null): ClassifyInput {
  return { url: query === "" ? LANDING : `${LANDING}?${query}`, referrer, campaign: null };
}
function landing(url: string, referrer: string | null = null): ClassifyInput {
  return { url, referrer, campaign: null };
}
type Expected = Partial<Classification>;
function is(source: string, medium: string, channel: string, rule: string, extra: Expected = {}): Expected {
  return { source, medium, channel, rule, ...extra };
}
type Row = [string, ClassifyInput, Expected];

// 1. UTMs without utm_source: source from the referrer, medium and campaign from the UTMs.
const utmWithoutSource: Row[] = [
  // PostHog test_paid_video: $initial_referring_domain youtube.com + utm_medium=cpc → Paid Video.
  ["youtube.com + utm_medium=cpc", visit("utm_medium=cpc", "https://www.youtube.com/"), is("youtube.com", "cpc", "Paid Video", "utm+referrer", { kind: "campaign" })],
  // Plausible static test: referrer_source Youtube + utm_medium=paid → Paid Video.
  ["youtube.com + utm_medium=paid", visit("utm_medium=paid", "https://m.youtube.com/watch?v=1"), is("m.youtube.com", "paid", "Paid Video", "utm+referrer")],
  // Plausible: TikTok + utm_medium=paid → Paid Social.
  ["tiktok.com + utm_medium=paid", visit("utm_medium=paid", "https://www.tiktok.com/"), is("tiktok", "paid", "Paid Social", "utm+referrer")],
  // Plausible: DuckDuckGo + utm_medium=paid → Paid Search.
  ["duckduckgo.com + utm_medium=paid", visit("utm_medium=paid", "https://duckduckgo.com/"), is("duckduckgo", "paid", "Paid Search", "utm+referrer")],
  // Plausible: shopify.com + utm_medium=paid → Paid Shopping.
  ["shopify.com + utm_medium=paid", visit("utm_medium=paid", "https://shopify.com/"), is("shopify.com", "paid", "Paid Shopping", "utm+referrer")],
  // PostHog test_paid_shopping_domain: www.ebay.co.uk + utm_medium=ppc → Paid Shopping.
  ["ebay.co.uk + utm_medium=ppc", visit("utm_medium=ppc", "https://www.ebay.co.uk/itm/1"), is("ebay.co.uk", "ppc", "Paid Shopping", "utm+referrer")],
  // Issue 14: utm_campaign=video_content from youtube.com was Unassigned; the source makes it Organic Video.
  ["youtube.com + utm_campaign=video_content", visit("utm_campaign=video_content", "https://www.youtube.com/"), is("youtube.com", "(not set)", "Organic Video", "utm+referrer", { campaign: "video_content" })],
  // GA4 Organic Search (search source), the engine's name reported as for a plain search referral.
  ["google.com + utm_campaign only", visit("utm_campaign=spring", "https://www.google.com/"), is("google", "(not set)", "Organic Search", "utm+referrer", { campaign: "spring" })],
  // Plausible: referrer_source Google + utm_medium=display (+ an unknown click id) → Display.
  ["google.com + utm_medium=display", visit("utm_medium=display&xclid=1", "https://www.google.com/"), is("google", "display", "Display", "utm+referrer")],
  // GA4 Email: medium email, whatever the source.
  ["plain referrer + utm_medium=email", visit("utm_medium=email&utm_campaign=weekly", "https://news.site.org/"), is("news.site.org", "email", "Email", "utm+referrer", { campaign: "weekly" })],
  // GA4 Paid Other: paid medium on an unlisted source (the host).
  ["plain referrer + utm_medium=cpc", visit("utm_medium=cpc", "https://partner.net/"), is("partner.net", "cpc", "Paid Other", "utm+referrer")],
  // Ours: AI Assistants before GA4's rules when the medium is not paid.
  ["chatgpt.com + utm_campaign", visit("utm_campaign=x", "https://chatgpt.com/"), is("chatgpt.com", "(not set)", "AI Assistants", "utm+referrer")],
  // Plausible: utm_medium=cpc with nothing else → Paid Other (GA4's (not set) source).
  ["no referrer: (not set) source", visit("utm_medium=cpc"), is("(not set)", "cpc", "Paid Other", "utm")],
  // Internal referrers are not sources.
  ["internal referrer: (not set) source", visit("utm_medium=email", "https://example.com/home"), is("(not set)", "email", "Email", "utm")],
  // utm_term/utm_content alone still are not campaign parameters (DESIGN.md).
  ["utm_content alone stays a plain referral", visit("utm_content=x", "https://www.youtube.com/"), is("youtube.com", "referral", "Organic Video", "referrer:video", { kind: "referrer" })],
];

// 2. Google click ids and the network they came from.
const googleNetworks: Row[] = [
  // PostHog test_youtube_sidebar_ad / test_youtube_video_ad: gclid from youtube.com → Paid Video.
  ["gclid from youtube.com", visit("gclid=Cj0", "https://www.youtube.com/"), is("youtube", "cpc", "Paid Video", "click_id:gclid:video", { clickIdType: "gclid" })],
  ["gclid from m.youtube.com", visit("gclid=Cj0", "https://m.youtube.com/watch?v=1"), is("youtube", "cpc", "Paid Video", "click_id:gclid:video")],
  ["gbraid from youtu.be", visit("gbraid=0A", "https://youtu.be/x"), is("youtube", "cpc", "Paid Video", "click_id:gbraid:video")],
  // PostHog test_daily_mail_ad_click (safeframe frame): a Display Network click. PostHog says Paid
  // Other; we say Display, as GA4 does for Google Display Network campaigns (README "Channels").
  ["gclid from safeframe.googlesyndication.com", visit("gclid=EAIa", "https://2bb5cd7f10ba63d8b55ecfac1a3948db.safeframe.googlesyndication.com/"), is("google", "display", "Display", "click_id:gclid:display")],
  ["gclid from tpc.googlesyndication.com", visit("gclid=EAIa", "https://tpc.googlesyndication.com/"), is("google", "display", "Display", "click_id:gclid:display")],
  ["gad_source from googleads.g.doubleclick.net", visit("gad_source=2", "https://googleads.g.doubleclick.net/"), is("google", "display", "Display", "click_id:gad_source:display")],
  // PostHog test_chrome_google_search_for_shoes: gad_source + gclid, no referrer → Paid Search.
  ["gclid without referrer", visit("gad_source=1&gclid=Cj0"), is("google", "cpc", "Paid Search", "click_id:gclid")],
  // PostHog test_paid_search: www.google.co.uk + gclid → Paid Search.
  ["gclid from google.co.uk", visit("gclid=x", "https://www.google.co.uk/"), is("google", "cpc", "Paid Search", "click_id:gclid")],
  // GA4: auto-tagging wins over the referrer (google / cpc) on any other referrer.
  ["gclid from a plain referrer", visit("gclid=x", "https://news.site.org/"), is("google", "cpc", "Paid Search", "click_id:gclid")],
  // dclid is Campaign Manager / DV360: Display whatever the referrer.
  ["dclid from youtube.com stays Display", visit("dclid=x", "https://www.youtube.com/"), is("google", "display", "Display", "click_id:dclid")],
  // A network's frame without any click id: snowplow's `paid` medium (README: GA4 says Referral).
  ["safeframe without click id", visit("", "https://abc.safeframe.googlesyndication.com/"), is("abc.safeframe.googlesyndication.com", "paid", "Paid Other", "referrer:paid", { kind: "referrer" })],
  ["taboola referrer", visit("", "https://trc.taboola.com/x"), is("trc.taboola.com", "paid", "Paid Other", "referrer:paid")],
  // Plausible static tests: Bing + msclkid → Paid Search; DuckDuckGo + msclkid → Organic Search
  // (GA4 ignores msclkid, so the referrer decides there).
  ["msclkid from bing.com", visit("msclkid=x", "https://www.bing.com/"), is("bing", "cpc", "Paid Search", "click_id:msclkid")],
  ["msclkid from duckduckgo.com", visit("msclkid=x", "https://duckduckgo.com/"), is("duckduckgo", "organic", "Organic Search", "referrer:search", { clickIdType: "msclkid", kind: "referrer" })],
  ["msclkid without referrer (DESIGN.md rule 2)", visit("msclkid=x"), is("bing", "cpc", "Paid Search", "click_id:msclkid")],
  ["msclkid from a plain referrer", visit("msclkid=x", "https://news.site.org/"), is("bing", "cpc", "Paid Search", "click_id:msclkid")],
  ["yclid from google.com", visit("yclid=x", "https://www.google.com/"), is("google", "organic", "Organic Search", "referrer:search", { clickIdType: "yclid" })],
  ["yclid from yandex.ru", visit("yclid=x", "https://yandex.ru/"), is("yandex", "cpc", "Paid Search", "click_id:yclid")],
  // The UTM medium still overrides a non-Google id's medium (DESIGN.md); UTMs with source win.
  ["msclkid + utm_medium=display", visit("msclkid=x&utm_medium=display"), is("bing", "display", "Display", "click_id:msclkid")],
  ["msclkid from duckduckgo with full UTMs", visit("utm_source=bing&utm_medium=cpc&msclkid=x", "https://duckduckgo.com/"), is("bing", "cpc", "Paid Search", "utm", { clickIdType: "msclkid" })],
];

// 3. gad_source / gclid prove a paid Google click under Google UTMs with a non-paid medium.
const googleAdsProof: Row[] = [
  // PostHog test_firefox_google_search_for_shoes: gad_source=1 + utm_source=google&utm_medium=pmax → Paid Search.
  ["gad_source + google / pmax", visit("gad_source=1&size=uk-7&utm_campaign=PMax%20%2F%2F%20UK&utm_content=&utm_medium=pmax&utm_source=google&utm_term="), is("google", "cpc", "Paid Search", "utm+click_id:gad_source", { campaign: "pmax // uk", clickIdType: "gad_source" })],
  ["gclid + google / organic", visit("utm_source=google&utm_medium=organic&gclid=x"), is("google", "cpc", "Paid Search", "utm+click_id:gclid")],
  ["wbraid + adwords / (not set)", visit("utm_source=adwords&wbraid=x"), is("adwords", "cpc", "Paid Other", "utm+click_id:wbraid")],
  ["gclid + youtube / video", visit("utm_source=youtube&utm_medium=video&gclid=x"), is("youtube", "cpc", "Paid Video", "utm+click_id:gclid")],
  // A paid or display medium is kept as given.
  ["gclid + google / cpc stays utm", visit("utm_source=google&utm_medium=cpc&gclid=x"), is("google", "cpc", "Paid Search", "utm")],
  ["gad_source + google / display stays Display", visit("utm_source=google&utm_medium=display&gad_source=1"), is("google", "display", "Display", "utm")],
  // Another utm_source wins: the click id is only recorded (DESIGN.md).
  ["gclid + newsletter / email", visit("utm_source=newsletter&utm_medium=email&gclid=x"), is("newsletter", "email", "Email", "utm", { clickIdType: "gclid" })],
  // Without utm_source, a Google click id keeps cpc over a non-paid utm_medium.
  ["gad_source + utm_medium=pmax, no source", visit("gad_source=1&utm_medium=pmax&utm_campaign=brand"), is("google", "cpc", "Paid Search", "click_id:gad_source", { campaign: "brand" })],
  ["gclid + utm_medium=display, no source", visit("gclid=x&utm_medium=display"), is("google", "display", "Display", "click_id:gclid")],
];

// 6. Landing URLs without a scheme keep their UTMs and click ids.
const schemeless: Row[] = [
  ["host without scheme", landing("shop.example/?utm_source=x&utm_medium=email"), is("x", "email", "Email", "utm")],
  ["host with path, no scheme", landing("www.shop.example/sale?utm_source=news&utm_medium=email&utm_campaign=Spring"), is("news", "email", "Email", "utm", { campaign: "spring" })],
  ["host with port, no scheme", landing("shop.example:8080/?utm_source=x&utm_medium=cpc"), is("x", "cpc", "Paid Other", "utm")],
  ["protocol-relative", landing("//shop.example/landing?utm_source=facebook&utm_medium=paid"), is("facebook", "paid", "Paid Social", "utm")],
  ["protocol-relative with a click id", landing("//shop.example/?gclid=abc"), is("google", "cpc", "Paid Search", "click_id:gclid")],
  ["path only", landing("/landing?utm_source=x&utm_medium=email#top"), is("x", "email", "Email", "utm")],
  ["scheme-less own host is internal", landing("example.com/a", "https://example.com/b"), is("(direct)", "(none)", "Direct", "direct")],
  ["scheme-less referrer host", landing(LANDING, "www.google.com"), is("google", "organic", "Organic Search", "referrer:search")],
  ["protocol-relative referrer", landing(LANDING, "//t.co/abc"), is("twitter", "social", "Organic Social", "referrer:social")],
  // Still not URLs.
  ["javascript: is not a host", landing(LANDING, "javascript:alert(1)"), is("(direct)", "(none)", "Direct", "direct")],
  ["mailto: is not a host", landing("mailto:a@b.example?utm_source=x"), is("(direct)", "(none)", "Direct", "direct")],
  ["word without dot is not a host", landing("landing?utm_source=x"), is("(direct)", "(none)", "Direct", "direct")],
];

describe("traffic sources v2", () => {
  const groups: Array<[string, Row[]]> = [
    ["UTMs without utm_source", utmWithoutSource],
    ["Google click ids and their networks", googleNetworks],
    ["Google Ads click ids prove paid", googleAdsProof],
    ["landing URLs without a scheme", schemeless],
  ];
  for (const [group, rows] of groups) {
    describe(group, () => {
      test.each(rows)("%s", (_name, input, expected) => {
        expect(classifier.classify(input)).toMatchObject(expected);
      });
    });
  }
});
