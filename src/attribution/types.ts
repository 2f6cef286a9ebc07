import type { PositionWeights } from "./rules/positionWeights.js";

export const RULE_MODELS = [
  "first_touch",
  "last_touch",
  "last_non_direct",
  "linear",
  "time_decay",
  "position_based",
  "j_shaped",
  "inverse_j",
  "custom",
  "participation",
] as const;
export const MODELS = [...RULE_MODELS, "markov", "shapley", "markov_global"] as const;
export type RuleModel = (typeof RULE_MODELS)[number];
export type Model = (typeof MODELS)[number];
/**
 * `markov_global` splits the total of conversions by removal-effect shares (the aggregate
 * ChannelAttribution/DP6 report) at report time: it has no per-conversion credits. Every
 * other model is credited per conversion and stored.
 */
export const AGGREGATE_MODELS = ["markov_global"] as const;
export type CreditedModel = Exclude<Model, (typeof AGGREGATE_MODELS)[number]>;
export const CREDITED_MODELS: readonly CreditedModel[] = MODELS.filter(
  (m): m is CreditedModel => !(AGGREGATE_MODELS as readonly string[]).includes(m),
);

/** A touchpoint as the models see it. */
export interface CreditTouch {
  /** Epoch milliseconds. */
  at: number;
  channel: string;
  /**
   * The touch carries campaign parameters (see `hasCampaign` in rules/campaignPriority.ts);
   * only read under `campaignPriority`. Missing: false.
   */
  hasCampaign?: boolean;
}

export interface ModelSettings {
  lookbackDays: number;
  decayHalfLifeDays: number;
  /** Weights of the `custom` model (`POSITION_WEIGHTS`); missing: U-shaped 40/20/40. */
  positionWeights?: PositionWeights;
  /**
   * `CAMPAIGN_PRIORITY`: in last_touch and last_non_direct a touch with campaign parameters
   * is never displaced by a later campaign-less touch. Missing: false.
   */
  campaignPriority?: boolean;
}

/** Removal effect per channel, from the Markov model. */
export type RemovalEffects = Record<string, number>;

/** The channel credited when a conversion has no eligible touch (DESIGN "Credit"). */
export const UNATTRIBUTED = "Unattributed";

/**
 * One credited share of a conversion. `touch` indexes the person's full (time-sorted)
 * touch array, so the API can point at `touchpoints[touch]`; null only for Unattributed.
 */
export interface CreditRow {
  touch: number | null;
  channel: string;
  credit: number;
}

/**
 * A rule model: given the eligible touches in time order (ties in the order given), the
 * conversion time and the settings, the credit of each touch, aligned to the input.
 * Returns [] for no touches, otherwise non-negative numbers summing to 1 (except
 * `participation`, which gives 1 to each distinct channel's first touch).
 */
export type CreditRule = (touches: readonly CreditTouch[], conversionAt: number, settings: ModelSettings) => number[];

/** What the models need of one person: touches sorted by time, and conversion times. */
export interface PersonHistory {
  touches: readonly CreditTouch[];
  conversionTimes: readonly number[];
}

/** A Markov channel path: channels in order, ending in conversion or null. */
export interface MarkovPath {
  channels: readonly string[];
  converted: boolean;
}
