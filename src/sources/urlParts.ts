/**
 * A hand-rolled URL splitter for landing pages and referrers.
 *
 * Why not `new URL()`: it is the slowest part of classifying a call, it
 * throws on every malformed string Segment relays (and browsers send plenty),
 * and we only ever need three things: host, path and the raw query. Each input
 * string is split once; nothing here throws.
 */

export interface UrlParts {
  /** Lower-cased host without port, user info or trailing dot. */
  host: string;
  /** Path as sent (may be ""), without query or fragment. */
  path: string;
  /** Raw query string without the leading `?` (may be ""). */
  query: string;
}


const SLASH = 47;
const QUESTION = 63;
const HASH = 35;
const BACKSLASH = 92;

/**
 * Splits a URL into host, path and query; null when it has no usable host.
 * Accepts `scheme://host/...`, protocol-relative `//host/...` and, as people
 * and some SDKs send them, scheme-less `host.tld/...` (`shop.example/?utm_source=x`):
 * a first segment that is a dotted host name, with an optional numeric port.
 */
export function splitUrl(raw: string | null | undefined): UrlParts | null {
  if (typeof raw !== "string") return null;
  const s = raw.trim();
  const sep = s.indexOf("://");
  let start: number;
  if (sep > 0 && isScheme(s, sep)) start = sep + 3;
  else if (s.startsWith("//")) start = 2;
  else if (isBareHostStart(s)) start = 0;
  else return null;

  const len = s.length;
  let end = start;
  while (end < len) {
    const c = s.charCodeAt(end);
    if (c === SLASH || c === QUESTION || c === HASH || c === BACKSLASH) break;
    end++;
  }
  const host = hostOf(s.slice(start, end));
  if (host === null) return null;

  const hash = s.indexOf("#", end);
  const stop = hash < 0 ? len : hash;
  const q = s.indexOf("?", end);
  if (q >= 0 && q < stop) return { host, path: s.slice(end, q), query: s.slice(q + 1, stop) };
  return { host, path: s.slice(end, stop), query: "" };
}

/**
 * Whether `s` starts with `host.tld[:port]` followed by the end, `/`, `?` or `#`: a scheme-less
 * URL. `javascript:alert(1)`, `mailto:x@y`, `/path` and `localhost/x` are not.
 */
function isBareHostStart(s: string): boolean {
  let end = 0;
  while (end < s.length) {
    const c = s.charCodeAt(end);
    if (c === SLASH || c === QUESTION || c === HASH || c === BACKSLASH) break;
    end++;
  }
  const authority = s.slice(0, end);
  const colon = authority.indexOf(":");
  const host = colon < 0 ? authority : authority.slice(0, colon);
  if (colon >= 0) {
    const port = authority.slice(colon + 1);
    if (port === "" || port.length > 5) return false;
    for (let i = 0; i < port.length; i++) if (!isDigit(port.charCodeAt(i))) return false;
  }
  const dot = host.indexOf(".");
  return dot > 0 && dot < host.length - 1 && !host.includes("@") && isHost(host.toLowerCase());
}

/** The raw query of a path-only URL (`/landing?utm_source=x#top`), "" when it has none. */
export function queryOfPath(raw: string | null | undefined): string {
  if (typeof raw !== "string" || !raw.startsWith("/")) return "";
  const q = raw.indexOf("?");
  if (q < 0) return "";
  const hash = raw.indexOf("#", q);
  return raw.slice(q + 1, hash < 0 ? raw.length : hash).trim();
}

function hostOf(authority: string): string | null {
  const at = authority.lastIndexOf("@");
  let host = at >= 0 ? authority.slice(at + 1) : authority;
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    if (close < 0) return null;
    host = host.slice(0, close + 1);
  } else {
    const colon = host.indexOf(":");
    if (colon >= 0) host = host.slice(0, colon);
  }
  host = host.toLowerCase();
  if (host.endsWith(".")) host = host.slice(0, -1);
  // 253: DNS's limit on a name; it also bounds the label walk of every lookup.
  if (host === "" || host.length > 253 || !isHost(host)) return null;
  return host;
}

/** RFC 3986 scheme: a letter, then letters, digits, `+`, `-`, `.`. */
function isScheme(s: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i) | 0x20; // ASCII lower-case
    const letter = c >= 97 && c <= 122;
    if (i === 0 ? !letter : !(letter || isDigit(s.charCodeAt(i)) || c === 43 /* + */ || c === 45 /* - */ || c === 46 /* . */)) {
      return false;
    }
  }
  return true;
}

/** Letters, digits, `-`, `_`, `.`, any non-ASCII (IDN) character, or a bracketed IPv6 address. */
function isHost(host: string): boolean {
  if (host.charCodeAt(0) === 91 /* [ */) return host.length > 2 && host.endsWith("]");
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || isDigit(c) || c === 45 || c === 46 || c === 95 || c > 127;
    if (!ok) return false;
  }
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `www.example.com` → `example.com`: reports and comparisons ignore the `www.` label. */
export function stripWww(host: string): string {
  return host.startsWith("www.") ? host.slice(4) : host;
}

/** Decodes one query-string component (`+` is a space); a malformed escape keeps the raw text. */
export function decodeQueryComponent(raw: string): string {
  const spaced = raw.includes("+") ? raw.replaceAll("+", " ") : raw;
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * Calls `visit(lowerCasedKey, rawValue)` for each `key=value` pair of a raw
 * query string, without building an intermediate object. Values stay raw so
 * callers decode only the few parameters they care about.
 */
export function forEachQueryParam(query: string, visit: (key: string, rawValue: string) => void): void {
  let i = 0;
  const len = query.length;
  while (i < len) {
    let amp = query.indexOf("&", i);
    if (amp < 0) amp = len;
    if (amp > i) {
      const eq = query.indexOf("=", i);
      const hasValue = eq >= 0 && eq < amp;
      const rawKey = query.slice(i, hasValue ? eq : amp);
      const key = (rawKey.includes("%") ? decodeQueryComponent(rawKey) : rawKey).toLowerCase();
      visit(key, hasValue ? query.slice(eq + 1, amp) : "");
    }
    i = amp + 1;
  }
}
