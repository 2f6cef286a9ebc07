import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ChannelRulesError, createClassifier, loadChannelRules } from "../../../src/sources/index.js";

const dir = mkdtempSync(join(tmpdir(), "channel-rules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("loadChannelRules", () => {
  test("reads the shipped example file", () => {
    const rules = loadChannelRules(new URL("../../../data/channel-rules.example.json", import.meta.url).pathname);
    expect(rules.map((r) => r.channel)).toEqual(["Partners", "Audio", "Email"]);
  });

  test("reads a JSON array and the rules drive the classifier", () => {
    const path = file(
      "rules.json",
      JSON.stringify([{ name: "partners", channel: "Partners", match: { source: { regex: "^partner-" }, medium: "referral" } }]),
    );
    const rules = loadChannelRules(path);
    expect(rules).toEqual([{ name: "partners", channel: "Partners", match: { source: { regex: "^partner-" }, medium: "referral" } }]);
    const classifier = createClassifier({ siteDomains: [], ignoredReferrers: [], customRules: rules });
    const input = { url: "https://a.com/?utm_source=partner-x&utm_medium=referral", referrer: null, campaign: null };
    expect(classifier.classify(input).channel).toBe("Partners");
  });

  test("reads YAML with a top-level rules key", () => {
    const path = file(
      "rules.yaml",
      ["rules:", "  - name: podcasts", "    channel: Podcasts", "    match:", "      medium: sponsorship", ""].join("\n"),
    );
    expect(loadChannelRules(path)).toEqual([{ name: "podcasts", channel: "Podcasts", match: { medium: "sponsorship" } }]);
  });

  test.each([
    ["a rule without channel", [{ name: "no-channel", match: { source: "x" } }], /rules-1\.json: rule #1 "no-channel".*channel/s],
    ["an empty match", [{ name: "empty", channel: "C", match: {} }], /rule #1 "empty".*at least one of source, medium, campaign, referrerHost/s],
    ["an unknown matcher key", [{ name: "typo", channel: "C", match: { sourc: "x" } }], /rule #1 "typo".*sourc/s],
    ["a bad regex in the second rule", [{ name: "ok", channel: "C", match: { source: "x" } }, { name: "broken", channel: "C", match: { campaign: { regex: "([" } } }], /rule #2 "broken": match\.campaign\.regex: Invalid regular expression/],
    ["a matcher that is a number", [{ name: "num", channel: "C", match: { medium: 5 } }], /rule #1 "num".*medium/s],
  ])("rejects %s, naming the file and the rule", (_name, content, message) => {
    const path = file("rules-1.json", JSON.stringify(content));
    expect(() => loadChannelRules(path)).toThrow(ChannelRulesError);
    expect(() => loadChannelRules(path)).toThrow(message);
  });

  test("rejects a file that is neither a list nor {rules}", () => {
    const path = file("object.json", JSON.stringify({ name: "x" }));
    expect(() => loadChannelRules(path)).toThrow(/object\.json must hold an array of rules/);
  });

  test("rejects malformed JSON naming the file", () => {
    const path = file("broken.json", "[{");
    expect(() => loadChannelRules(path)).toThrow(/broken\.json is not valid JSON\/YAML/);
  });

  test("rejects a missing file naming it", () => {
    expect(() => loadChannelRules(join(dir, "missing.json"))).toThrow(/Cannot read channel rules file .*missing\.json/);
  });
});

// Issue 16 item 3: operators' patterns run on RE2 (linear time); backtracking-only syntax is refused at load.
describe("custom rule patterns on a linear-time engine", () => {
  test.each([
    ["a backreference", "(a)\\1", /rule #1 "backref": match\.campaign\.regex: Invalid regular expression .*no backreferences/],
    ["a lookahead", "(?=shop)sho", /rule #1 "lookahead": match\.campaign\.regex: Invalid regular expression .*lookahead/],
    ["a lookbehind", "(?<=x)y", /rule #1 "lookbehind": match\.campaign\.regex: .*RE2/],
  ])("refuses %s, naming the rule", (_name, regex, message) => {
    const name = message.source.match(/"(\w+)"/)![1]!;
    const path = file(`rules-${name}.json`, JSON.stringify([{ name, channel: "C", match: { campaign: { regex } } }]));
    expect(() => loadChannelRules(path)).toThrow(ChannelRulesError);
    expect(() => loadChannelRules(path)).toThrow(message);
  });

  test("a catastrophic-backtracking pattern answers correctly on a hostile campaign", () => {
    const rules = loadChannelRules(
      file("redos.json", JSON.stringify([{ name: "redos", channel: "Evil", match: { campaign: { regex: "^(a+)+$" } } }])),
    );
    const classifier = createClassifier({ siteDomains: [], ignoredReferrers: [], customRules: rules });
    // `^(a+)+$` on 28 a's and a `!` takes a backtracking engine seconds (issue 16); RE2 answers at once.
    const hostile = { url: `https://a.com/?utm_source=x&utm_medium=email&utm_campaign=${"a".repeat(28)}!`, referrer: null, campaign: null };
    expect(classifier.classify(hostile).channel).toBe("Email");
    const matching = { url: `https://a.com/?utm_source=x&utm_medium=email&utm_campaign=${"a".repeat(28)}`, referrer: null, campaign: null };
    expect(classifier.classify(matching).channel).toBe("Evil");
  });

  test("patterns are case-insensitive as before", () => {
    const rules = loadChannelRules(file("ci.json", JSON.stringify([{ name: "ci", channel: "Partners", match: { source: { regex: "^PARTNER-" } } }])));
    const classifier = createClassifier({ siteDomains: [], ignoredReferrers: [], customRules: rules });
    expect(classifier.classify({ url: "https://a.com/?utm_source=partner-x", referrer: null, campaign: null }).channel).toBe("Partners");
  });
});
