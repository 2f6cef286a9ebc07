import type { CreditTouch, ModelSettings } from "../types.js";
import { priorityCandidates } from "./campaignPriority.js";

/** The channel `last_non_direct` skips: GA4's default channel group name for (direct)/(none). */
export const DIRECT_CHANNEL = "Direct";

/** All credit to one position; [] when there is no touch. */
function allTo(count: number, winner: number): number[] {
  const credits = new Array<number>(count).fill(0);
  if (count > 0) credits[winner] = 1;
  return credits;
}

/** All to the earliest. Touches at the same time keep the given order: "first" is index 0. */
export function creditFirstTouch(touches: readonly CreditTouch[]): number[] {
  return allTo(touches.length, 0);
}

type Priority = Pick<ModelSettings, "campaignPriority">;

/**
 * All to the latest. Touches at the same time keep the given order: "last" is the last index.
 * With campaignPriority: all to the latest touch with campaign parameters when there is one.
 */
export function creditLastTouch(touches: readonly CreditTouch[], _conversionAt?: number, settings?: Priority): number[] {
  if (settings?.campaignPriority !== true) return allTo(touches.length, touches.length - 1);
  const candidates = priorityCandidates(touches);
  return allTo(touches.length, candidates[candidates.length - 1] ?? 0);
}

/**
 * All to the latest touch whose channel is not Direct; to the latest touch when every one is
 * Direct. With campaignPriority the same rule runs over the touches with campaign parameters
 * when there is one (a campaign touch is never displaced by a later campaign-less one).
 */
export function creditLastNonDirect(touches: readonly CreditTouch[], _conversionAt?: number, settings?: Priority): number[] {
  const candidates = settings?.campaignPriority === true ? priorityCandidates(touches) : null;
  const count = candidates?.length ?? touches.length;
  const at = (j: number) => (candidates === null ? j : (candidates[j] ?? 0));
  let winner = at(count - 1);
  for (let j = count - 1; j >= 0; j--) {
    if (touches[at(j)]?.channel !== DIRECT_CHANNEL) {
      winner = at(j);
      break;
    }
  }
  return allTo(touches.length, winner);
}
