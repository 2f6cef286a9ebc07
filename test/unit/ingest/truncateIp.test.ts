import { describe, expect, test } from "vitest";
import { truncateIp } from "../../../src/ingest/truncateIp.js";

describe("truncateIp", () => {
  test.each([
    ["203.0.113.77", "203.0.113.0"],
    ["10.0.0.255", "10.0.0.0"],
    ["2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"],
    ["2001:db8::1", "2001:db8::"],
    ["::1", "::"],
    ["::ffff:198.51.100.9", "::ffff:198.51.100.0"],
    [" 192.0.2.1 ", "192.0.2.0"],
    // IPv4 inside IPv6 (mapped, NAT64-translated) is truncated like IPv4, in either notation.
    ["::ffff:1.2.3.4", "::ffff:1.2.3.0"],
    ["::FFFF:1.2.3.4", "::ffff:1.2.3.0"],
    ["::ffff:102:304", "::ffff:1.2.3.0"],
    ["0:0:0:0:0:ffff:198.51.100.9", "::ffff:198.51.100.0"],
    ["64:ff9b::198.51.100.9", "64:ff9b::198.51.100.0"],
    ["64:ff9b::c633:6409", "64:ff9b::198.51.100.0"],
    ["64:ff9b:1::198.51.100.9", "64:ff9b:1::198.51.100.0"],
    ["::198.51.100.9", "::198.51.100.0"],
    // A dotted tail on any other IPv6 address is not IPv4: 48 bits are kept, not 120.
    ["2001:db8:1:2:3:4:198.51.100.9", "2001:db8:1::"],
    ["fe80::1%eth0", "fe80::"],
  ])("%s -> %s", (ip, expected) => {
    expect(truncateIp(ip)).toBe(expected);
  });

  test.each(["", "localhost", "999.1.1.1", "1.2.3"])("unparseable %j is dropped", (ip) => {
    expect(truncateIp(ip)).toBeNull();
  });
});
