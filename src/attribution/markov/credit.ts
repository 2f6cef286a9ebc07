import type { CreditTouch, RemovalEffects } from "../types.js";

/**
 * Markov credit of one conversion's path: its distinct channels share in proportion to their
 * removal effects (linear over the distinct channels when every effect is 0 or unknown), and
 * each channel's share is split evenly over its touches on the path. Aligned to `touches`.
 */
export function creditMarkov(touches: readonly CreditTouch[], effects: RemovalEffects | undefined): number[] {
  // Distinct channels in order of first appearance; totals are summed in that order.
  const touchCount = new Map<string, number>();
  for (const touch of touches) touchCount.set(touch.channel, (touchCount.get(touch.channel) ?? 0) + 1);
  const channels = [...touchCount.keys()];
  const effectOf = new Map(channels.map((channel) => [channel, knownEffect(effects, channel)]));
  let total = 0;
  for (const channel of channels) total += effectOf.get(channel) ?? 0;

  const share = (channel: string): number =>
    total > 0 ? (effectOf.get(channel) ?? 0) / total : 1 / channels.length;
  return touches.map((touch) => share(touch.channel) / (touchCount.get(touch.channel) ?? 1));
}

/** The channel's effect, or 0 when missing or unusable (own keys only: "constructor" is not an effect). */
function knownEffect(effects: RemovalEffects | undefined, channel: string): number {
  if (effects === undefined || !Object.hasOwn(effects, channel)) return 0;
  const effect = effects[channel];
  return typeof effect === "number" && Number.isFinite(effect) && effect > 0 ? effect : 0;
}
