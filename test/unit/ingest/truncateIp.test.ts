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
  ])("%s -> %s", (ip, expected) => {
    expect(truncateIp(ip)).toBe(expected);
  });

  test.each(["", "localhost", "999.1.1.1", "1.2.3"])("unparseable %j is dropped", (ip) => {
    expect(truncateIp(ip)).toBeNull();
  });
});
