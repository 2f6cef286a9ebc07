/**
 * Sets of domains matched with their subdomains: SITE_DOMAINS (internal
 * referrers) and ignored referrers. A lookup walks the host's labels
 * (`a.b.example.com` → `b.example.com` → `example.com` → `com`): O(labels),
 * no regex, no per-call allocation beyond the substrings.
 */
import { splitUrl, stripWww } from "./urlParts.js";

/** Normalises configured domains: lower-case; tolerates `www.`, `*.`, a leading dot or a whole URL. */
export function buildDomainSet(domains: Iterable<string>): ReadonlySet<string> {
  const set = new Set<string>();
  for (const raw of domains) {
    let d = raw.trim().toLowerCase();
    if (d.includes("://")) d = splitUrl(d)?.host ?? "";
    if (d.startsWith("*.")) d = d.slice(2);
    if (d.startsWith(".")) d = d.slice(1);
    if (d.endsWith(".")) d = d.slice(0, -1);
    d = stripWww(d);
    if (d !== "") set.add(d);
  }
  return set;
}

/** True when `host` (already without `www.`) is in the set or a subdomain of a member. */
export function inDomainSet(set: ReadonlySet<string>, host: string): boolean {
  if (set.size === 0) return false;
  let h = host;
  for (;;) {
    if (set.has(h)) return true;
    const dot = h.indexOf(".");
    if (dot < 0) return false;
    h = h.slice(dot + 1);
  }
}
