/**
 * One host → referrer lookup, built once per classifier from five lists: our
 * AI assistants list (data/ai-assistants.json) and overlay
 * (data/referrer-overlay.json), the dated snapshot of snowplow's current
 * referer-parser database (data/referrers-upstream.json), referer-parser's
 * 2013 referers.yml, and the dotted entries of Google's source-category list.
 *
 * Lookup is "most specific host wins": exact host (without `www.`), then the
 * host minus its first label, and so on (`l.facebook.com` → `facebook.com`,
 * `google.co.uk` found as is, `gemini.google.com` before `google.com`). That
 * is also why referer-parser's `unknown` section matters: `docs.google.com`
 * is known *not* to be Google search. Entries with a path (`icloud.com/mail`,
 * `kagi.com/assistant`) are checked before the bare host at the same level.
 *
 * When several lists name the same host: ours (AI list, overlay) win; then
 * snowplow's current snapshot beats its 2013 list; between snowplow and
 * Google's list, Google's video and shopping sites win over snowplow's search,
 * social and paid (DESIGN.md checks video/shopping before search and social:
 * youtube.com is `social` for snowplow, `video` for Google), a known medium
 * beats `unknown`, and otherwise snowplow wins (it has provider names).
 *
 * Upstream media: snowplow's `chatbot` is our `ai`, `paid` (ad networks) is
 * kept, Ghost's `referral` (a plain referral it names) reads as `unknown`.
 */
import type { ClassifierData, Ga4Category, ReferrerSections } from "./dataFiles.js";
import { stripWww } from "./urlParts.js";

export type ReferrerMedium = "ai" | "email" | "video" | "shopping" | "search" | "social" | "paid" | "unknown";

export interface ReferrerEntry {
  medium: ReferrerMedium;
  /** Reported source for search/social/email/paid providers (e.g. `google`); null: report the host. */
  name: string | null;
  /** Search-term query parameters (lower-case), if any. */
  params: readonly string[] | null;
}

export interface ReferrerDatabase {
  /** `host` must be lower-case and without `www.`. */
  lookup(host: string, path: string): ReferrerEntry | undefined;
  /** Google's source category of a source value (name or host), extended with our overlay. */
  categoryOfSource(source: string): Ga4Category | null;
  /** A source value that names an AI assistant (a host or name of data/ai-assistants.json). */
  isAiSource(source: string): boolean;
}

/** Section name in a data file → our medium. */
const MEDIUM_OF: Readonly<Record<string, ReferrerMedium>> = {
  ai: "ai",
  chatbot: "ai",
  email: "email",
  video: "video",
  shopping: "shopping",
  search: "search",
  social: "social",
  paid: "paid",
  unknown: "unknown",
  referral: "unknown",
};
const CATEGORY_OF: Partial<Record<ReferrerMedium, Ga4Category>> = {
  search: "search",
  social: "social",
  video: "video",
  shopping: "shopping",
};

// Which list an entry came from (see prefer()).
const Origin = { Ours: 0, Upstream: 1, Legacy: 2, Google: 3 } as const;
type Origin = (typeof Origin)[keyof typeof Origin];
interface Candidate {
  entry: ReferrerEntry;
  origin: Origin;
}
interface PathEntry {
  prefix: string;
  entry: ReferrerEntry;
}

export function buildReferrerDatabase(data: ClassifierData): ReferrerDatabase {
  const names = new Map(Object.entries(data.overlay.names).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
  const canonical = (name: string): string => names.get(name.toLowerCase()) ?? name.toLowerCase();
  const candidates = new Map<string, Candidate>();

  const aiEntry: ReferrerEntry = { medium: "ai", name: null, params: null };
  const aiNames = new Set<string>();
  for (const [name, assistant] of Object.entries(data.aiAssistants.assistants)) {
    aiNames.add(name.toLowerCase());
    for (const n of assistant.sourceNames ?? []) aiNames.add(n.toLowerCase());
    for (const domain of assistant.domains) offer(candidates, normaliseDomain(domain), { entry: aiEntry, origin: Origin.Ours });
  }
  addSections(candidates, data.overlay.referrers, Origin.Ours, canonical);
  addSections(candidates, data.upstream.referrers, Origin.Upstream, canonical);
  addSections(candidates, data.refererParser, Origin.Legacy, canonical);
  for (const [source, category] of data.ga4Categories) {
    if (source.includes(".") && !source.includes(" ")) {
      offer(candidates, stripWww(source), { entry: { medium: category, name: null, params: null }, origin: Origin.Google });
    }
  }

  // Search-term parameters by provider name, for entries of a list that has none (Ghost's host
  // map): ours first, then snowplow's, then the 2013 list.
  const paramsOf = new Map<string, readonly string[]>();
  for (const sections of [data.overlay.referrers, data.upstream.referrers, data.refererParser]) {
    for (const [name, provider] of Object.entries(sections["search"] ?? {})) {
      const key = canonical(name);
      if (provider.parameters && provider.parameters.length > 0 && !paramsOf.has(key)) {
        paramsOf.set(key, provider.parameters.map((p) => p.toLowerCase()));
      }
    }
  }
  const withParams = new Map<ReferrerEntry, ReferrerEntry>();
  const completed = (entry: ReferrerEntry): ReferrerEntry => {
    if (entry.medium !== "search" || entry.params !== null || entry.name === null) return entry;
    const params = paramsOf.get(entry.name);
    if (params === undefined) return entry;
    let e = withParams.get(entry);
    if (e === undefined) {
      e = { ...entry, params };
      withParams.set(entry, e);
    }
    return e;
  };

  const hosts = new Map<string, ReferrerEntry>();
  const paths = new Map<string, PathEntry[]>();
  for (const [key, candidate] of candidates) {
    const entry = completed(candidate.entry);
    const slash = key.indexOf("/");
    if (slash < 0) {
      hosts.set(key, entry);
      continue;
    }
    const host = key.slice(0, slash);
    const list = paths.get(host) ?? [];
    list.push({ prefix: key.slice(slash), entry });
    paths.set(host, list);
  }

  // Google's list first; our overlay's provider names extend it (e.g. `threads`, `brave`).
  const nameCategories = new Map<string, Ga4Category>();
  for (const [medium, providers] of Object.entries(data.overlay.referrers)) {
    const category = CATEGORY_OF[medium as ReferrerMedium];
    if (category === undefined || !providers) continue;
    for (const name of Object.keys(providers)) nameCategories.set(canonical(name), category);
  }
  for (const [source, category] of data.ga4Categories) nameCategories.set(source, category);

  const lookup = (host: string, path: string): ReferrerEntry | undefined => {
    let h = host;
    for (;;) {
      const withPath = paths.get(h);
      if (withPath !== undefined) {
        for (const p of withPath) if (path.startsWith(p.prefix)) return p.entry;
      }
      const entry = hosts.get(h);
      if (entry !== undefined) return entry;
      const dot = h.indexOf(".");
      if (dot < 0) return undefined;
      h = h.slice(dot + 1);
    }
  };

  return {
    lookup,
    categoryOfSource(source) {
      const s = stripWww(source);
      const listed = nameCategories.get(s);
      if (listed !== undefined) return listed;
      if (!s.includes(".")) return null;
      const medium = lookup(s, "")?.medium;
      return medium === undefined ? null : (CATEGORY_OF[medium] ?? null);
    },
    isAiSource(source) {
      if (aiNames.has(source)) return true;
      return source.includes(".") && lookup(stripWww(source), "")?.medium === "ai";
    },
  };
}

function addSections(
  into: Map<string, Candidate>,
  sections: ReferrerSections,
  origin: Origin,
  canonical: (name: string) => string,
): void {
  for (const [section, providers] of Object.entries(sections)) {
    const medium = MEDIUM_OF[section];
    if (medium === undefined) throw new Error(`Unknown referrer medium "${section}" in classifier data`);
    if (!providers) continue;
    for (const [name, provider] of Object.entries(providers)) {
      const params = provider.parameters?.map((p) => p.toLowerCase()) ?? null;
      const entry: ReferrerEntry = { medium, name: medium === "ai" ? null : canonical(name), params };
      for (const domain of provider.domains ?? []) offer(into, normaliseDomain(domain), { entry, origin });
    }
  }
}

/** `www.X.com/path/` → `x.com/path/`: keys are lower-case, without `www.`. */
function normaliseDomain(domain: string): string {
  return stripWww(domain.trim().toLowerCase());
}

function offer(into: Map<string, Candidate>, key: string, candidate: Candidate): void {
  const current = into.get(key);
  if (current === undefined || prefer(candidate, current)) into.set(key, candidate);
}

/** Whether `a` should replace `b` for the same key (see the header for the order). */
function prefer(a: Candidate, b: Candidate): boolean {
  // Inside one list: a known medium beats `unknown`, else the first entry stays.
  if (a.origin === b.origin) return a.entry.medium !== "unknown" && b.entry.medium === "unknown";
  if (a.origin === Origin.Ours || b.origin === Origin.Ours) return a.origin === Origin.Ours;
  if (a.origin !== Origin.Google && b.origin !== Origin.Google) return a.origin < b.origin;
  const [google, snowplow] = a.origin === Origin.Google ? [a, b] : [b, a];
  const googleWins =
    ((google.entry.medium === "video" || google.entry.medium === "shopping") &&
      snowplow.entry.medium !== "email" &&
      snowplow.entry.medium !== "ai") ||
    (snowplow.entry.medium === "unknown" && google.entry.medium !== "unknown");
  return googleWins === (a === google);
}
