import { once } from "node:events";
import { createWriteStream } from "node:fs";

/**
 * A deterministic generator of realistic Segment traffic, shared by the benchmark (`bench/`)
 * and the tests. Every person is generated from its own seeded PRNG (seed × person index), so a
 * range of persons can be produced on its own and always comes out the same.
 *
 * The mix, per person: 1–3 devices (anonymousIds); visits whose landing page comes from
 * search, social, UTM campaigns, click ids, AI assistants, webmail, unknown sites or nothing
 * (direct), followed by internal navigation and product tracks; identified persons identify on
 * each device (so multi-device persons are stitched) and later calls carry their userId; a
 * share of persons ends with an `Order Completed` with revenue. Messages are shaped like
 * analytics.js sends them through the Webhooks destination (context.page, context.campaign,
 * library, userAgent, ip, sentAt/receivedAt).
 */

export type SegmentMessage = Record<string, unknown>;

/** The shop every generated page belongs to; its referrers are internal. */
export const DATASET_SITE = "shop.example.com";

export interface DatasetOptions {
  persons: number;
  /** Default 1. Two seeds give disjoint ids (messageIds, anonymousIds, userIds). */
  seed?: number;
  /** Index of the first person (to generate a slice of a larger dataset). Default 0. */
  firstPerson?: number;
  /** Mean messages per person (all types). Default 10. */
  messagesPerPerson?: number;
  /** Share of persons with an Order Completed. Default 0.03. */
  conversionRate?: number;
  /** Share of single-device persons who identify (multi-device and converting persons always do). Default 0.3. */
  identifyRate?: number;
  /** Start of the traffic window (epoch ms). Default 2026-01-01. */
  start?: number;
  /** Length of the window in days in which persons first arrive. Default 60. */
  days?: number;
}

/** What the generator decided for one person, with its messages (oldest first). */
export interface GeneratedPerson {
  index: number;
  anonymousIds: string[];
  userId: string | null;
  email: string | null;
  converts: boolean;
  messages: SegmentMessage[];
}

// ---------------------------------------------------------------------------------------------
// PRNG

/** sfc32 seeded through splitmix32: fast, good enough, and the same on every machine. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seeds: number[]) {
    let h = 0x9e3779b9;
    for (const s of seeds) h = splitmix32(h ^ Math.imul(s | 0, 0x85ebca6b) ^ ((s / 0x1_0000_0000) | 0));
    this.a = splitmix32(h);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(table: ReadonlyArray<readonly [number, T]>): T {
    let total = 0;
    for (const [w] of table) total += w;
    let r = this.next() * total;
    for (const [w, v] of table) {
      r -= w;
      if (r < 0) return v;
    }
    return table[table.length - 1]![1];
  }

  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  hex(chars: number): string {
    let s = "";
    while (s.length < chars) s += Math.floor(this.next() * 0x1_0000_0000).toString(16).padStart(8, "0");
    return s.slice(0, chars);
  }

  /** A UUID v4-shaped string. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[Math.floor(this.next() * 4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Where visits come from

/** A visit's landing: the page URL's query, the referrer, and analytics.js's context.campaign. */
export interface Landing {
  query: string;
  referrer: string;
  campaign: Record<string, string> | null;
}

type Utm = { source: string; medium: string; name: string; term?: string; content?: string };

const SEARCH_REFERRERS: ReadonlyArray<readonly [number, string]> = [
  [50, "https://www.google.com/"],
  [6, "https://www.google.co.uk/"],
  [4, "https://www.google.de/"],
  [2, "https://www.google.fr/"],
  [8, "https://www.bing.com/search?q=running+shoes&form=QBLH"],
  [4, "https://duckduckgo.com/"],
  [3, "https://search.yahoo.com/search?p=trail+shoes"],
  [2, "https://yandex.ru/search/?text=shoes"],
  [2, "https://www.ecosia.org/search?q=shoes"],
  [1, "https://www.baidu.com/s?wd=shoes"],
  [1, "https://search.brave.com/search?q=shoes"],
];
const SOCIAL_REFERRERS: ReadonlyArray<readonly [number, string]> = [
  [20, "https://l.facebook.com/"],
  [10, "https://m.facebook.com/"],
  [12, "https://t.co/"],
  [8, "https://www.linkedin.com/"],
  [10, "https://www.instagram.com/"],
  [8, "https://www.reddit.com/r/running/comments/abc123/"],
  [8, "https://www.youtube.com/"],
  [6, "https://www.pinterest.com/"],
  [5, "https://www.tiktok.com/"],
  [3, "https://news.ycombinator.com/"],
];
const AI_REFERRERS = [
  "https://chatgpt.com/",
  "https://chat.openai.com/",
  "https://www.perplexity.ai/",
  "https://claude.ai/",
  "https://gemini.google.com/",
  "https://copilot.microsoft.com/",
  "https://chat.deepseek.com/",
] as const;
const WEBMAIL_REFERRERS = ["https://mail.google.com/", "https://outlook.live.com/", "https://mail.yahoo.com/"] as const;
const IGNORED_REFERRERS = ["https://checkout.stripe.com/", "https://www.paypal.com/", "https://accounts.google.com/"] as const;
const UTMS: ReadonlyArray<readonly [number, Utm]> = [
  [20, { source: "newsletter", medium: "email", name: "weekly" }],
  [6, { source: "newsletter", medium: "email", name: "black_friday", content: "hero" }],
  [16, { source: "google", medium: "cpc", name: "brand", term: "shoe shop" }],
  [8, { source: "google", medium: "cpc", name: "generic", term: "trail running shoes" }],
  [10, { source: "facebook", medium: "paid_social", name: "retargeting" }],
  [5, { source: "instagram", medium: "cpc", name: "spring" }],
  [5, { source: "bing", medium: "cpc", name: "brand" }],
  [5, { source: "partner", medium: "affiliate", name: "q1" }],
  [4, { source: "linkedin", medium: "paid", name: "b2b" }],
  [3, { source: "tiktok", medium: "paid", name: "ugc" }],
  [3, { source: "chatgpt.com", medium: "referral", name: "(not set)" }],
  [3, { source: "youtube", medium: "video", name: "review" }],
  [2, { source: "sms", medium: "sms", name: "flash" }],
  [2, { source: "podcast", medium: "audio", name: "ad_read" }],
  [2, { source: "criteo", medium: "display", name: "prospecting" }],
];
const CLICK_IDS: ReadonlyArray<readonly [number, { param: string; referrer: string }]> = [
  [45, { param: "gclid", referrer: "https://www.google.com/" }],
  [20, { param: "fbclid", referrer: "https://l.facebook.com/" }],
  [10, { param: "msclkid", referrer: "https://www.bing.com/" }],
  [6, { param: "gbraid", referrer: "" }],
  [6, { param: "ttclid", referrer: "https://www.tiktok.com/" }],
  [5, { param: "li_fat_id", referrer: "https://www.linkedin.com/" }],
  [4, { param: "igshid", referrer: "https://www.instagram.com/" }],
  [4, { param: "twclid", referrer: "https://t.co/" }],
];
const REFERRAL_WORDS = ["runner", "gear", "outdoor", "review", "daily", "trail", "fitness", "deals", "city", "sports"] as const;
const REFERRAL_TLDS = ["com", "net", "org", "io", "co.uk", "de", "blog"] as const;

type LandingKind = "direct" | "search" | "social" | "utm" | "click_id" | "ai" | "referral" | "webmail" | "ignored";
const LANDING_KINDS: ReadonlyArray<readonly [number, LandingKind]> = [
  [24, "direct"],
  [23, "search"],
  [12, "social"],
  [15, "utm"],
  [8, "click_id"],
  [5, "ai"],
  [9, "referral"],
  [3, "webmail"],
  [1, "ignored"],
];

function utmQuery(u: Utm): string {
  let q = `utm_source=${encodeURIComponent(u.source)}&utm_medium=${encodeURIComponent(u.medium)}&utm_campaign=${encodeURIComponent(u.name)}`;
  if (u.term !== undefined) q += `&utm_term=${encodeURIComponent(u.term)}`;
  if (u.content !== undefined) q += `&utm_content=${encodeURIComponent(u.content)}`;
  return q;
}

/** Where one visit comes from. */
export function randomLanding(r: Random): Landing {
  switch (r.weighted(LANDING_KINDS)) {
    case "direct":
      return { query: "", referrer: "", campaign: null };
    case "search":
      return { query: "", referrer: r.weighted(SEARCH_REFERRERS), campaign: null };
    case "social":
      return { query: "", referrer: r.weighted(SOCIAL_REFERRERS), campaign: null };
    case "utm": {
      const u = r.weighted(UTMS);
      const referrer =
        u.medium === "email" ? r.pick(["", "https://mail.google.com/"]) : u.medium === "cpc" && u.source === "google" ? "https://www.google.com/" : "";
      return { query: utmQuery(u), referrer, campaign: { ...u } };
    }
    case "click_id": {
      const c = r.weighted(CLICK_IDS);
      return { query: `${c.param}=${r.hex(8)}${r.hex(16)}`, referrer: c.referrer, campaign: null };
    }
    case "ai": {
      const referrer = r.pick(AI_REFERRERS);
      // ChatGPT adds utm_source=chatgpt.com to the links it cites.
      return referrer === "https://chatgpt.com/" && r.chance(0.6)
        ? { query: "utm_source=chatgpt.com", referrer, campaign: { source: "chatgpt.com" } }
        : { query: "", referrer, campaign: null };
    }
    case "referral": {
      const host = `${r.pick(["www.", "blog.", ""])}${r.pick(REFERRAL_WORDS)}${r.pick(REFERRAL_WORDS)}${r.int(1, 400)}.${r.pick(REFERRAL_TLDS)}`;
      return { query: "", referrer: `https://${host}/${r.pick(["", "best-shoes-2026", "reviews/trail", "forum/thread/88"])}`, campaign: null };
    }
    case "webmail":
      return { query: "", referrer: r.pick(WEBMAIL_REFERRERS), campaign: null };
    case "ignored":
      return { query: "", referrer: r.pick(IGNORED_REFERRERS), campaign: null };
  }
}

const PATHS = ["/", "/products/trail-runner", "/products/road-racer", "/collections/sale", "/collections/new", "/blog/how-to-choose", "/cart", "/about", "/products/socks-3-pack", "/search"] as const;
const TITLES: Record<string, string> = {
  "/": "Shoe Shop — Running shoes",
  "/cart": "Your cart",
  "/about": "About us",
  "/search": "Search",
};
const titleOf = (path: string) => TITLES[path] ?? `${path.split("/").pop() ?? "page"} | Shoe Shop`;

const USER_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
] as const;

// ---------------------------------------------------------------------------------------------
// Persons

const DAY = 86_400_000;
const MINUTE = 60_000;
const DEFAULT_START = Date.UTC(2026, 0, 1);

interface Device {
  anonymousId: string;
  userAgent: string;
  ip: string;
  /** Once the person identified on this device, analytics.js adds the userId to every call. */
  identified: boolean;
}

/** Generates one person (deterministic in seed and index). */
export function generatePerson(index: number, opts: DatasetOptions): GeneratedPerson {
  const seed = opts.seed ?? 1;
  const r = new Random(seed, index);
  const target = opts.messagesPerPerson ?? 10;
  const start = opts.start ?? DEFAULT_START;
  const days = opts.days ?? 60;
  const prefix = `s${seed.toString(36)}`;

  const deviceCount = r.weighted([
    [72, 1],
    [20, 2],
    [8, 3],
  ] as const);
  const converts = r.chance(opts.conversionRate ?? 0.03);
  const identifies = converts || deviceCount > 1 || r.chance(opts.identifyRate ?? 0.3);
  const userId = identifies ? `${prefix}-user-${index}` : null;
  const email = identifies ? `customer.${prefix}.${index}@mail.example` : null;
  const devices: Device[] = Array.from({ length: deviceCount }, () => ({
    anonymousId: r.uuid(),
    userAgent: r.pick(USER_AGENTS),
    ip: `${r.int(11, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    identified: false,
  }));

  // Browsing messages (pages and product tracks) fill what identifies and the order leave of
  // the target, so the dataset's mean is the target whatever the mix.
  const fixed = (identifies ? deviceCount : 0) + (converts ? 2 : 0);
  const browsingMean = Math.max(deviceCount, target - fixed);
  const browsing = Math.min(400, Math.max(deviceCount, 1 + Math.round(r.exponential(browsingMean - 1 + 0.5) - 0.5)));
  const visitCount = Math.max(deviceCount, Math.min(browsing, Math.round(browsing / r.int(2, 5)) || 1));
  const perVisit = new Array<number>(visitCount).fill(1);
  for (let left = browsing - visitCount; left > 0; left--) perVisit[r.int(0, visitCount - 1)]! += 1;

  // Each device gets at least one visit; visits are hours to days apart.
  const deviceOfVisit = Array.from({ length: visitCount }, (_, v) => (v < deviceCount ? v : r.int(0, deviceCount - 1)));
  for (let i = Math.min(deviceCount, visitCount) - 1; i > 0; i--) {
    const j = r.int(0, i);
    [deviceOfVisit[i], deviceOfVisit[j]] = [deviceOfVisit[j]!, deviceOfVisit[i]!];
  }

  const messages: SegmentMessage[] = [];
  // Random, like analytics.js's ids (so the messageId index sees random inserts, as in production).
  const messageId = () => `ajs-next-${r.hex(32)}`;
  let at = start + Math.floor(r.next() * days * DAY);

  const base = (d: Device, type: string, t: number): SegmentMessage => {
    const iso = new Date(t).toISOString();
    const sent = new Date(t + r.int(5, 900)).toISOString();
    return {
      type,
      messageId: messageId(),
      anonymousId: d.anonymousId,
      ...(d.identified && userId !== null ? { userId } : {}),
      channel: "client",
      originalTimestamp: iso,
      sentAt: sent,
      receivedAt: sent,
      timestamp: iso,
      version: 2,
      integrations: {},
    };
  };
  const context = (d: Device, extra: Record<string, unknown>) => ({
    ip: d.ip,
    library: { name: "analytics.js", version: "npm:next-1.76.0" },
    locale: "en-US",
    userAgent: d.userAgent,
    ...extra,
  });

  for (let v = 0; v < visitCount; v++) {
    const device = devices[deviceOfVisit[v]!]!;
    const landing = randomLanding(r);
    let previousUrl: string | null = null;
    for (let n = 0; n < perVisit[v]!; n++) {
      if (n > 0) at += r.int(15_000, 4 * MINUTE);
      const path = r.pick(PATHS);
      const search = n === 0 && landing.query !== "" ? `?${landing.query}` : "";
      const url = `https://${DATASET_SITE}${path}${search}`;
      const referrer = previousUrl ?? landing.referrer;
      if (n > 0 && r.chance(0.2)) {
        const m = base(device, "track", at);
        m.event = "Product Viewed";
        m.properties = { product_id: `sku-${r.int(1, 80)}`, name: "Trail Runner", price: r.int(40, 180), currency: "USD", url };
        m.context = context(device, { page: { path, referrer, search: "", title: titleOf(path), url } });
        messages.push(m);
        continue;
      }
      const m = base(device, "page", at);
      const page = { path, referrer, search, title: titleOf(path), url };
      m.name = titleOf(path);
      m.properties = { ...page };
      m.context = context(device, { page, ...(n === 0 && landing.campaign ? { campaign: landing.campaign } : {}) });
      messages.push(m);
      previousUrl = url;

      if (n === 0 && identifies && !device.identified) {
        // Logs in on this device: identify (with the email trait), then every call carries the userId.
        at += r.int(20_000, 2 * MINUTE);
        device.identified = true;
        const id = base(device, "identify", at);
        id.traits = { email, first_name: "Alex", last_name: `Doe${index}`, plan: r.pick(["free", "pro"]) };
        id.context = context(device, { page });
        messages.push(id);
      }
    }
    if (converts && v === visitCount - 1) {
      at += r.int(30_000, 5 * MINUTE);
      const checkout = base(device, "track", at);
      checkout.event = "Checkout Started";
      checkout.properties = { order_id: `o-${prefix}-${index}`, value: 0, currency: "USD" };
      checkout.context = context(device, {});
      messages.push(checkout);
      at += r.int(30_000, 5 * MINUTE);
      const order = base(device, "track", at);
      const price = r.int(20, 400);
      const quantity = r.int(1, 3);
      order.event = "Order Completed";
      order.properties = {
        order_id: `o-${prefix}-${index}`,
        revenue: price * quantity,
        currency: "USD",
        products: [{ product_id: `sku-${r.int(1, 80)}`, price, quantity }],
      };
      order.context = context(device, {});
      messages.push(order);
    }
    // The next visit starts after the session timeout: between an hour and a few days later.
    at += Math.round(60 * MINUTE + r.exponential(2 * DAY));
  }
  return { index, anonymousIds: devices.map((d) => d.anonymousId), userId, email, converts, messages };
}

/** Persons `firstPerson .. firstPerson + persons - 1`, one at a time. */
export function* generatePersons(opts: DatasetOptions): Generator<GeneratedPerson> {
  const first = opts.firstPerson ?? 0;
  for (let i = first; i < first + opts.persons; i++) yield generatePerson(i, opts);
}

/** Every message of the dataset, person after person (each person's oldest first). */
export function* generateMessages(opts: DatasetOptions): Generator<SegmentMessage> {
  for (const person of generatePersons(opts)) yield* person.messages;
}

/** The messages in arrays of `size` (e.g. webhook batches or import chunks). */
export function* inChunks<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** A (URL, referrer, campaign) triple as the classifier sees it. */
export interface ClassificationCase {
  url: string;
  referrer: string | null;
  campaign: Record<string, string> | null;
}

/**
 * `n` page calls as the classifier sees them: visit landings from every kind of source (about
 * 60 %) and internal navigation (about 40 %), as in real traffic.
 */
export function classificationCorpus(n: number, seed = 1): ClassificationCase[] {
  const r = new Random(seed, 0x5eed);
  const out: ClassificationCase[] = [];
  for (let i = 0; i < n; i++) {
    const path = r.pick(PATHS);
    if (r.chance(0.4)) {
      out.push({ url: `https://${DATASET_SITE}${path}`, referrer: `https://${DATASET_SITE}${r.pick(PATHS)}`, campaign: null });
      continue;
    }
    const landing = randomLanding(r);
    out.push({
      url: `https://${DATASET_SITE}${path}${landing.query !== "" ? `?${landing.query}` : ""}`,
      referrer: landing.referrer === "" ? null : landing.referrer,
      campaign: landing.campaign,
    });
  }
  return out;
}

/** Writes messages as JSON lines (a Segment archive export), with backpressure. */
export async function writeJsonLines(path: string, messages: Iterable<SegmentMessage>): Promise<{ messages: number; bytes: number }> {
  const out = createWriteStream(path);
  let count = 0;
  let bytes = 0;
  let buffer = "";
  const flush = async () => {
    if (buffer === "") return;
    bytes += Buffer.byteLength(buffer);
    const ok = out.write(buffer);
    buffer = "";
    if (!ok) await once(out, "drain");
  };
  for (const m of messages) {
    buffer += `${JSON.stringify(m)}\n`;
    count++;
    if (buffer.length >= 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, "finish");
  return { messages: count, bytes };
}
