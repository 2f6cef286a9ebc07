import { eligibleTouches } from "./eligibility.js";
import { creditMarkov } from "./markov/credit.js";
import { creditShapley } from "./shapley/credit.js";
import type { CoalitionValues } from "./shapley/shapleyValues.js";
import { creditFirstTouch, creditLastNonDirect, creditLastTouch } from "./rules/positional.js";
import { creditParticipation } from "./rules/participation.js";
import { creditInverseJ, creditJShaped } from "./rules/positionWeights.js";
import { creditCustomPosition, creditLinear, creditPositionBased } from "./rules/spread.js";
import { creditTimeDecay } from "./rules/timeDecay.js";
import {
  UNATTRIBUTED,
  type CreditRow,
  type CreditRule,
  type CreditTouch,
  type CreditedModel,
  type Model,
  type ModelSettings,
  type RemovalEffects,
  type RuleModel,
} from "./types.js";

export const RULE_CREDITS: Readonly<Record<RuleModel, CreditRule>> = {
  first_touch: creditFirstTouch,
  last_touch: creditLastTouch,
  last_non_direct: creditLastNonDirect,
  linear: creditLinear,
  time_decay: creditTimeDecay,
  position_based: creditPositionBased,
  j_shaped: creditJShaped,
  inverse_j: creditInverseJ,
  custom: creditCustomPosition,
  participation: creditParticipation,
};

/**
 * Models that give everything to one touch (or, participation, a 1 to one touch per
 * channel): their rows list only the credited touches, since zero rows for every other
 * eligible touch say nothing. Spread models (linear, time_decay, the position models,
 * markov) list every eligible touch, even a 0 (a Markov channel with no removal effect, a
 * time_decay weight that underflowed), so the journey view shows which touches were considered.
 */
const SINGLE_TOUCH_MODELS: ReadonlySet<Model> = new Set(["first_touch", "last_touch", "last_non_direct", "participation"]);

/**
 * The credit rows of one conversion under one model. `touches` is the person's full touch
 * list sorted by time; rows point into it and come in touch order. `removalEffects` is only
 * read by `markov`, `coalitions` only by `shapley` (missing: linear over the path's distinct
 * channels).
 */
export function creditConversion(
  model: CreditedModel,
  touches: readonly CreditTouch[],
  conversionAt: number,
  settings: ModelSettings,
  removalEffects?: RemovalEffects,
  coalitions?: CoalitionValues,
): CreditRow[] {
  const eligible = eligibleTouches(touches, conversionAt, settings.lookbackDays);
  const path: CreditTouch[] = [];
  for (const index of eligible) {
    const touch = touches[index];
    if (touch !== undefined) path.push(touch);
  }
  if (path.length === 0) return [{ touch: null, channel: UNATTRIBUTED, credit: 1 }];

  const credits =
    model === "markov"
      ? creditMarkov(path, removalEffects)
      : model === "shapley"
        ? creditShapley(path, coalitions)
        : RULE_CREDITS[model](path, conversionAt, settings);
  const rows = path.map((touch, i): CreditRow => ({
    touch: eligible[i] ?? null,
    channel: touch.channel,
    credit: credits[i] ?? 0,
  }));
  return SINGLE_TOUCH_MODELS.has(model) ? rows.filter((row) => row.credit > 0) : rows;
}
