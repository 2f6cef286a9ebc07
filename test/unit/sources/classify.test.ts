import { describe, expect, test } from "vitest";
import { createClassifier, type Classification, type ClassifyInput } from "../../../src/sources/index.js";

const classifier = createClassifier({
  siteDomains: ["example.com", "shop-example.io"],
  ignoredReferrers: ["sso.partner-login.com"],
});

const LANDING = "https://example.com/landing";

/** A landing page on our site with the given query string (without `?`) and referrer. */
function page(query: string, referrer: string | null = null): ClassifyInput {
  return { url: query === "" ? LANDING : `${LANDING}?${query}`, referrer, campaign: null };
}
/** A plain landing page reached from `referrer`. */
function from(referrer: string): ClassifyInput {
  return { url: LANDING, referrer, campaign: null };
}

type Expected = Partial<Classification>;
/** Expected source/medium/channel/rule; `kind` follows from the rule family. */
function is(source: string, medium: string, channel: string, rule: string, extra: Expected = {}): Expected {
  const kind = rule.startsWith("utm") || rule.startsWith("click_id:") ? "campaign" : rule === "direct" ? "none" : "referrer";
  return { kind, source, medium, channel, rule, ...extra };
}
const DIRECT = is("(direct)", "(none)", "Direct", "direct", { campaign: null, clickIdType: null });

type Row = [string, ClassifyInput, Expected];

const ga4Rules: Row[] = [
  ["Direct: (direct) / (none) in UTMs", page("utm_source=(direct)&utm_medium=(none)"), is("(direct)", "(none)", "Direct", "utm")],
  ["Direct: (direct) / (not set)", page("utm_source=(direct)"), is("(direct)", "(not set)", "Direct", "utm")],
  ["Direct: nothing at all", page(""), DIRECT],
  ["Cross-network beats Paid Search", page("utm_source=google&utm_medium=cpc&utm_campaign=pmax_cross-network"), is("google", "cpc", "Cross-network", "utm")],
  ["Cross-network with any medium", page("utm_source=x&utm_medium=email&utm_campaign=cross-network"), is("x", "email", "Cross-network", "utm")],
  ["Paid Shopping: shopping source", page("utm_source=amazon&utm_medium=cpc"), is("amazon", "cpc", "Paid Shopping", "utm")],
  ["Paid Shopping: shopping campaign beats Paid Social", page("utm_source=facebook&utm_medium=paid&utm_campaign=summer-shop"), is("facebook", "paid", "Paid Shopping", "utm")],
  ["Paid Shopping: 'shopping' anywhere in campaign", page("utm_source=newsletter&utm_medium=ppc&utm_campaign=xmasshopping"), is("newsletter", "ppc", "Paid Shopping", "utm")],
  ["Paid Shopping: Google's regex lets 'eshop' through", page("utm_source=x&utm_medium=cpc&utm_campaign=eshop"), is("x", "cpc", "Paid Shopping", "utm")],
  ["Paid Shopping: retargeting medium", page("utm_source=ebay&utm_medium=retargeting"), is("ebay", "retargeting", "Paid Shopping", "utm")],
  ["not shopping: 'workshop' (k before shop)", page("utm_source=facebook&utm_medium=paid&utm_campaign=workshop"), is("facebook", "paid", "Paid Social", "utm")],
  ["Paid Search: google / cpc", page("utm_source=google&utm_medium=cpc"), is("google", "cpc", "Paid Search", "utm")],
  ["Paid Search: bing / ppc", page("utm_source=bing&utm_medium=ppc"), is("bing", "ppc", "Paid Search", "utm")],
  ["Paid Search: paid_search medium", page("utm_source=duckduckgo&utm_medium=paid_search"), is("duckduckgo", "paid_search", "Paid Search", "utm")],
  ["Paid Search: cpm on a search source", page("utm_source=yahoo&utm_medium=cpm"), is("yahoo", "cpm", "Paid Search", "utm")],
  ["Paid Search: dotted search source", page("utm_source=google.co.uk&utm_medium=cpc"), is("google.co.uk", "cpc", "Paid Search", "utm")],
  ["Paid Social: facebook / cpc", page("utm_source=facebook&utm_medium=cpc"), is("facebook", "cpc", "Paid Social", "utm")],
  ["Paid Social: linkedin / paid_social", page("utm_source=linkedin&utm_medium=paid_social"), is("linkedin", "paid_social", "Paid Social", "utm")],
  ["Paid Social: ig short name", page("utm_source=ig&utm_medium=paid"), is("ig", "paid", "Paid Social", "utm")],
  ["Paid Social: overlay name threads", page("utm_source=threads&utm_medium=cpc"), is("threads", "cpc", "Paid Social", "utm")],
  ["Paid Video: youtube / cpv", page("utm_source=youtube&utm_medium=cpv"), is("youtube", "cpv", "Paid Video", "utm")],
  ["Paid Video: vimeo / paid", page("utm_source=vimeo&utm_medium=paid"), is("vimeo", "paid", "Paid Video", "utm")],
  ["Display: display", page("utm_source=criteo&utm_medium=display"), is("criteo", "display", "Display", "utm")],
  ["Display: banner", page("utm_source=adroll&utm_medium=banner"), is("adroll", "banner", "Display", "utm")],
  ["Display: expandable", page("utm_source=dv360&utm_medium=expandable"), is("dv360", "expandable", "Display", "utm")],
  ["Display: interstitial", page("utm_source=dv360&utm_medium=interstitial"), is("dv360", "interstitial", "Display", "utm")],
  ["Display: cpm beats Paid Other", page("utm_source=dv360&utm_medium=cpm"), is("dv360", "cpm", "Display", "utm")],
  ["Paid Other: cpc on an unknown source", page("utm_source=partner&utm_medium=cpc"), is("partner", "cpc", "Paid Other", "utm")],
  ["Paid Other: paid", page("utm_source=partner&utm_medium=paid"), is("partner", "paid", "Paid Other", "utm")],
  ["Paid Other: retargeting", page("utm_source=partner&utm_medium=retargeting"), is("partner", "retargeting", "Paid Other", "utm")],
  ["Organic Shopping: shopping source beats Referral", page("utm_source=etsy&utm_medium=referral"), is("etsy", "referral", "Organic Shopping", "utm")],
  ["Organic Shopping: shopping campaign beats Affiliates", page("utm_source=partner&utm_medium=affiliate&utm_campaign=shopping-days"), is("partner", "affiliate", "Organic Shopping", "utm")],
  ["Organic Social: social source", page("utm_source=facebook&utm_medium=post"), is("facebook", "post", "Organic Social", "utm")],
  ["Organic Social: social medium", page("utm_source=forum-x&utm_medium=social"), is("forum-x", "social", "Organic Social", "utm")],
  ["Organic Social: social-network medium", page("utm_source=forum-x&utm_medium=social-network"), is("forum-x", "social-network", "Organic Social", "utm")],
  ["Organic Social: sm medium", page("utm_source=forum-x&utm_medium=sm"), is("forum-x", "sm", "Organic Social", "utm")],
  ["Organic Social: 'social media' medium", page("utm_source=forum-x&utm_medium=social+media"), is("forum-x", "social media", "Organic Social", "utm")],
  ["Organic Video: video source", page("utm_source=youtube&utm_medium=description"), is("youtube", "description", "Organic Video", "utm")],
  ["Organic Video: video medium", page("utm_source=webinar-tool&utm_medium=video_embed"), is("webinar-tool", "video_embed", "Organic Video", "utm")],
  ["Organic Search: organic medium", page("utm_source=someengine&utm_medium=organic"), is("someengine", "organic", "Organic Search", "utm")],
  ["Organic Search: search source", page("utm_source=bing&utm_medium=listing"), is("bing", "listing", "Organic Search", "utm")],
  ["Organic Search: google / organic", page("utm_source=google&utm_medium=organic"), is("google", "organic", "Organic Search", "utm")],
  ["Referral: referral", page("utm_source=partner-blog&utm_medium=referral"), is("partner-blog", "referral", "Referral", "utm")],
  ["Referral: app", page("utm_source=partner-app&utm_medium=app"), is("partner-app", "app", "Referral", "utm")],
  ["Referral: link", page("utm_source=partner&utm_medium=link"), is("partner", "link", "Referral", "utm")],
  ["Email: email medium", page("utm_source=newsletter&utm_medium=email"), is("newsletter", "email", "Email", "utm")],
  ["Email: e-mail medium", page("utm_source=newsletter&utm_medium=e-mail"), is("newsletter", "e-mail", "Email", "utm")],
  ["Email: e_mail medium", page("utm_source=newsletter&utm_medium=e_mail"), is("newsletter", "e_mail", "Email", "utm")],
  ["Email: 'e mail' medium", page("utm_source=newsletter&utm_medium=e%20mail"), is("newsletter", "e mail", "Email", "utm")],
  ["Email: email source", page("utm_source=email&utm_medium=newsletter"), is("email", "newsletter", "Email", "utm")],
  ["Affiliates", page("utm_source=partnerstack&utm_medium=affiliate"), is("partnerstack", "affiliate", "Affiliates", "utm")],
  ["Audio", page("utm_source=spotify-ads&utm_medium=audio"), is("spotify-ads", "audio", "Audio", "utm")],
  ["SMS: sms source", page("utm_source=sms&utm_medium=text"), is("sms", "text", "SMS", "utm")],
  ["SMS: sms medium", page("utm_source=twilio&utm_medium=sms"), is("twilio", "sms", "SMS", "utm")],
  ["Mobile Push: medium ends with push", page("utm_source=onesignal&utm_medium=web-push"), is("onesignal", "web-push", "Mobile Push Notifications", "utm")],
  ["Mobile Push: medium contains mobile", page("utm_source=braze&utm_medium=mobile-inapp"), is("braze", "mobile-inapp", "Mobile Push Notifications", "utm")],
  ["Mobile Push: medium contains notification", page("utm_source=braze&utm_medium=notification"), is("braze", "notification", "Mobile Push Notifications", "utm")],
  ["Mobile Push: firebase source", page("utm_source=firebase&utm_medium=message"), is("firebase", "message", "Mobile Push Notifications", "utm")],
  ["Unassigned: nothing matches", page("utm_source=foo&utm_medium=bar"), is("foo", "bar", "Unassigned", "utm")],
  ["Unassigned: source without medium", page("utm_source=foo"), is("foo", "(not set)", "Unassigned", "utm")],
];

const aiAssistants: Row[] = [
  ["chatgpt.com", from("https://chatgpt.com/"), is("chatgpt.com", "referral", "AI Assistants", "ai_assistant")],
  ["chat.openai.com", from("https://chat.openai.com/c/123"), is("chat.openai.com", "referral", "AI Assistants", "ai_assistant")],
  ["www.perplexity.ai", from("https://www.perplexity.ai/search?q=x"), is("perplexity.ai", "referral", "AI Assistants", "ai_assistant")],
  ["gemini.google.com is AI, not Google search", from("https://gemini.google.com/app"), is("gemini.google.com", "referral", "AI Assistants", "ai_assistant")],
  ["copilot.microsoft.com", from("https://copilot.microsoft.com/"), is("copilot.microsoft.com", "referral", "AI Assistants", "ai_assistant")],
  ["claude.ai", from("https://claude.ai/chat/1"), is("claude.ai", "referral", "AI Assistants", "ai_assistant")],
  ["chat.deepseek.com", from("https://chat.deepseek.com/"), is("chat.deepseek.com", "referral", "AI Assistants", "ai_assistant")],
  ["poe.com", from("https://poe.com/"), is("poe.com", "referral", "AI Assistants", "ai_assistant")],
  ["you.com", from("https://you.com/search?q=x"), is("you.com", "referral", "AI Assistants", "ai_assistant")],
  ["grok.com", from("https://grok.com/"), is("grok.com", "referral", "AI Assistants", "ai_assistant")],
  ["meta.ai", from("https://www.meta.ai/"), is("meta.ai", "referral", "AI Assistants", "ai_assistant")],
  ["chat.mistral.ai", from("https://chat.mistral.ai/chat"), is("chat.mistral.ai", "referral", "AI Assistants", "ai_assistant")],
  ["Grok inside x.com (path entry)", from("https://x.com/i/grok?conversation=1"), is("x.com", "referral", "AI Assistants", "ai_assistant")],
  ["utm_source=chatgpt.com as ChatGPT tags links", page("utm_source=chatgpt.com"), is("chatgpt.com", "(not set)", "AI Assistants", "utm")],
  ["utm_source=perplexity / referral", page("utm_source=perplexity&utm_medium=referral"), is("perplexity", "referral", "AI Assistants", "utm")],
  ["medium ai-assistant", page("utm_source=some-bot&utm_medium=ai-assistant"), is("some-bot", "ai-assistant", "AI Assistants", "utm")],
  ["AI referrer wins over UTM channel", page("utm_source=newsletter&utm_medium=email", "https://chatgpt.com/"), is("newsletter", "email", "AI Assistants", "utm")],
  ["paid medium is not AI: cpc", page("utm_source=chatgpt.com&utm_medium=cpc"), is("chatgpt.com", "cpc", "Paid Other", "utm")],
  ["paid medium is not AI: paid", page("utm_source=perplexity&utm_medium=paid"), is("perplexity", "paid", "Paid Other", "utm")],
  ["paid medium with AI referrer is not AI", page("utm_source=partner&utm_medium=cpc", "https://claude.ai/"), is("partner", "cpc", "Paid Other", "utm")],
];

const clickIds: Row[] = [
  ["gclid", page("gclid=abc"), is("google", "cpc", "Paid Search", "click_id:gclid", { clickIdType: "gclid" })],
  ["gbraid", page("gbraid=abc"), is("google", "cpc", "Paid Search", "click_id:gbraid", { clickIdType: "gbraid" })],
  ["wbraid", page("wbraid=abc"), is("google", "cpc", "Paid Search", "click_id:wbraid", { clickIdType: "wbraid" })],
  ["gad_source", page("gad_source=1"), is("google", "cpc", "Paid Search", "click_id:gad_source", { clickIdType: "gad_source" })],
  ["msclkid", page("msclkid=abc"), is("bing", "cpc", "Paid Search", "click_id:msclkid", { clickIdType: "msclkid" })],
  ["yclid", page("yclid=abc"), is("yandex", "cpc", "Paid Search", "click_id:yclid", { clickIdType: "yclid" })],
  ["dclid", page("dclid=abc"), is("google", "display", "Display", "click_id:dclid", { clickIdType: "dclid" })],
  ["ttclid", page("ttclid=abc"), is("tiktok", "paid", "Paid Social", "click_id:ttclid", { clickIdType: "ttclid" })],
  ["li_fat_id", page("li_fat_id=abc"), is("linkedin", "paid", "Paid Social", "click_id:li_fat_id", { clickIdType: "li_fat_id" })],
  ["twclid", page("twclid=abc"), is("twitter", "paid", "Paid Social", "click_id:twclid", { clickIdType: "twclid" })],
  ["ScCid", page("ScCid=abc"), is("snapchat", "paid", "Paid Social", "click_id:sccid", { clickIdType: "sccid" })],
  ["epik", page("epik=abc"), is("pinterest", "paid", "Paid Social", "click_id:epik", { clickIdType: "epik" })],
  ["rdt_cid", page("rdt_cid=abc"), is("reddit", "paid", "Paid Social", "click_id:rdt_cid", { clickIdType: "rdt_cid" })],
  ["fbclid alone is organic social", page("fbclid=abc"), is("facebook", "social", "Organic Social", "click_id:fbclid", { clickIdType: "fbclid" })],
  ["igshid alone is organic social", page("igshid=abc"), is("instagram", "social", "Organic Social", "click_id:igshid", { clickIdType: "igshid" })],
  ["GCLID upper case", page("GCLID=abc"), is("google", "cpc", "Paid Search", "click_id:gclid", { clickIdType: "gclid" })],
  ["MsClkId mixed case", page("MsClkId=abc"), is("bing", "cpc", "Paid Search", "click_id:msclkid", { clickIdType: "msclkid" })],
  ["sccid lower case", page("sccid=abc"), is("snapchat", "paid", "Paid Social", "click_id:sccid", { clickIdType: "sccid" })],
  ["paid id beats fbclid", page("fbclid=x&gclid=y"), is("google", "cpc", "Paid Search", "click_id:gclid", { clickIdType: "gclid" })],
  ["empty click id is ignored", page("gclid="), DIRECT],
  ["click id without value is ignored", page("gclid"), DIRECT],
];

const precedence: Row[] = [
  ["UTM wins over click id, click id still recorded", page("utm_source=newsletter&utm_medium=email&gclid=abc"), is("newsletter", "email", "Email", "utm", { clickIdType: "gclid" })],
  ["UTM wins over fbclid", page("utm_source=facebook&utm_medium=cpc&fbclid=abc"), is("facebook", "cpc", "Paid Social", "utm", { clickIdType: "fbclid" })],
  ["UTM wins over referrer", page("utm_source=newsletter&utm_medium=email", "https://www.google.com/"), is("newsletter", "email", "Email", "utm", { clickIdType: null })],
  ["click id wins over referrer", page("gclid=abc", "https://www.facebook.com/"), is("google", "cpc", "Paid Search", "click_id:gclid")],
  ["UTM campaign without source takes source from click id", page("gclid=abc&utm_campaign=Brand"), is("google", "cpc", "Paid Search", "click_id:gclid", { campaign: "brand" })],
  ["UTM medium without source overrides click id medium", page("msclkid=abc&utm_medium=display"), is("bing", "display", "Display", "click_id:msclkid")],
  // Issue 14: a Google Ads click id proves the paid click under a Google utm_source without a paid medium.
  ["UTM source google without medium with gclid: the click id makes it cpc", page("utm_source=google&gclid=abc"), is("google", "cpc", "Paid Search", "utm+click_id:gclid", { clickIdType: "gclid" })],
  ["campaign without source: (not set) source", page("utm_medium=email&utm_campaign=weekly"), is("(not set)", "email", "Email", "utm", { campaign: "weekly" })],
  ["campaign only: (not set) / (not set)", page("utm_campaign=launch"), is("(not set)", "(not set)", "Unassigned", "utm", { campaign: "launch" })],
  ["utm_content alone is not a campaign", page("utm_content=header"), DIRECT],
  ["utm_term alone is not a campaign", page("utm_term=shoes", "https://www.bing.com/"), is("bing", "organic", "Organic Search", "referrer:search")],
];

const utmParsing: Row[] = [
  ["values are lower-cased", page("utm_source=Google&utm_medium=CPC&utm_campaign=Spring_Sale"), is("google", "cpc", "Paid Search", "utm", { campaign: "spring_sale" })],
  ["parameter names are case-insensitive", page("UTM_SOURCE=google&Utm_Medium=cpc"), is("google", "cpc", "Paid Search", "utm")],
  ["term and content are kept", page("utm_source=google&utm_medium=cpc&utm_term=Red+Shoes&utm_content=ad-1"), is("google", "cpc", "Paid Search", "utm", { term: "red shoes", content: "ad-1" })],
  ["plus decodes to space", page("utm_source=news&utm_medium=email&utm_campaign=Spring+Sale"), is("news", "email", "Email", "utm", { campaign: "spring sale" })],
  ["percent-encoding decodes", page("utm_source=caf%C3%A9&utm_medium=email"), is("café", "email", "Email", "utm")],
  ["malformed escape kept raw", page("utm_source=%E0%A4%A&utm_medium=email"), is("%e0%a4%a", "email", "Email", "utm")],
  ["first occurrence wins", page("utm_source=a&utm_source=b&utm_medium=email"), is("a", "email", "Email", "utm")],
  ["whitespace is trimmed", page("utm_source=%20google%20&utm_medium=cpc"), is("google", "cpc", "Paid Search", "utm")],
  ["empty utm_source is absent", page("utm_source=&utm_medium=email"), is("(not set)", "email", "Email", "utm")],
  ["fragment is not the query", { url: `${LANDING}#utm_source=x&utm_medium=email`, referrer: null, campaign: null }, DIRECT],
  ["query after the fragment ignored", { url: `${LANDING}?a=1#x?utm_source=y`, referrer: null, campaign: null }, DIRECT],
];

const contextCampaign: Row[] = [
  ["Segment context.campaign names", { url: LANDING, referrer: null, campaign: { source: "Newsletter", medium: "Email", name: "Weekly" } }, is("newsletter", "email", "Email", "utm", { campaign: "weekly" })],
  ["context.campaign utm_ keys", { url: LANDING, referrer: null, campaign: { utm_source: "google", utm_medium: "cpc", utm_campaign: "brand" } }, is("google", "cpc", "Paid Search", "utm", { campaign: "brand" })],
  ["context.campaign term and content", { url: LANDING, referrer: null, campaign: { source: "google", medium: "cpc", term: "Shoes", content: "A" } }, is("google", "cpc", "Paid Search", "utm", { term: "shoes", content: "a" })],
  ["URL UTMs win over context.campaign", { url: `${LANDING}?utm_source=url&utm_medium=email`, referrer: null, campaign: { source: "ctx", medium: "cpc" } }, is("url", "email", "Email", "utm")],
  ["context.campaign without URL", { url: null, referrer: null, campaign: { source: "facebook", medium: "paid" } }, is("facebook", "paid", "Paid Social", "utm")],
  ["context.campaign name only", { url: LANDING, referrer: null, campaign: { name: "Launch" } }, is("(not set)", "(not set)", "Unassigned", "utm", { campaign: "launch" })],
  ["context.campaign number values", { url: LANDING, referrer: null, campaign: { source: "partner", medium: "affiliate", name: 42 } }, is("partner", "affiliate", "Affiliates", "utm", { campaign: "42" })],
  ["context.campaign non-string values ignored", { url: LANDING, referrer: null, campaign: { source: { x: 1 }, medium: true } }, DIRECT],
  ["empty context.campaign", { url: LANDING, referrer: null, campaign: {} }, DIRECT],
  ["context.campaign wins over referrer", { url: LANDING, referrer: "https://www.google.com/", campaign: { source: "newsletter", medium: "email" } }, is("newsletter", "email", "Email", "utm")],
];

const search: Row[] = [
  ["google.com", from("https://www.google.com/"), is("google", "organic", "Organic Search", "referrer:search")],
  ["www.google.co.uk", from("https://www.google.co.uk/"), is("google", "organic", "Organic Search", "referrer:search")],
  ["google.de", from("https://google.de/"), is("google", "organic", "Organic Search", "referrer:search")],
  ["Google app on Android", from("android-app://com.google.android.googlequicksearchbox/"), is("google", "organic", "Organic Search", "referrer:search")],
  ["bing.com", from("https://www.bing.com/search?q=running+shoes"), is("bing", "organic", "Organic Search", "referrer:search", { term: "running shoes" })],
  ["duckduckgo.com", from("https://duckduckgo.com/"), is("duckduckgo", "organic", "Organic Search", "referrer:search")],
  ["search.brave.com", from("https://search.brave.com/search?q=x"), is("brave", "organic", "Organic Search", "referrer:search", { term: "x" })],
  ["kagi.com", from("https://kagi.com/search?q=y"), is("kagi", "organic", "Organic Search", "referrer:search", { term: "y" })],
  ["ecosia.org", from("https://www.ecosia.org/search?q=trees"), is("ecosia", "organic", "Organic Search", "referrer:search", { term: "trees" })],
  ["startpage.com", from("https://www.startpage.com/"), is("startpage", "organic", "Organic Search", "referrer:search")],
  ["yandex.ru", from("https://yandex.ru/search/?text=foo"), is("yandex", "organic", "Organic Search", "referrer:search", { term: "foo" })],
  ["baidu.com", from("https://www.baidu.com/s?wd=bar"), is("baidu", "organic", "Organic Search", "referrer:search", { term: "bar" })],
  ["search.yahoo.com", from("https://search.yahoo.com/search?p=Foo+Bar"), is("yahoo", "organic", "Organic Search", "referrer:search", { term: "foo bar" })],
  ["Google Images path entry keeps the name google", from("https://www.google.com/imgres?imgurl=x"), is("google", "organic", "Organic Search", "referrer:search")],
  ["Google list only: ntp.msn.com", from("https://ntp.msn.com/edge"), is("ntp.msn.com", "organic", "Organic Search", "referrer:search")],
];

const social: Row[] = [
  ["facebook.com", from("https://www.facebook.com/"), is("facebook", "social", "Organic Social", "referrer:social")],
  ["l.facebook.com", from("https://l.facebook.com/l.php?u=x"), is("facebook", "social", "Organic Social", "referrer:social")],
  ["m.facebook.com", from("https://m.facebook.com/"), is("facebook", "social", "Organic Social", "referrer:social")],
  ["instagram.com", from("https://www.instagram.com/"), is("instagram", "social", "Organic Social", "referrer:social")],
  ["l.instagram.com", from("https://l.instagram.com/?u=x"), is("instagram", "social", "Organic Social", "referrer:social")],
  ["x.com is twitter", from("https://x.com/someone/status/1"), is("twitter", "social", "Organic Social", "referrer:social")],
  ["twitter.com", from("https://twitter.com/"), is("twitter", "social", "Organic Social", "referrer:social")],
  ["t.co is twitter", from("https://t.co/abc"), is("twitter", "social", "Organic Social", "referrer:social")],
  ["linkedin.com", from("https://www.linkedin.com/feed/"), is("linkedin", "social", "Organic Social", "referrer:social")],
  ["lnkd.in", from("https://lnkd.in/abc"), is("linkedin", "social", "Organic Social", "referrer:social")],
  ["tiktok.com", from("https://www.tiktok.com/"), is("tiktok", "social", "Organic Social", "referrer:social")],
  ["threads.net", from("https://www.threads.net/"), is("threads", "social", "Organic Social", "referrer:social")],
  ["bsky.app", from("https://bsky.app/profile/x"), is("bluesky", "social", "Organic Social", "referrer:social")],
  ["reddit.com", from("https://www.reddit.com/r/x"), is("reddit", "social", "Organic Social", "referrer:social")],
  ["old.reddit.com", from("https://old.reddit.com/r/x"), is("reddit", "social", "Organic Social", "referrer:social")],
  ["pinterest.com", from("https://www.pinterest.com/"), is("pinterest", "social", "Organic Social", "referrer:social")],
  ["pinterest.de", from("https://www.pinterest.de/"), is("pinterest", "social", "Organic Social", "referrer:social")],
  ["pin.it", from("https://pin.it/abc"), is("pinterest", "social", "Organic Social", "referrer:social")],
  ["web.whatsapp.com", from("https://web.whatsapp.com/"), is("whatsapp", "social", "Organic Social", "referrer:social")],
  ["t.me", from("https://t.me/channel"), is("telegram", "social", "Organic Social", "referrer:social")],
  ["discord.com", from("https://discord.com/channels/1"), is("discord", "social", "Organic Social", "referrer:social")],
  ["news.ycombinator.com", from("https://news.ycombinator.com/item?id=1"), is("hacker news", "social", "Organic Social", "referrer:social")],
  ["github.com (referer-parser)", from("https://github.com/org/repo"), is("github", "social", "Organic Social", "referrer:social")],
  ["Google list only: bit.ly", from("https://bit.ly/x"), is("bit.ly", "social", "Organic Social", "referrer:social")],
  ["Android app referrer", from("android-app://com.linkedin.android/"), is("linkedin", "social", "Organic Social", "referrer:social")],
];

const webmail: Row[] = [
  ["mail.google.com is Gmail, not Google search", from("https://mail.google.com/mail/u/0/"), is("gmail", "email", "Email", "referrer:email")],
  ["outlook.live.com", from("https://outlook.live.com/mail/0/"), is("outlook", "email", "Email", "referrer:email")],
  ["outlook.office.com", from("https://outlook.office.com/"), is("outlook", "email", "Email", "referrer:email")],
  ["mail.yahoo.com", from("https://mail.yahoo.com/d/folders/1"), is("yahoo mail", "email", "Email", "referrer:email")],
  ["Gmail Android app", from("android-app://com.google.android.gm/"), is("gmail", "email", "Email", "referrer:email")],
  ["iCloud mail (path entry)", from("https://www.icloud.com/mail/"), is("icloud mail", "email", "Email", "referrer:email")],
  ["icloud.com elsewhere is a referral", from("https://www.icloud.com/photos/"), is("icloud.com", "referral", "Referral", "referrer")],
  ["orange.fr/webmail (referer-parser path entry)", from("https://orange.fr/webmail/inbox"), is("orange", "email", "Email", "referrer:email")],
];

const videoShopping: Row[] = [
  ["youtube.com", from("https://www.youtube.com/watch?v=1"), is("youtube.com", "referral", "Organic Video", "referrer:video")],
  ["m.youtube.com", from("https://m.youtube.com/watch?v=1"), is("m.youtube.com", "referral", "Organic Video", "referrer:video")],
  ["music.youtube.com", from("https://music.youtube.com/"), is("music.youtube.com", "referral", "Organic Video", "referrer:video")],
  ["youtu.be", from("https://youtu.be/abc"), is("youtu.be", "referral", "Organic Video", "referrer:video")],
  ["vimeo.com", from("https://vimeo.com/123"), is("vimeo.com", "referral", "Organic Video", "referrer:video")],
  ["twitch.tv", from("https://www.twitch.tv/x"), is("twitch.tv", "referral", "Organic Video", "referrer:video")],
  ["amazon.com", from("https://www.amazon.com/dp/1"), is("amazon.com", "referral", "Organic Shopping", "referrer:shopping")],
  ["smile.amazon.com", from("https://smile.amazon.com/"), is("smile.amazon.com", "referral", "Organic Shopping", "referrer:shopping")],
  ["ebay.com", from("https://www.ebay.com/itm/1"), is("ebay.com", "referral", "Organic Shopping", "referrer:shopping")],
  ["etsy.com", from("https://www.etsy.com/"), is("etsy.com", "referral", "Organic Shopping", "referrer:shopping")],
  ["stripe.com itself is on Google's shopping list", from("https://stripe.com/docs"), is("stripe.com", "referral", "Organic Shopping", "referrer:shopping")],
];

const referral: Row[] = [
  ["plain referral", from("https://news.site.org/article/1"), is("news.site.org", "referral", "Referral", "referrer")],
  ["www. is dropped", from("https://www.blog.example.org/post"), is("blog.example.org", "referral", "Referral", "referrer")],
  ["upper-case host", from("HTTPS://WWW.Partner.COM/Page"), is("partner.com", "referral", "Referral", "referrer")],
  ["port and user info are dropped", from("https://user:pw@partner.com:8443/x"), is("partner.com", "referral", "Referral", "referrer")],
  ["docs.google.com is not Google search", from("https://docs.google.com/document/d/1"), is("docs.google.com", "referral", "Referral", "referrer")],
  ["maps.google.com (referer-parser unknown)", from("https://maps.google.com/"), is("maps.google.com", "referral", "Referral", "referrer")],
  ["lookalike of our domain is external", from("https://example.com.evil.org/"), is("example.com.evil.org", "referral", "Referral", "referrer")],
  ["sibling of an ignored host is not ignored", from("https://partner-login.com/"), is("partner-login.com", "referral", "Referral", "referrer")],
  ["unknown app referrer", from("android-app://com.some.reader/"), is("com.some.reader", "referral", "Referral", "referrer")],
  ["http referrer", from("http://old-site.net/"), is("old-site.net", "referral", "Referral", "referrer")],
];

const internalAndIgnored: Row[] = [
  ["own host", { url: "https://landing.other.com/a", referrer: "https://landing.other.com/b", campaign: null }, DIRECT],
  ["own host with www difference", { url: "https://www.other.com/a", referrer: "https://other.com/b", campaign: null }, DIRECT],
  ["SITE_DOMAINS apex", from("https://example.com/pricing"), DIRECT],
  ["SITE_DOMAINS subdomain", from("https://blog.example.com/post"), DIRECT],
  ["SITE_DOMAINS deep subdomain", from("https://a.b.example.com/"), DIRECT],
  ["second SITE_DOMAINS entry", from("https://app.shop-example.io/cart"), DIRECT],
  ["SITE_DOMAINS referrer without landing URL", { url: null, referrer: "https://www.example.com/", campaign: null }, DIRECT],
  ["paypal.com", from("https://www.paypal.com/checkoutnow"), DIRECT],
  ["checkout.stripe.com", from("https://checkout.stripe.com/pay/cs_1"), DIRECT],
  ["hooks.stripe.com", from("https://hooks.stripe.com/3d_secure"), DIRECT],
  ["accounts.google.com is ignored, not Google search", from("https://accounts.google.com/o/oauth2"), DIRECT],
  ["appleid.apple.com", from("https://appleid.apple.com/auth/authorize"), DIRECT],
  ["login.microsoftonline.com", from("https://login.microsoftonline.com/common"), DIRECT],
  ["checkout.shopify.com", from("https://checkout.shopify.com/1/checkouts/2"), DIRECT],
  ["configured ignored referrer", from("https://sso.partner-login.com/login"), DIRECT],
  ["subdomain of a configured ignored referrer", from("https://eu.sso.partner-login.com/login"), DIRECT],
  ["internal referrer does not hide UTMs", page("utm_source=newsletter&utm_medium=email", "https://example.com/"), is("newsletter", "email", "Email", "utm")],
];

const badInput: Row[] = [
  ["garbage landing URL", { url: "not a url", referrer: null, campaign: null }, DIRECT],
  ["garbage referrer", { url: LANDING, referrer: "::::", campaign: null }, DIRECT],
  ["scheme without host", { url: LANDING, referrer: "http://", campaign: null }, DIRECT],
  ["javascript: referrer", { url: LANDING, referrer: "javascript:alert(1)", campaign: null }, DIRECT],
  ["space in host", { url: LANDING, referrer: "https://bad host.com/", campaign: null }, DIRECT],
  ["unclosed IPv6", { url: LANDING, referrer: "https://[::1/", campaign: null }, DIRECT],
  ["empty strings", { url: "", referrer: "", campaign: null }, DIRECT],
  // Issue 14: a bare path (Segment's properties.path-like URLs) keeps its UTMs.
  ["relative landing URL keeps its UTMs", { url: "/landing?utm_source=x&utm_medium=email", referrer: null, campaign: null }, is("x", "email", "Email", "utm")],
  ["bad landing URL still classifies referrer", { url: "%%%", referrer: "https://www.google.com/", campaign: null }, is("google", "organic", "Organic Search", "referrer:search")],
  ["null everything", { url: null, referrer: null, campaign: null }, DIRECT],
];

describe("classify", () => {
  const groups: Array<[string, Row[]]> = [
    ["GA4 default channel group", ga4Rules],
    ["AI Assistants", aiAssistants],
    ["click ids", clickIds],
    ["precedence", precedence],
    ["UTM parsing", utmParsing],
    ["context.campaign", contextCampaign],
    ["search referrers", search],
    ["social referrers", social],
    ["webmail referrers", webmail],
    ["video and shopping referrers", videoShopping],
    ["plain referrals", referral],
    ["internal and ignored referrers", internalAndIgnored],
    ["bad input", badInput],
  ];
  for (const [group, rows] of groups) {
    describe(group, () => {
      test.each(rows)("%s", (_name, input, expected) => {
        expect(classifier.classify(input)).toMatchObject(expected);
      });
    });
  }

  test("the table has at least 150 cases", () => {
    expect(groups.reduce((n, [, rows]) => n + rows.length, 0)).toBeGreaterThanOrEqual(150);
  });
});

describe("custom channel rules", () => {
  const custom = createClassifier({
    siteDomains: ["example.com"],
    ignoredReferrers: [],
    customRules: [
      { name: "partners", channel: "Partners", match: { referrerHost: { regex: "(^|\\.)partner\\.com$" } } },
      { name: "podcasts", channel: "Podcasts", match: { source: "Overcast", medium: { regex: "^spons" } } },
      { name: "ai paid", channel: "Paid AI", match: { source: "chatgpt.com", medium: "cpc" } },
    ],
  });

  test.each<Row>([
    // Issue 14: `rule` says when a user rule set the channel.
    ["referrerHost regex", from("https://www.partner.com/x"), is("partner.com", "referral", "Partners", "referrer+channel_rule:partners", { kind: "referrer" })],
    ["referrerHost regex on a subdomain", from("https://blog.partner.com/x"), is("blog.partner.com", "referral", "Partners", "referrer+channel_rule:partners", { kind: "referrer" })],
    ["exact source is case-insensitive, medium regex", page("utm_source=overcast&utm_medium=sponsorship"), is("overcast", "sponsorship", "Podcasts", "utm+channel_rule:podcasts")],
    ["all matchers must match", page("utm_source=overcast&utm_medium=audio"), is("overcast", "audio", "Audio", "utm")],
    ["custom rules come before AI Assistants and GA4", page("utm_source=chatgpt.com&utm_medium=cpc"), is("chatgpt.com", "cpc", "Paid AI", "utm+channel_rule:ai paid")],
    ["no external referrer: referrerHost never matches", from("https://example.com/"), DIRECT],
  ])("%s", (_name, input, expected) => {
    expect(custom.classify(input)).toMatchObject(expected);
  });
});
