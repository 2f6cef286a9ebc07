/**
 * User channel rules, evaluated before our AI Assistants rule and Google's
 * defaults (DESIGN.md "Users can add their own rules").
 *
 * File format (JSON, or YAML for .yml/.yaml), an array of rules or
 * `{ "rules": [...] }`; see data/channel-rules.example.json:
 *
 *   [{ "name": "Partner referrals",            // shown in errors
 *      "channel": "Partners",                  // channel to assign
 *      "match": {                              // all given matchers must match
 *        "source": "partnerstack",             // exact, case-insensitive
 *        "medium": { "regex": "^aff" },        // RE2 regex (linear time), case-insensitive
 *        "campaign": ..., "referrerHost": ...  // referrerHost: external referrer host without www.
 *      } }]
 *
 * A rule only sets the channel: source and medium stay as classified, and the
 * touchpoint's `rule` gains `+channel_rule:<name>` (e.g. `utm+channel_rule:Partners`).
 * A matcher on a missing value (no campaign, no external referrer) never matches.
 *
 * Regexes run on RE2 (the `re2` package), whose time is linear in the input: an
 * operator's `^(a+)+$`, which a backtracking engine takes seconds to fail on a
 * 28-character campaign (issue 16), cannot block the event loop. RE2 has no
 * backreferences or lookaround: such a pattern is refused when the file is
 * loaded, with a message naming the rule.
 */
import { readFileSync } from "node:fs";
import RE2 from "re2";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const matcherSchema = z.union([z.string().min(1), z.strictObject({ regex: z.string().min(1) })]);

const ruleSchema = z.strictObject({
  name: z.string().min(1),
  channel: z.string().min(1),
  match: z
    .strictObject({
      source: matcherSchema.optional(),
      medium: matcherSchema.optional(),
      campaign: matcherSchema.optional(),
      referrerHost: matcherSchema.optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), {
      message: "needs at least one of source, medium, campaign, referrerHost",
    }),
});

export type ChannelRule = z.infer<typeof ruleSchema>;
type Matcher = z.infer<typeof matcherSchema>;

export interface ChannelRuleInput {
  source: string;
  medium: string;
  campaign: string | null;
  referrerHost: string | null;
}

export interface CompiledChannelRule {
  name: string;
  channel: string;
  matches(input: ChannelRuleInput): boolean;
}

export class ChannelRulesError extends Error {
  override name = "ChannelRulesError";
}

/** Reads and validates a rules file; throws ChannelRulesError naming the file and the bad rule. */
export function loadChannelRules(filePath: string): ChannelRule[] {
  let text: string;
  try {
    text = readFileSync(filePath, "utf8");
  } catch (err) {
    throw new ChannelRulesError(`Cannot read channel rules file ${filePath}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    const ext = extname(filePath).toLowerCase();
    parsed = ext === ".yml" || ext === ".yaml" ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ChannelRulesError(`Channel rules file ${filePath} is not valid JSON/YAML: ${(err as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : isRecord(parsed) ? parsed["rules"] : undefined;
  if (!Array.isArray(list)) {
    throw new ChannelRulesError(`Channel rules file ${filePath} must hold an array of rules or {"rules": [...]}`);
  }
  return list.map((raw, index) => {
    const where = `${filePath}: rule #${index + 1}${ruleName(raw)}`;
    const result = ruleSchema.safeParse(raw);
    if (!result.success) throw new ChannelRulesError(`${where}: ${z.prettifyError(result.error)}`);
    compileRule(result.data, where);
    return result.data;
  });
}

/** Turns validated rules into matchers, compiling each regex once. */
export function compileChannelRules(rules: readonly ChannelRule[]): CompiledChannelRule[] {
  return rules.map((rule, index) => compileRule(rule, `channel rule #${index + 1} "${rule.name}"`));
}

function compileRule(rule: ChannelRule, where: string): CompiledChannelRule {
  const tests: Array<(input: ChannelRuleInput) => boolean> = [];
  for (const field of ["source", "medium", "campaign", "referrerHost"] as const) {
    const matcher = rule.match[field];
    if (matcher === undefined) continue;
    const test = compileMatcher(matcher, `${where}: match.${field}`);
    tests.push((input) => {
      const value = input[field];
      return value !== null && test(value);
    });
  }
  return { name: rule.name, channel: rule.channel, matches: (input) => tests.every((t) => t(input)) };
}

function compileMatcher(matcher: Matcher, where: string): (value: string) => boolean {
  if (typeof matcher === "string") {
    const expected = matcher.toLowerCase();
    return (value) => value.toLowerCase() === expected;
  }
  let regex: RE2;
  try {
    regex = new RE2(matcher.regex, "i");
  } catch (err) {
    throw new ChannelRulesError(
      `${where}.regex: Invalid regular expression /${matcher.regex}/: ${(err as Error).message} (patterns run on RE2, a linear-time engine: no backreferences, lookahead or lookbehind)`,
    );
  }
  return (value) => regex.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function ruleName(raw: unknown): string {
  return isRecord(raw) && typeof raw["name"] === "string" ? ` "${raw["name"]}"` : "";
}
