import type { CreditRow as ModelCreditRow, Model, ModelFits } from "../../attribution/index.js";
import type { MessageTarget } from "../../feedback/index.js";
import type { Pipeline } from "../../pipeline/context.js";
import { creditsOf } from "../../pipeline/derivePerson.js";
import { feedbackTarget } from "../../pipeline/feedbackTarget.js";
import type { ConversionRow, CreditRow, StoredTouchpoint } from "../../store/types.js";
import { personTraits } from "../../traits/personTraits.js";
import type { PersonIndex } from "./personIndex.js";

export interface PersonRows {
  personId: number;
  credits: CreditRow[];
  traits: Record<string, unknown>;
  /** JSON.stringify(traits): what person_traits and feedback_state hold. */
  traitsJson: string;
  target: MessageTarget | null;
  /** feedback_state's key of the target. */
  key: string | null;
  /** The time an identify of this person reports (its latest event). */
  at: number;
}

/**
 * What src/pipeline/derivePerson.ts computes for one person (its touchpoints given, oldest
 * first), without its reads and writes:
 * credits of every conversion under every model (the same creditsOf), traits, and where
 * feedback goes. The caller compares the traits with what Segment last got.
 */
export function personRows(
  p: Pipeline,
  index: PersonIndex,
  personId: number,
  touches: readonly StoredTouchpoint[],
  fits: ModelFits,
  now: number,
): PersonRows {
  const ids = index.identitiesOf(personId);
  const conversions = index.conversionsOf(personId);
  const credits: CreditRow[] = [];
  const byModel: Partial<Record<Model, ModelCreditRow[]>> = {};
  for (const c of conversions) for (const r of creditsOf(p, c, touches, fits, byModel)) credits.push(r);
  let devices = 0;
  let inferred = false;
  for (const i of ids) {
    if (i.kind === "anonymousId" && i.aliasOnly !== true) devices++; // as deviceCount (src/store/dbRows.ts)
    if (i.inferred) inferred = true;
  }
  const traits = personTraits(
    { touches, conversionTimes: conversions.map((c) => c.at), deviceCount: devices, inferred, deals: index.dealsOf(personId), conversionCredits: byModel, money: p.money },
    p.settings,
    fits,
  );
  const target = feedbackTarget(ids);
  const key = target === null ? null : target.userId ? `userId:${target.userId}` : `anonymousId:${target.anonymousId}`;
  return { personId, credits, traits, traitsJson: JSON.stringify(traits), target, key, at: latestChange(touches, conversions, now) };
}

/** derivePerson's latestChange: an identify reports the state as of the person's latest known event. */
function latestChange(touches: readonly StoredTouchpoint[], conversions: readonly ConversionRow[], fallback: number): number {
  let at = -Infinity;
  for (const t of touches) at = Math.max(at, t.at);
  for (const c of conversions) at = Math.max(at, c.at);
  return Number.isFinite(at) ? at : fallback;
}
