export const RULE_MODELS = [
  "first_touch",
  "last_touch",
  "last_non_direct",
  "linear",
  "time_decay",
  "position_based",
] as const;
export const MODELS = [...RULE_MODELS, "markov"] as const;
export type RuleModel = (typeof RULE_MODELS)[number];
export type Model = (typeof MODELS)[number];

/** A touchpoint as the models see it. */
export interface CreditTouch {
  /** Epoch milliseconds. */
  at: number;
  channel: string;
}

export interface ModelSettings {
  lookbackDays: number;
  decayHalfLifeDays: number;
}

/** Removal effect per channel, from the Markov model. */
export type RemovalEffects = Record<string, number>;
