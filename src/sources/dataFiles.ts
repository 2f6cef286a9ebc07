/**
 * Reads the classifier's data files: the dated snapshot of snowplow's current
 * referer-parser database (data/referrers-upstream.json, written by
 * `npm run refresh-referrers`), referer-parser's 2013 referers.yml bundled
 * with the `referer-parser` package (read directly: its index.js parses it
 * with an old js-yaml at import time; only hosts the snapshot lacks and
 * search-term parameters are taken from it), our overlay, the AI assistants
 * list, Google's source categories and the built-in ignored referrers.
 *
 * The files are parsed on the first createClassifier() call and kept: they are
 * immutable data and referers.yml alone takes ~150 ms to parse.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const DATA_DIR = new URL("../../data/", import.meta.url);

const sectionSchema = z.record(
  z.string(),
  z.object({
    domains: z.array(z.string()).nullish(),
    parameters: z.array(z.string()).nullish(),
  }),
);
const sectionsSchema = z.record(z.string(), sectionSchema.nullish());
/** referers.yml shape: medium → provider name → domains (+ search parameters). */
export type ReferrerSections = z.infer<typeof sectionsSchema>;

const overlaySchema = z.object({
  names: z.record(z.string(), z.string()),
  referrers: sectionsSchema,
});
export type ReferrerOverlay = z.infer<typeof overlaySchema>;

const upstreamSchema = z.object({
  source: z.string(),
  refreshed: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  referrers: sectionsSchema,
});
/** data/referrers-upstream.json: snowplow's database as of `refreshed`. */
export type UpstreamReferrers = z.infer<typeof upstreamSchema>;

const aiSchema = z.object({
  assistants: z.record(
    z.string(),
    z.object({
      /** Referrer hosts (subdomains included), optionally with a path prefix (`x.com/i/grok`). */
      domains: z.array(z.string().min(1)).min(1),
      /** utm_source values, besides the hosts, that name this assistant. */
      sourceNames: z.array(z.string().min(1)).optional(),
    }),
  ),
});
export type AiAssistants = z.infer<typeof aiSchema>;

const ignoredSchema = z.object({ hosts: z.array(z.string()) });

export type Ga4Category = "search" | "social" | "video" | "shopping";
const GA4_CATEGORY: Readonly<Record<string, Ga4Category>> = {
  SOURCE_CATEGORY_SEARCH: "search",
  SOURCE_CATEGORY_SOCIAL: "social",
  SOURCE_CATEGORY_VIDEO: "video",
  SOURCE_CATEGORY_SHOPPING: "shopping",
};

export interface ClassifierData {
  /** Snowplow's current database (dated snapshot). */
  upstream: UpstreamReferrers;
  /** referer-parser's 2013 list: fallback hosts and search-term parameters. */
  refererParser: ReferrerSections;
  overlay: ReferrerOverlay;
  aiAssistants: AiAssistants;
  /** Google's "source categories" list, lower-cased source → category. */
  ga4Categories: ReadonlyMap<string, Ga4Category>;
  ignoredHosts: readonly string[];
}

let cached: ClassifierData | undefined;

/** The shipped data files (parsed once); `override.upstream` replaces the snapshot (refresh script, tests). */
export function loadClassifierData(override?: { upstream: UpstreamReferrers }): ClassifierData {
  if (override !== undefined) return { ...loadRest(), upstream: override.upstream };
  cached ??= {
    ...loadRest(),
    upstream: parseUpstreamReferrers(JSON.parse(readData("referrers-upstream.json")), "data/referrers-upstream.json"),
  };
  return cached;
}

let rest: Omit<ClassifierData, "upstream"> | undefined;

function loadRest(): Omit<ClassifierData, "upstream"> {
  rest ??= {
    refererParser: parseWith(sectionsSchema, readRefererParserYaml(), "referer-parser/data/referers.yml"),
    overlay: parseWith(overlaySchema, JSON.parse(readData("referrer-overlay.json")), "data/referrer-overlay.json"),
    aiAssistants: parseWith(aiSchema, JSON.parse(readData("ai-assistants.json")), "data/ai-assistants.json"),
    ga4Categories: parseGa4Categories(readData("ga4-source-categories.csv")),
    ignoredHosts: parseWith(ignoredSchema, JSON.parse(readData("ignored-referrers.json")), "data/ignored-referrers.json")
      .hosts,
  };
  return rest;
}

/** Validates a referrers-upstream.json document; throws naming `file`. */
export function parseUpstreamReferrers(value: unknown, file: string): UpstreamReferrers {
  return parseWith(upstreamSchema, value, file);
}

function readData(name: string): string {
  return readFileSync(new URL(name, DATA_DIR), "utf8");
}

function readRefererParserYaml(): unknown {
  const file = createRequire(import.meta.url).resolve("referer-parser/data/referers.yml");
  // The 2013 file repeats some provider names inside a section; the last one wins, as in js-yaml.
  return parseYaml(readFileSync(file, "utf8"), { uniqueKeys: false });
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Bad classifier data file ${file}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function parseGa4Categories(csv: string): Map<string, Ga4Category> {
  const categories = new Map<string, Ga4Category>();
  const lines = csv.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    const comma = line.lastIndexOf(",");
    const category = GA4_CATEGORY[line.slice(comma + 1)];
    if (comma <= 0 || category === undefined) {
      throw new Error(`Bad classifier data file data/ga4-source-categories.csv, line ${i + 1}: ${line}`);
    }
    categories.set(line.slice(0, comma).toLowerCase(), category);
  }
  return categories;
}
