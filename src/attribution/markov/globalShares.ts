import type { RemovalEffects } from "../types.js";

/**
 * The aggregate split of ChannelAttribution and DP6 (`markov_global`): each channel's share of
 * all conversions is its removal effect over the sum of the removal effects. Channels sorted;
 * empty when no channel has a positive effect.
 */
export function globalShares(effects: RemovalEffects): Record<string, number> {
  const channels = Object.keys(effects).sort();
  let total = 0;
  for (const c of channels) total += positive(effects[c]);
  if (!(total > 0)) return {};
  return Object.fromEntries(channels.map((c) => [c, positive(effects[c]) / total]));
}

function positive(x: number | undefined): number {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : 0;
}
