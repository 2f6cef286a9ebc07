import type { CreditTouch } from "../types.js";

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

/** All to the latest. Touches at the same time keep the given order: "last" is the last index. */
export function creditLastTouch(touches: readonly CreditTouch[]): number[] {
  return allTo(touches.length, touches.length - 1);
}

/** All to the latest touch whose channel is not Direct; to the latest touch when every one is Direct. */
export function creditLastNonDirect(touches: readonly CreditTouch[]): number[] {
  let winner = touches.length - 1;
  for (let i = touches.length - 1; i >= 0; i--) {
    if (touches[i]?.channel !== DIRECT_CHANNEL) {
      winner = i;
      break;
    }
  }
  return allTo(touches.length, winner);
}
