import type { CreditTouch } from "../types.js";

/** 1/k to each of the k touches. */
export function creditLinear(touches: readonly CreditTouch[]): number[] {
  const k = touches.length;
  return new Array<number>(k).fill(1 / k);
}

// The usual U-shaped split (Google Ads' "position-based": 40% first, 40% last, 20% middle).
const END_SHARE = 0.4;
const MIDDLE_SHARE = 0.2;

/** k=1: 1; k=2: 0.5 each; k≥3: 0.4 first, 0.4 last, 0.2 split evenly over the k−2 middle touches. */
export function creditPositionBased(touches: readonly CreditTouch[]): number[] {
  const k = touches.length;
  if (k === 0) return [];
  if (k === 1) return [1];
  if (k === 2) return [0.5, 0.5];
  const middle = MIDDLE_SHARE / (k - 2);
  return touches.map((_, i) => (i === 0 || i === k - 1 ? END_SHARE : middle));
}
