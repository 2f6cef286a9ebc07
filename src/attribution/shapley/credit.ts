import type { CreditTouch } from "../types.js";
import type { CoalitionValues } from "./shapleyValues.js";

/**
 * Shapley credit of one conversion's eligible touches: its distinct channels share by their
 * Shapley values normalised to sum to 1 (CoalitionValues.sharesOf), each channel's share split
 * evenly over its touches, like markov. Linear over the distinct channels when there is no fit,
 * more than MAX_SHAPLEY_CHANNELS channels, or a total that is not positive. Aligned to `touches`.
 */
export function creditShapley(touches: readonly CreditTouch[], values: CoalitionValues | undefined): number[] {
  const touchCount = new Map<string, number>();
  for (const touch of touches) touchCount.set(touch.channel, (touchCount.get(touch.channel) ?? 0) + 1);
  const shares = values?.sharesOf(touchCount.keys()) ?? null;
  const linear = 1 / touchCount.size;
  return touches.map((touch) => (shares?.get(touch.channel) ?? linear) / (touchCount.get(touch.channel) ?? 1));
}
