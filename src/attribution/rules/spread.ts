import type { CreditTouch, ModelSettings } from "../types.js";
import { U_SHAPED, creditByPosition } from "./positionWeights.js";

/** 1/k to each of the k touches. */
export function creditLinear(touches: readonly CreditTouch[]): number[] {
  const k = touches.length;
  return new Array<number>(k).fill(1 / k);
}

/**
 * The usual U-shaped split (Google Ads' "position-based"): k=1: 1; k=2: 0.5 each; k≥3: 0.4
 * first, 0.4 last, 0.2 split evenly over the k−2 middle touches.
 */
export function creditPositionBased(touches: readonly CreditTouch[]): number[] {
  return creditByPosition(touches, U_SHAPED);
}

/** `custom`: the position split of POSITION_WEIGHTS (settings.positionWeights; missing: U-shaped). */
export function creditCustomPosition(touches: readonly CreditTouch[], _conversionAt: number, settings: ModelSettings): number[] {
  return creditByPosition(touches, settings.positionWeights ?? U_SHAPED);
}
