import type { CreditTouch } from "../types.js";

/**
 * Mixpanel's "participation": every distinct channel on the path gets a full 1, so a report's
 * totals exceed its conversions. The 1 sits on the channel's first touch on the path (the one
 * that brought it in; its source/medium/campaign are what groupBy reads); later touches of an
 * already credited channel get 0.
 */
export function creditParticipation(touches: readonly CreditTouch[]): number[] {
  const seen = new Set<string>();
  return touches.map((touch) => {
    if (seen.has(touch.channel)) return 0;
    seen.add(touch.channel);
    return 1;
  });
}
