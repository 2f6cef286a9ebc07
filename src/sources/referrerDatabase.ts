/**
 * One host → referrer lookup, built once per classifier from three lists:
 * our overlay (data/referrer-overlay.json), referer-parser's referers.yml and
 * the dotted entries of Google's source-category list.
 *
 * Lookup is "most specific host wins": exact host (without `www.`), then the
 * host minus its first label, and so on (`l.facebook.com` → `facebook.com`,
 * `google.co.uk` found as is, `gemini.google.com` before `google.com`). That
 * is also why referer-parser's `unknown` section matters: `docs.google.com`
 * is known *not* to be Google search. Entries with a path (`icloud.com/mail`,
 * `google.com/imgres`) are checked before the bare host at the same level.
 *
 * When two lists name the same host: the overlay wins (it is our correction);
 * otherwise a known medium beats `unknown`; otherwise referer-parser beats
 * Google's list (it has provider names).
 */
import type { ClassifierData, Ga4Category, ReferrerSections } from "./dataFiles.js";
import { stripWww } from "./urlParts.js";

export type ReferrerMedium = "ai" | "email" | "video" | "shopping" | "search" | "social" | "unknown";

export interface ReferrerEntry {
  medium: ReferrerMedium;
  /** Reported source for search/social/email providers (e.g. `google`); null: report the host. */
  name: string | null;
  /** Search-term query parameters (lower-case), if any. */
  params: readonly string[] | null;
}

export interface ReferrerDatabase {
  /** `host` must be lower-case and without `www.`. */
  lookup(host: string, path: string): ReferrerEntry | undefined;
  /** Google's source category of a source value (name or host), extended with our overlay. */
  categoryOfSource(source: string): Ga4Category | null;
  /** A source value that names an AI assistant (host or one of the overlay's AI names). */
  isAiSource(source: string): boolean;
}

const MEDIA: ReadonlySet<string> = new Set(["ai", "email", "video", "shopping", "search", "social", "unknown"]);
const CATEGORY_OF: Partial<Record<ReferrerMedium, Ga4Category>> = {
  search: "search",
  social: "social",
  video: "video",
  shopping: "shopping",
};

// Which list an entry came from; lower wins a tie (see beats()).
const Origin = { Overlay: 0, RefererParser: 1, Google: 2 } as const;
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

  addSections(candidates, data.overlay.referrers, Origin.Overlay, canonical);
  addSections(candidates, data.refererParser, Origin.RefererParser, canonical);
  for (const [source, category] of data.ga4Categories) {
    if (source.includes(".") && !source.includes(" ")) {
      offer(candidates, stripWww(source), { entry: { medium: category, name: null, params: null }, origin: Origin.Google });
    }
  }

  const hosts = new Map<string, ReferrerEntry>();
  const paths = new Map<string, PathEntry[]>();
  for (const [key, { entry }] of candidates) {
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
  const aiNames = new Set(data.overlay.aiSourceNames.map((n) => n.toLowerCase()));

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
  for (const [medium, providers] of Object.entries(sections)) {
    if (!MEDIA.has(medium)) throw new Error(`Unknown referrer medium "${medium}" in classifier data`);
    if (!providers) continue;
    for (const [name, provider] of Object.entries(providers)) {
      const params = provider.parameters?.map((p) => p.toLowerCase()) ?? null;
      const entry: ReferrerEntry = { medium: medium as ReferrerMedium, name: canonical(name), params };
      for (const domain of provider.domains ?? []) {
        offer(into, stripWww(domain.trim().toLowerCase()), { entry, origin });
      }
    }
  }
}

function offer(into: Map<string, Candidate>, key: string, candidate: Candidate): void {
  const current = into.get(key);
  if (current === undefined || beats(candidate, current)) into.set(key, candidate);
}

function beats(a: Candidate, b: Candidate): boolean {
  if ((a.origin === Origin.Overlay) !== (b.origin === Origin.Overlay)) return a.origin === Origin.Overlay;
  const aKnown = a.entry.medium !== "unknown";
  if (aKnown !== (b.entry.medium !== "unknown")) return aKnown;
  return a.origin < b.origin;
}
