import { eligibleTouches } from "../eligibility.js";
import type { CreditTouch, MarkovPath, PersonHistory } from "../types.js";

/** The converting path of one conversion: its eligible channels in order; null when none is eligible. */
export function conversionPath(touches: readonly CreditTouch[], conversionAt: number, lookbackDays: number): MarkovPath | null {
  const eligible = eligibleTouches(touches, conversionAt, lookbackDays);
  if (eligible.length === 0) return null;
  return { channels: channelsAt(touches, eligible), converted: true };
}

/**
 * The null path of a person who never converted: their touches no more than `lookbackDays`
 * before their last one, as if that last touch were the (missed) conversion.
 */
export function nullPath(touches: readonly CreditTouch[], lookbackDays: number): MarkovPath | null {
  const last = touches[touches.length - 1];
  if (last === undefined) return null;
  return { channels: channelsAt(touches, eligibleTouches(touches, last.at, lookbackDays)), converted: false };
}

/**
 * Every path DESIGN.md's Markov model learns from: one converting path per conversion with
 * eligible touches, one null path per person with touches and no conversion. A person with
 * conversions contributes no null path, even for touches after their last conversion.
 */
export function buildPaths(persons: readonly PersonHistory[], lookbackDays: number): MarkovPath[] {
  const paths: MarkovPath[] = [];
  for (const person of persons) {
    if (person.conversionTimes.length === 0) {
      const path = nullPath(person.touches, lookbackDays);
      if (path !== null) paths.push(path);
      continue;
    }
    for (const conversionAt of person.conversionTimes) {
      const path = conversionPath(person.touches, conversionAt, lookbackDays);
      if (path !== null) paths.push(path);
    }
  }
  return paths;
}

function channelsAt(touches: readonly CreditTouch[], indices: readonly number[]): string[] {
  const channels: string[] = [];
  for (const index of indices) {
    const touch = touches[index];
    if (touch !== undefined) channels.push(touch.channel);
  }
  return channels;
}
