import { isIP } from "node:net";

/**
 * Anonymises an IP address as DESIGN.md requires: IPv4 keeps its first three octets,
 * IPv6 its first 48 bits (the last 80 are zeroed). Anything unparseable is dropped.
 */
export function truncateIp(ip: string): string | null {
  const value = ip.trim();
  const version = isIP(value);
  if (version === 4) return value.replace(/\.\d+$/, ".0");
  if (version !== 6) return null;
  const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(value);
  if (mapped && mapped[1] && mapped[2] && isIP(mapped[2]) === 4) {
    // IPv4-mapped (::ffff:1.2.3.4): the address is really IPv4.
    return `${mapped[1]}${truncateIp(mapped[2])}`;
  }
  const groups = expandIpv6(value);
  return compressIpv6([...groups.slice(0, 3), 0, 0, 0, 0, 0]);
}

function expandIpv6(value: string): number[] {
  const [head = "", tail] = value.split("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

function compressIpv6(groups: number[]): string {
  const hex = groups.map((g) => g.toString(16));
  // The trailing zero run is always the longest here (5 groups).
  let end = hex.length;
  while (end > 0 && hex[end - 1] === "0") end--;
  return end === hex.length ? hex.join(":") : `${hex.slice(0, end).join(":")}::`;
}
