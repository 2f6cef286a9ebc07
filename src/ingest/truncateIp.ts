import { isIP } from "node:net";

/**
 * IPv6 prefixes whose last 32 bits are an IPv4 address (RFC 4291 mapped, RFC 6052 / 8215 NAT64
 * translation, the deprecated "IPv4-compatible" ::/96): such an address is the IPv4 client,
 * so it is truncated like IPv4, whichever notation (dotted or hex) it was written in.
 */
const IPV4_IN_IPV6: ReadonlyArray<{ prefix: readonly number[]; label: string }> = [
  { prefix: [0, 0, 0, 0, 0, 0xffff], label: "::ffff:" },
  { prefix: [0x64, 0xff9b, 0, 0, 0, 0], label: "64:ff9b::" },
  { prefix: [0x64, 0xff9b, 1, 0, 0, 0], label: "64:ff9b:1::" },
  { prefix: [0, 0, 0, 0, 0, 0], label: "::" },
];

/**
 * Anonymises an IP address as DESIGN.md requires: IPv4 keeps its first three octets,
 * IPv6 its first 48 bits (the last 80 are zeroed). Anything unparseable is dropped.
 */
export function truncateIp(ip: string): string | null {
  const value = ip.trim();
  const version = isIP(value);
  if (version === 4) return value.replace(/\.\d+$/, ".0");
  if (version !== 6) return null;
  const groups = expandIpv6(value);
  for (const { prefix, label } of IPV4_IN_IPV6) {
    // ::/96 holds :: and ::1 too, which are not IPv4 clients.
    if (label === "::" && groups[6] === 0) continue;
    if (prefix.every((g, i) => groups[i] === g)) {
      const [hi = 0, lo = 0] = groups.slice(6);
      return `${label}${hi >> 8}.${hi & 0xff}.${lo >> 8}.0`;
    }
  }
  return compressIpv6([...groups.slice(0, 3), 0, 0, 0, 0, 0]);
}

/** The eight 16-bit groups of a valid IPv6 address (a dotted IPv4 tail is two groups). */
function expandIpv6(value: string): number[] {
  let text = value.toLowerCase().replace(/%.*$/, "");
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(2).map(Number) as [number, number, number, number];
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0);
  return [...left, ...zeros, ...right];
}

function compressIpv6(groups: number[]): string {
  const hex = groups.map((g) => g.toString(16));
  // The trailing zero run is always the longest here (5 groups).
  let end = hex.length;
  while (end > 0 && hex[end - 1] === "0") end--;
  return end === hex.length ? hex.join(":") : `${hex.slice(0, end).join(":")}::`;
}
