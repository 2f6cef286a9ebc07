import type { CreditTouch } from "./types.js";

export const DAY_MS = 86_400_000;

/**
 * Indices (ascending) of the touches that may share a conversion's credit: at or before
 * the conversion (same millisecond included) and at most `lookbackDays` before it
 * (a touch exactly `lookbackDays` earlier is included, one millisecond more is not).
 * Every touch is tested rather than binary-searched, so an unsorted array still gets
 * the right set; the models themselves rely on the caller's time order.
 */
export function eligibleTouches(touches: readonly CreditTouch[], conversionAt: number, lookbackDays: number): number[] {
  const lookbackMs = lookbackDays * DAY_MS;
  const eligible: number[] = [];
  touches.forEach((touch, index) => {
    const age = conversionAt - touch.at;
    if (age >= 0 && age <= lookbackMs) eligible.push(index);
  });
  return eligible;
}
