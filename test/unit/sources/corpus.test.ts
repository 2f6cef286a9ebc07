/**
 * A sample of the channel-grouping test cases of other projects, on the cases where they agree
 * with GA4's published rules (support.google.com/analytics/answer/9756891), run through our
 * classifier as landing URL + referrer pairs:
 * - PostHog: posthog/hogql/database/schema/test/test_channel_type.py (TestChannelType, with its
 *   "wild clicks" recorded from real browsers);
 * - Plausible: test/plausible/ingestion/acquisition_test.exs (@static_tests; referrer_source
 *   names turned into the referrer URL of that source);
 * - dbt-ga4: unit_tests/test_macro_default_channel_grouping.py (source / medium / campaign).
 * Left out, because they disagree with GA4: PostHog's "Paid Other" for a gclid from a Display
 * Network frame (GA4 and we: Display), its "Other" for an unknown referring domain (GA4: Referral), Plausible's utm_source suffixes (`fb-ads`, `yt-ads`: GA4
 * does not read them), its "Microsoft Teams" as social, DuckDuckGo + gclid as organic (GA4's
 * auto-tagging makes it google / cpc), and dbt-ga4's alibaba with an empty medium as Paid Shopping.
 * PostHog's "Cross Network" is GA4's "Cross-network".
 */
import { describe, expect, test } from "vitest";
import { createClassifier } from "../../../src/sources/index.js";

const classifier = createClassifier({ siteDomains: ["shop.example"], ignoredReferrers: [] });
const SITE = "https://shop.example/";

type Case = [from: string, landingUrl: string, referrer: string | null, channel: string];

const utm = (q: string) => `${SITE}?${q}`;

const posthog: Case[] = [
  ["PostHog test_direct", SITE, null, "Direct"],
  ["PostHog test_cross_network", utm("utm_campaign=cross-network"), null, "Cross-network"],
  ["PostHog test_paid_shopping_domain", utm("utm_medium=ppc"), "https://www.ebay.co.uk/", "Paid Shopping"],
  ["PostHog test_paid_shopping_source", utm("utm_source=ebay&utm_medium=ppc"), null, "Paid Shopping"],
  ["PostHog test_paid_shopping_campaign", utm("utm_campaign=shopping&utm_medium=ppc"), null, "Paid Shopping"],
  ["PostHog test_paid_search", utm("gclid=some-gclid"), "https://www.google.co.uk/", "Paid Search"],
  ["PostHog test_paid_search_source", utm("utm_source=yahoo&utm_medium=ppc"), null, "Paid Search"],
  ["PostHog test_paid_video", utm("utm_medium=cpc"), "https://youtube.com/", "Paid Video"],
  ["PostHog test_paid_video_source", utm("utm_source=youtube.com&utm_medium=cpc"), null, "Paid Video"],
  ["PostHog test_organic_video", SITE, "https://youtube.com/", "Organic Video"],
  ["PostHog test_yahoo_search_for_shoes", utm("_x_ads_channel=bing&msclkid=98833ce81fa416f104e8599a17a48b7d&utm_source=bing&utm_medium=cpc&utm_campaign=Bing%E8%B4%AD%E7%89%A9_GB&utm_term=4585925565374752"), "https://uk.search.yahoo.com/", "Paid Search"],
  ["PostHog test_chrome_google_search_for_shoes", utm("gid=10011676&currency=GBP&gad_source=1&gclid=CjwKCAiA98WrBhAYEiwA2WvhOuiyZpOvzXUVBP0KNplo9EFUSYmm4"), null, "Paid Search"],
  ["PostHog test_firefox_google_search_for_shoes", utm("gad_source=1&size=uk-7&utm_campaign=PMax%20%2F%2F%20UK%20%2F%2F%20Lifestyle%20Shoes&utm_content=&utm_medium=pmax&utm_source=google&utm_term="), null, "Paid Search"],
  ["PostHog test_google_organic", SITE, "https://www.google.com/", "Organic Search"],
  ["PostHog test_youtube_organic", SITE, "https://www.youtube.com/", "Organic Video"],
  ["PostHog test_youtube_sidebar_ad", utm("gclid=CjwKCAiAmsurBhBvEiwA6e-WPNVcMzaGnrW8G2Wd4Ye-dB5GZMPxohf"), "https://www.youtube.com/", "Paid Video"],
  ["PostHog test_facebook_sidebar_ad", utm("utm_source=facebook&utm_medium=cpc&utm_campaign=120201466136570051&fbclid=IwAR30EpkagUJ3vLo7"), "https://l.facebook.com/", "Paid Social"],
  ["PostHog test_facebook_feed_ad", utm("utm_source=facebook&utm_medium=paid&utm_campaign=UK_EN_TOF_Purchase&fbclid=IwAR3KhttbYqH0"), "https://l.facebook.com/", "Paid Social"],
  ["PostHog test_facebook_feed_organic_link", utm("fbclid=IwAR1ZEOUVr76FRjZWnIio"), "https://l.facebook.com/", "Organic Social"],
  ["PostHog test_bing_ad_click (chrome)", utm("cm_mmc=sea&msclkid=f72b49e2bf2719cb4ee22c91ac4963a7&utm_source=bing&utm_medium=cpc&utm_campaign=BNG%3AMRP%3AEU"), "https://www.bing.com/", "Paid Search"],
  ["PostHog test_bing_ad_click (firefox)", utm("plaid=1&utm_source=bing&utm_medium=cpc&utm_campaign=8+-+Shopping+-+Clothing&utm_term=4581527532440033"), null, "Paid Shopping"],
  ["PostHog test_bing_organic_click", SITE, "https://www.bing.com/", "Organic Search"],
  ["PostHog test_duckduckgo_organic_click", `${SITE}women/shoes/cat/?cid=4172`, "https://duckduckgo.com/", "Organic Search"],
  ["PostHog test_duckduckgo_paid_click", utm("_x_ns_msclkid=0c97&msclkid=0c97748ea8581c0fa51611f9afccba18&utm_source=bing&utm_medium=cpc&utm_campaign=0725_WJJ_UK_KW"), "https://duckduckgo.com/", "Paid Search"],
  ["PostHog TestReferringDomainType search yahoo.co.jp", SITE, "https://yahoo.co.jp/", "Organic Search"],
  ["PostHog TestReferringDomainType shopping m.alibaba.com", SITE, "https://m.alibaba.com/", "Organic Shopping"],
  ["PostHog TestReferringDomainType shopping stripe.com", SITE, "https://stripe.com/", "Organic Shopping"],
  ["PostHog TestReferringDomainType social lnkd.in", SITE, "https://lnkd.in/", "Organic Social"],
  ["PostHog TestReferringDomainType social old.reddit.com", SITE, "https://old.reddit.com/", "Organic Social"],
];

const plausible: Case[] = [
  ["Plausible: nothing", SITE, null, "Direct"],
  ["Plausible: utm_campaign cross-network", utm("utm_campaign=cross-network"), null, "Cross-network"],
  ["Plausible: shopping campaign + paid", utm("utm_campaign=shopping&utm_medium=paid"), null, "Paid Shopping"],
  ["Plausible: shopify.com + paid", utm("utm_medium=paid"), "https://shopify.com/", "Paid Shopping"],
  ["Plausible: shopify / paid", utm("utm_source=shopify&utm_medium=paid"), "https://shopify.com/", "Paid Shopping"],
  ["Plausible: DuckDuckGo + paid", utm("utm_medium=paid"), "https://duckduckgo.com/", "Paid Search"],
  ["Plausible: Google + gclid", utm("gclid=x"), "https://www.google.com/", "Paid Search"],
  ["Plausible: Bing + msclkid", utm("msclkid=x"), "https://www.bing.com/", "Paid Search"],
  ["Plausible: DuckDuckGo + msclkid", utm("msclkid=x"), "https://duckduckgo.com/", "Organic Search"],
  ["Plausible: google / paid", utm("utm_source=google&utm_medium=paid"), "https://www.google.com/", "Paid Search"],
  ["Plausible: TikTok + paid", utm("utm_medium=paid"), "https://www.tiktok.com/", "Paid Social"],
  ["Plausible: tiktok / paid", utm("utm_source=tiktok&utm_medium=paid"), "https://www.tiktok.com/", "Paid Social"],
  ["Plausible: Youtube + paid", utm("utm_medium=paid"), "https://www.youtube.com/", "Paid Video"],
  ["Plausible: youtube / paid", utm("utm_source=youtube&utm_medium=paid"), "https://www.youtube.com/", "Paid Video"],
  ["Plausible: banner", utm("utm_medium=banner"), null, "Display"],
  ["Plausible: cpc", utm("utm_medium=cpc"), null, "Paid Other"],
  ["Plausible: walmart.com", SITE, "https://www.walmart.com/", "Organic Shopping"],
  ["Plausible: walmart source", utm("utm_source=walmart"), "https://www.walmart.com/", "Organic Shopping"],
  ["Plausible: utm_campaign shop", utm("utm_campaign=shop"), null, "Organic Shopping"],
  ["Plausible: Facebook", SITE, "https://www.facebook.com/", "Organic Social"],
  ["Plausible: twitter source from X", utm("utm_source=twitter"), "https://x.com/", "Organic Social"],
  ["Plausible: social medium", utm("utm_medium=social"), null, "Organic Social"],
  ["Plausible: Vimeo", SITE, "https://vimeo.com/1", "Organic Video"],
  ["Plausible: vimeo source", utm("utm_source=vimeo"), "https://vimeo.com/1", "Organic Video"],
  ["Plausible: video medium", utm("utm_medium=video"), null, "Organic Video"],
  ["Plausible: DuckDuckGo", SITE, "https://duckduckgo.com/", "Organic Search"],
  ["Plausible: duckduckgo source", utm("utm_source=duckduckgo"), "https://duckduckgo.com/", "Organic Search"],
  ["Plausible: referral medium", utm("utm_medium=referral"), null, "Referral"],
  ["Plausible: email source", utm("utm_source=email"), null, "Email"],
  ["Plausible: email medium", utm("utm_medium=email"), null, "Email"],
  ["Plausible: affiliate", utm("utm_medium=affiliate"), null, "Affiliates"],
  ["Plausible: audio", utm("utm_medium=audio"), null, "Audio"],
  ["Plausible: sms source", utm("utm_source=sms"), null, "SMS"],
  ["Plausible: sms medium", utm("utm_medium=sms"), null, "SMS"],
  ["Plausible: app-push", utm("utm_medium=app-push"), null, "Mobile Push Notifications"],
  ["Plausible: example-mobile", utm("utm_medium=example-mobile"), null, "Mobile Push Notifications"],
  ["Plausible: othersite.com", SITE, "https://othersite.com/", "Referral"],
  ["Plausible: Threads / threads", utm("utm_source=threads"), "https://www.threads.net/", "Organic Social"],
  ["Plausible: Instagram / ig", utm("utm_source=ig"), "https://www.instagram.com/", "Organic Social"],
  ["Plausible: Facebook / fb", utm("utm_source=fb"), "https://www.facebook.com/", "Organic Social"],
  ["Plausible: Reddit", SITE, "https://www.reddit.com/r/x", "Organic Social"],
  ["Plausible: Perplexity", SITE, "https://www.perplexity.ai/search", "AI Assistants"],
  ["Plausible: Wikipedia", SITE, "https://en.wikipedia.org/wiki/X", "Referral"],
  ["Plausible: Bing", SITE, "https://www.bing.com/", "Organic Search"],
  ["Plausible: Brave", SITE, "https://search.brave.com/search?q=x", "Organic Search"],
  ["Plausible: Yandex", SITE, "https://yandex.ru/", "Organic Search"],
  ["Plausible: Discord", SITE, "https://discord.com/channels/1", "Organic Social"],
  ["Plausible: Baidu", SITE, "https://www.baidu.com/", "Organic Search"],
  ["Plausible: Telegram", SITE, "https://t.me/x", "Organic Social"],
  ["Plausible: Sogou", SITE, "https://www.sogou.com/", "Organic Search"],
  ["Plausible: Linktree", SITE, "https://linktr.ee/x", "Referral"],
  ["Plausible: Hacker News", SITE, "https://news.ycombinator.com/", "Organic Social"],
  ["Plausible: Yahoo!", SITE, "https://search.yahoo.com/", "Organic Search"],
  ["Plausible: Gmail", SITE, "https://mail.google.com/", "Email"],
  ["Plausible: temu.com", SITE, "https://www.temu.com/", "Organic Shopping"],
  ["Plausible: Bluesky", SITE, "https://bsky.app/", "Organic Social"],
  ["Plausible: Mastodon", SITE, "https://mastodon.social/", "Organic Social"],
  ["Plausible: Google Gemini", SITE, "https://gemini.google.com/", "AI Assistants"],
  ["Plausible: ChatGPT", SITE, "https://chatgpt.com/", "AI Assistants"],
  ["Plausible: Claude", SITE, "https://claude.ai/", "AI Assistants"],
  ["Plausible: Phind", SITE, "https://www.phind.com/", "AI Assistants"],
  ["Plausible: DeepSeek", SITE, "https://chat.deepseek.com/", "AI Assistants"],
  ["Plausible: Microsoft Copilot", SITE, "https://copilot.microsoft.com/", "AI Assistants"],
  ["Plausible: Grok", SITE, "https://grok.com/", "AI Assistants"],
  ["Plausible: Slack", SITE, "https://app.slack.com/", "Organic Social"],
  ["Plausible: producthunt", SITE, "https://www.producthunt.com/", "Organic Social"],
  ["Plausible: GitHub", SITE, "https://github.com/", "Organic Social"],
  ["Plausible: steamcommunity.com", SITE, "https://steamcommunity.com/", "Organic Social"],
  ["Plausible: Vkontakte", SITE, "https://vk.com/", "Organic Social"],
  ["Plausible: Ecosia", SITE, "https://www.ecosia.org/", "Organic Search"],
  ["Plausible: Kagi", SITE, "https://kagi.com/search?q=x", "Organic Search"],
  ["Plausible: Google + display + click id", utm("utm_medium=display&123identifier=1"), "https://www.google.com/", "Display"],
];

const dbtGa4: Case[] = [
  ["dbt-ga4 Direct (none)", utm("utm_source=(direct)&utm_medium=(none)"), null, "Direct"],
  ["dbt-ga4 Direct (not set)", utm("utm_source=(direct)&utm_medium=(not set)"), null, "Direct"],
  ["dbt-ga4 Cross-network inside", utm("utm_source=some-source&utm_medium=some-medium&utm_campaign=some-cross-network-campaign"), null, "Cross-network"],
  ["dbt-ga4 Cross-network", utm("utm_source=some-source&utm_medium=some-medium&utm_campaign=cross-network"), null, "Cross-network"],
  ["dbt-ga4 Paid Shopping campaign", utm("utm_source=some-source&utm_medium=retargeting&utm_campaign=shopping"), null, "Paid Shopping"],
  ["dbt-ga4 Paid Search", utm("utm_source=google&utm_medium=ppc"), null, "Paid Search"],
  ["dbt-ga4 Paid Social", utm("utm_source=facebook&utm_medium=retargeting"), null, "Paid Social"],
  ["dbt-ga4 Paid Video", utm("utm_source=youtube.com&utm_medium=paid-something"), null, "Paid Video"],
  ["dbt-ga4 Display", utm("utm_source=youtube.com&utm_medium=display"), null, "Display"],
  ["dbt-ga4 Paid Other", utm("utm_source=some-source&utm_medium=cpc"), null, "Paid Other"],
  ["dbt-ga4 Organic Shopping source", utm("utm_source=Google+Shopping"), null, "Organic Shopping"],
  ["dbt-ga4 Organic Shopping campaign", utm("utm_source=some-source&utm_campaign=some-shopping-campaign"), null, "Organic Shopping"],
  ["dbt-ga4 Organic Social source", utm("utm_source=facebook"), null, "Organic Social"],
  ["dbt-ga4 Organic Social medium", utm("utm_source=some-source&utm_medium=social"), null, "Organic Social"],
  ["dbt-ga4 Organic Video source", utm("utm_source=youtube.com"), null, "Organic Video"],
  ["dbt-ga4 Organic Video medium", utm("utm_source=some-source&utm_medium=video"), null, "Organic Video"],
  ["dbt-ga4 Organic Search source", utm("utm_source=bing"), null, "Organic Search"],
  ["dbt-ga4 Organic Search medium", utm("utm_source=some-source&utm_medium=organic"), null, "Organic Search"],
  ["dbt-ga4 Referral", utm("utm_source=some-source&utm_medium=referral"), null, "Referral"],
  ["dbt-ga4 Email source", utm("utm_source=email"), null, "Email"],
  ["dbt-ga4 Email 'e mail' medium", utm("utm_medium=e+mail"), null, "Email"],
  ["dbt-ga4 Affiliates", utm("utm_source=some-source&utm_medium=affiliate"), null, "Affiliates"],
  ["dbt-ga4 Audio", utm("utm_source=some-source&utm_medium=audio"), null, "Audio"],
  ["dbt-ga4 SMS source", utm("utm_source=sms"), null, "SMS"],
  ["dbt-ga4 SMS medium", utm("utm_medium=sms"), null, "SMS"],
  ["dbt-ga4 Push suffix", utm("utm_source=some-source&utm_medium=something-push"), null, "Mobile Push Notifications"],
  ["dbt-ga4 Push mobile-notification", utm("utm_source=some-source&utm_medium=mobile-notification"), null, "Mobile Push Notifications"],
  ["dbt-ga4 Push firebase", utm("utm_source=firebase"), null, "Mobile Push Notifications"],
  ["dbt-ga4 Unassigned", utm("utm_source=some-source&utm_medium=some-medium&utm_campaign=some-campaign"), null, "Unassigned"],
];

describe("corpus of other projects' GA4-consistent channel cases", () => {
  const all = [...posthog, ...plausible, ...dbtGa4];

  test.each(all)("%s", (_from, url, referrer, channel) => {
    expect(classifier.classify({ url, referrer, campaign: null }).channel).toBe(channel);
  });

  test("the corpus holds cases of the three projects", () => {
    expect(posthog.length).toBeGreaterThanOrEqual(29);
    expect(plausible.length).toBeGreaterThanOrEqual(70);
    expect(dbtGa4.length).toBeGreaterThanOrEqual(29);
  });
});
