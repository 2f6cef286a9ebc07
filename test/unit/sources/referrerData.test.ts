/**
 * Issue 14 items 4 and 5: the shipped referrer data (snowplow's current database as a dated
 * snapshot, our overlay, the AI assistants list) loads and says what the current data says.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { createClassifier, type Classification } from "../../../src/sources/index.js";
import { loadClassifierData, parseUpstreamReferrers } from "../../../src/sources/dataFiles.js";
import { buildReferrerDatabase } from "../../../src/sources/referrerDatabase.js";

const classifier = createClassifier({ siteDomains: ["example.com"], ignoredReferrers: [] });
const fromReferrer = (referrer: string) => classifier.classify({ url: "https://example.com/", referrer, campaign: null });
const dataFile = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../data/${name}`, import.meta.url), "utf8"));

describe("shipped referrer data", () => {
  test("data/referrers-upstream.json loads, is dated and holds snowplow's current hosts", () => {
    const upstream = parseUpstreamReferrers(dataFile("referrers-upstream.json"), "data/referrers-upstream.json");
    expect(upstream.refreshed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const hosts = Object.values(upstream.referrers).flatMap((providers) => Object.values(providers ?? {}).flatMap((p) => p.domains ?? []));
    // 2,506 hosts: snowplow's 2025 database (issue 14).
    expect(new Set(hosts.map((h) => h.toLowerCase())).size).toBeGreaterThanOrEqual(2506);
    // Media of the current database: paid is new since the 2013 list.
    expect(Object.keys(upstream.referrers)).toEqual(expect.arrayContaining(["search", "social", "email", "paid", "unknown"]));
  });

  test("a refreshed file in snowplow's format with its chatbot and paid sections loads", () => {
    const upstream = parseUpstreamReferrers(
      {
        source: "test",
        refreshed: "2025-07-14",
        referrers: {
          chatbot: { "Character.AI": { domains: ["chatbot-only.example"] } },
          paid: { "Some Ads": { domains: ["ads-only.example"] } },
          search: { Engine: { parameters: ["q"], domains: ["engine-only.example"] } },
        },
      },
      "test",
    );
    const db = buildReferrerDatabase(loadClassifierData({ upstream }));
    expect(db.lookup("chatbot-only.example", "/")?.medium).toBe("ai");
    expect(db.lookup("ads-only.example", "/")?.medium).toBe("paid");
    expect(db.lookup("engine-only.example", "/")).toMatchObject({ medium: "search", name: "engine", params: ["q"] });
  });

  test("an unknown medium is refused, naming it", () => {
    const upstream = parseUpstreamReferrers({ source: "t", refreshed: "2025-01-01", referrers: { telepathy: { X: { domains: ["x.example"] } } } }, "t");
    expect(() => buildReferrerDatabase(loadClassifierData({ upstream }))).toThrow(/Unknown referrer medium "telepathy"/);
  });

  test("a snapshot without a date is refused naming the file", () => {
    expect(() => parseUpstreamReferrers({ source: "t", referrers: {} }, "data/referrers-upstream.json")).toThrow(/data\/referrers-upstream\.json.*refreshed/s);
  });
});

type Row = [string, string, Partial<Classification>];

// Issue 14 item 4: hosts whose medium the 2013 list got wrong or lacked (snowplow's current data).
const currentData: Row[] = [
  ["www.sogou.com is Sogou, not the host (the old list misspells it)", "https://www.sogou.com/web?query=shoes", { source: "sogou", medium: "organic", channel: "Organic Search", term: "shoes" }],
  ["m.sogou.com", "https://m.sogou.com/", { source: "sogou", channel: "Organic Search" }],
  ["mail.naver.com is webmail, not Naver search", "https://mail.naver.com/", { medium: "email", channel: "Email", rule: "referrer:email" }],
  ["mail.yandex.ua is webmail", "https://mail.yandex.ua/", { medium: "email", channel: "Email" }],
  ["mail.yandex.kz is webmail", "https://mail.yandex.kz/", { medium: "email", channel: "Email" }],
  ["touch.mail.ru is webmail", "https://touch.mail.ru/", { medium: "email", channel: "Email" }],
  ["ok.ru is social", "https://ok.ru/group/1", { source: "odnoklassniki", medium: "social", channel: "Organic Social" }],
  ["google.tn is Google search", "https://www.google.tn/", { source: "google", medium: "organic", channel: "Organic Search" }],
  ["coccoc.com is search", "https://coccoc.com/search?query=x", { source: "coccoc", medium: "organic", channel: "Organic Search", term: "x" }],
  ["character.ai is an AI assistant", "https://character.ai/chat/1", { source: "character.ai", channel: "AI Assistants", rule: "ai_assistant" }],
  ["qzone.qq.com (current list)", "https://qzone.qq.com/", { medium: "social", channel: "Organic Social" }],
  ["mail.qq.com (current list)", "https://mail.qq.com/", { medium: "email", channel: "Email" }],
  ["tildes.net (snowplow 2025)", "https://tildes.net/", { source: "tildes", medium: "social", channel: "Organic Social" }],
  ["lnk.bio (snowplow 2025)", "https://lnk.bio/x", { medium: "social", channel: "Organic Social" }],
  ["l.workplace.com (snowplow 2025)", "https://l.workplace.com/", { medium: "social", channel: "Organic Social" }],
  ["mail.vodafone.de (snowplow 2025)", "https://mail.vodafone.de/", { medium: "email", channel: "Email" }],
  ["wmail.orange.fr (snowplow 2025)", "https://wmail.orange.fr/", { medium: "email", channel: "Email" }],
  ["email.ionos.de (snowplow 2025)", "https://email.ionos.de/", { medium: "email", channel: "Email" }],
  ["mail.daum.net (not in the 2013 list)", "https://mail.daum.net/", { medium: "email", channel: "Email" }],
  ["webmail.bigpond.com (not in the 2013 list)", "https://webmail.bigpond.com/", { medium: "email", channel: "Email" }],
  ["an ad network of the paid section", "https://adform.net/x", { medium: "paid", channel: "Paid Other", rule: "referrer:paid" }],
  // Google's list decides video/shopping over snowplow's social/search (DESIGN.md order).
  ["youtube.com: video for Google, social for snowplow", "https://www.youtube.com/", { source: "youtube.com", channel: "Organic Video", rule: "referrer:video" }],
  ["amazon.com: shopping for Google, search for snowplow", "https://www.amazon.com/", { source: "amazon.com", channel: "Organic Shopping", rule: "referrer:shopping" }],
  // Search terms survive from the 2013 list's parameters where the snapshot has none.
  ["yandex.ru keeps its text= search term", "https://yandex.ru/search/?text=foo", { source: "yandex", term: "foo" }],
];

// Issue 14 item 5: the current field of AI assistants (data/ai-assistants.json).
const aiAssistants: Row[] = [
  ["phind.com", "https://www.phind.com/search?q=x", { source: "phind.com", channel: "AI Assistants" }],
  ["chat.deepseek.com", "https://chat.deepseek.com/a/chat/1", { channel: "AI Assistants" }],
  ["grok.com", "https://grok.com/chat/1", { channel: "AI Assistants" }],
  ["x.com/i/grok", "https://x.com/i/grok?conversation=1", { source: "x.com", channel: "AI Assistants" }],
  ["x.com elsewhere is social", "https://x.com/someone", { source: "twitter", channel: "Organic Social" }],
  ["meta.ai", "https://www.meta.ai/", { channel: "AI Assistants" }],
  ["chat.mistral.ai", "https://chat.mistral.ai/chat", { channel: "AI Assistants" }],
  ["perplexity.ai", "https://www.perplexity.ai/search/x", { channel: "AI Assistants" }],
  ["perplexity.com", "https://perplexity.com/", { channel: "AI Assistants" }],
  ["pplx.ai", "https://pplx.ai/x", { channel: "AI Assistants" }],
  ["copilot.microsoft.com", "https://copilot.microsoft.com/chats/1", { channel: "AI Assistants" }],
  ["bing.com/chat is Copilot", "https://www.bing.com/chat?q=x", { channel: "AI Assistants" }],
  ["bing.com search stays search", "https://www.bing.com/search?q=x", { source: "bing", channel: "Organic Search" }],
  ["you.com", "https://you.com/search?q=x", { channel: "AI Assistants" }],
  ["kagi.com/assistant", "https://kagi.com/assistant/abc", { source: "kagi.com", channel: "AI Assistants" }],
  ["kagi.com search stays search", "https://kagi.com/search?q=x", { source: "kagi", channel: "Organic Search" }],
  ["gemini.google.com", "https://gemini.google.com/app", { channel: "AI Assistants" }],
  ["claude.ai", "https://claude.ai/chat/1", { channel: "AI Assistants" }],
  ["chatgpt.com", "https://chatgpt.com/c/1", { channel: "AI Assistants" }],
  ["huggingface.co/chat", "https://huggingface.co/chat/", { channel: "AI Assistants" }],
  ["huggingface.co elsewhere is a referral", "https://huggingface.co/models", { channel: "Referral" }],
  ["ChatGPT Android app", "android-app://com.openai.chatgpt/", { channel: "AI Assistants" }],
];

describe("current referrer data", () => {
  test.each(currentData)("%s", (_name, referrer, expected) => {
    expect(fromReferrer(referrer)).toMatchObject(expected);
  });
});

describe("AI assistants", () => {
  test.each(aiAssistants)("%s", (_name, referrer, expected) => {
    expect(fromReferrer(referrer)).toMatchObject(expected);
  });

  // The list is data: every host of data/ai-assistants.json is an AI referral, every name an AI utm_source.
  const list = dataFile("ai-assistants.json") as { assistants: Record<string, { domains: string[]; sourceNames?: string[] }> };
  const domains = Object.values(list.assistants).flatMap((a) => a.domains);
  const names = Object.values(list.assistants).flatMap((a) => a.sourceNames ?? []);

  test.each(domains)("referrer %s is AI Assistants", (domain) => {
    const url = domain.includes(".") && !domain.includes("/") && domain.split(".").length > 2 && /^(com|ai|org)\./.test(domain) ? `android-app://${domain}/` : `https://${domain}`;
    expect(fromReferrer(url)).toMatchObject({ channel: "AI Assistants", rule: "ai_assistant" });
  });

  test.each(names)("utm_source=%s is AI Assistants unless the medium is paid", (name) => {
    const q = (medium: string) => ({ url: `https://example.com/?utm_source=${encodeURIComponent(name)}&utm_medium=${medium}`, referrer: null, campaign: null });
    expect(classifier.classify(q("referral")).channel).toBe("AI Assistants");
    expect(classifier.classify(q("cpc")).channel).not.toBe("AI Assistants");
  });
});
