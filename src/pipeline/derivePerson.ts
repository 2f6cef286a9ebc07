import { deviceCount } from "../store/dbRows.js";
import { randomUUID } from "node:crypto";
import {
  creditConversion,
  CREDITED_MODELS,
  hasCampaign,
  type CreditRow as ModelCreditRow,
  type CreditTouch,
  type Model,
  type ModelFits,
} from "../attribution/index.js";
import { changedTraits, identifyTraits } from "../feedback/index.js";
import type { ConversionRow, CreditRow, IdentityRow, StoredTouchpoint } from "../store/types.js";
import { personTraits } from "../traits/personTraits.js";
import type { Pipeline } from "./context.js";
import { queueSourceEvents } from "./queueSourceEvents.js";
import { feedbackTarget } from "./feedbackTarget.js";

/**
 * Re-derives everything person-level from the person's stored touchpoints, conversions and
 * deals: credits of every model for each conversion, traits, and the feedback they cause.
 * `newTouches` are the touchpoints (message ids) that appeared in this unit of work.
 */
export async function derivePerson(p: Pipeline, personId: number, newTouches: ReadonlySet<string>, fits: ModelFits): Promise<void> {
  const { derived, identities, deals, outbox } = p.store;
  const ids = await identities.identitiesOf(personId);
  if (ids.length === 0) return; // erased or merged away meanwhile
  const touches = await derived.touchpointsOf(personId);
  const conversions = await derived.conversionsOf(personId);
  const byModel: Partial<Record<Model, ModelCreditRow[]>> = {};
  for (const c of conversions) await derived.replaceCredits(c.id, creditsOf(p, c, touches, fits, byModel));

  const traits = personTraits(
    {
      touches,
      conversionTimes: conversions.map((c) => c.at),
      deviceCount: deviceCount(ids),
      inferred: ids.some((i) => i.inferred),
      deals: await deals.dealsOf(personId),
      conversionCredits: byModel,
      money: p.money,
    },
    p.settings,
    fits,
  );
  const now = p.now();
  await derived.putTraits(personId, traits, now);

  const target = feedbackTarget(ids);
  if (!target) return;
  await queueSourceEvents(p, personId, target, touches, newTouches);
  const key = target.userId ? `userId:${target.userId}` : `anonymousId:${target.anonymousId}`;
  const last = await outbox.lastQueuedTraits(key);
  const changed = changedTraits(last?.traits ?? null, traits);
  if (!changed) return;
  const at = latestChange(touches, conversions, now);
  if (last?.outboxSeq != null) {
    // Still unsent: update that identify in place (full trait set, so nothing is lost).
    const pending = await outbox.pendingMessage(last.outboxSeq);
    const merged = pending?.type === "identify" ? { ...pending.traits, ...changed } : null;
    if (pending && merged && (await outbox.replacePendingMessage(last.outboxSeq, personId, identifyTraits(pending.messageId, target, merged, at), now))) {
      await outbox.putQueuedTraits(key, traits, now, last.outboxSeq);
      return;
    }
  }
  const seq = await outbox.enqueue(personId, identifyTraits(randomUUID(), target, changed, at), now);
  await outbox.putQueuedTraits(key, traits, now, seq);
}

/** Credit rows of one conversion under every model, with touch fields copied for reports. */
export function creditsOf(
  p: Pipeline,
  c: ConversionRow,
  touches: readonly StoredTouchpoint[],
  fits: ModelFits,
  /** Collects each model's rows (over every conversion passed) for the model-channel traits. */
  byModel?: Partial<Record<Model, ModelCreditRow[]>>,
): CreditRow[] {
  const rows: CreditRow[] = [];
  // Revenue in the reporting currency (currency null), or in its own without a rate.
  let reporting: { amount: number; currency: string | null } | undefined;
  const modelTouches = p.settings.campaignPriority === true ? withCampaignFlags(touches) : touches;
  for (const model of CREDITED_MODELS) {
    const credited = creditConversion(model, modelTouches, c.at, p.settings, fits.removalEffects, fits.coalitions);
    if (byModel) (byModel[model] ??= []).push(...credited);
    for (const r of credited) {
      const t = r.touch === null ? undefined : touches[r.touch];
      const money = reporting ??= p.money.convert(c.revenue, c.currency, c.at);
      rows.push({
        conversionId: c.id,
        model,
        touchIndex: r.touch,
        touchpointId: t?.id ?? null,
        channel: r.channel,
        source: t?.source ?? null,
        medium: t?.medium ?? null,
        campaign: t?.campaign ?? null,
        credit: r.credit,
        conversionName: c.name,
        conversionAt: c.at,
        revenue: money.amount,
        currency: money.currency,
      });
    }
  }
  return rows;
}

/** The touches as the models see them under CAMPAIGN_PRIORITY (same order and indices). */
export function withCampaignFlags(touches: readonly StoredTouchpoint[]): CreditTouch[] {
  return touches.map((t) => ({ at: t.at, channel: t.channel, hasCampaign: hasCampaign(t) }));
}

/** The identify reports the state as of the person's latest known event. */
function latestChange(touches: readonly StoredTouchpoint[], conversions: readonly ConversionRow[], fallback: number): number {
  let at = -Infinity;
  for (const t of touches) at = Math.max(at, t.at);
  for (const c of conversions) at = Math.max(at, c.at);
  return Number.isFinite(at) ? at : fallback;
}

