import type { CreditTouch } from "../types.js";

/** Shares of the first touch, of all middle touches together, and of the last touch (summing to 1). */
export interface PositionWeights {
  first: number;
  middle: number;
  last: number;
}

// HubSpot's and Dreamdata's names for the common splits.
export const U_SHAPED: PositionWeights = { first: 0.4, middle: 0.2, last: 0.4 };
export const J_SHAPED: PositionWeights = { first: 0.2, middle: 0.2, last: 0.6 };
export const INVERSE_J: PositionWeights = { first: 0.6, middle: 0.2, last: 0.2 };

/**
 * Position weights (first / middle / last) over k touches in time order:
 * - k = 1: everything to the one touch (HubSpot, Dreamdata: a lone touch is both first and last);
 * - k = 2: the first and last weights renormalised over the two (U 40/40 → 0.5/0.5,
 *   J 20/60 → 0.25/0.75, inverse J 60/20 → 0.75/0.25); the middle weight has nobody to go
 *   to. When first and last are both 0 (a custom all-middle split) the two share evenly;
 * - k ≥ 3: `first` to the first, `last` to the last, `middle` split evenly over the k − 2 others.
 */
export function creditByPosition(touches: readonly CreditTouch[], weights: PositionWeights): number[] {
  const k = touches.length;
  if (k === 0) return [];
  if (k === 1) return [1];
  if (k === 2) {
    const ends = weights.first + weights.last;
    return ends > 0 ? [weights.first / ends, weights.last / ends] : [0.5, 0.5];
  }
  const middle = weights.middle / (k - 2);
  const credits = new Array<number>(k).fill(middle);
  credits[0] = weights.first;
  credits[k - 1] = weights.last;
  return credits;
}

export const creditJShaped = (touches: readonly CreditTouch[]): number[] => creditByPosition(touches, J_SHAPED);
export const creditInverseJ = (touches: readonly CreditTouch[]): number[] => creditByPosition(touches, INVERSE_J);

/**
 * Parses `first,middle,last`: three non-negative numbers summing to 1, or to 100 (percent,
 * divided by 100). Returns the weights or a message saying what is wrong.
 */
export function parsePositionWeights(text: string): PositionWeights | string {
  const parts = text.split(",").map((s) => s.trim());
  const numbers = parts.map((s) => (s === "" ? NaN : Number(s)));
  if (parts.length !== 3 || numbers.some((n) => !Number.isFinite(n) || n < 0)) {
    return `must be three non-negative numbers first,middle,last (e.g. 40,20,40), got "${text}"`;
  }
  const [first, middle, last] = numbers as [number, number, number];
  const total = first + middle + last;
  const scale = Math.abs(total - 1) <= 1e-9 ? 1 : Math.abs(total - 100) <= 1e-7 ? 100 : NaN;
  if (Number.isNaN(scale)) return `must sum to 1 (or 100), got "${text}" (sum ${total})`;
  return { first: first / scale, middle: middle / scale, last: last / scale };
}
