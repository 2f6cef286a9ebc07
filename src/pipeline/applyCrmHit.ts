import { withReporting } from "../money/reportingMoney.js";
import { createHash } from "node:crypto";
import { isNewer, mergeDealFields, parseCrmHit, statusOutcome, type StoredCrmHit } from "../crm/index.js";
import { dealStatusChanged, type MessageTarget } from "../feedback/index.js";
import type { CrmHitRow, DealRow } from "../store/types.js";
import { DirtyPersons, currentFits, type Pipeline } from "./context.js";
import { creditsOf } from "./derivePerson.js";
import { feedbackTarget } from "./feedbackTarget.js";

/** The conversion name of won CRM deals (what `conversion=` filters on in reports). */
export const DEAL_CONVERSION_NAME = "Deal Won";

export type HitEffect = { kind: "applied"; statusChanged: boolean; outcome: DealRow["outcome"] } | { kind: "stale" };

/** A stored raw hit as the hit it was when applied; null for a hit that was refused. */
export function readStoredHit(row: CrmHitRow): StoredCrmHit | null {
  if (row.error !== null) return null;
  const parsed = parseCrmHit(JSON.parse(row.payload) as Record<string, unknown>, row.receivedAt);
  return parsed.kind === "ok" ? { ...parsed.hit, seq: row.seq } : null;
}

/** Every valid stored hit of a deal (the one being applied included). */
async function storedHitsOf(p: Pipeline, dealId: string, current: StoredCrmHit): Promise<StoredCrmHit[]> {
  const hits: StoredCrmHit[] = [current];
  for (const row of await p.store.raw.hitsOfDeal(dealId)) {
    const hit = row.seq === current.seq ? null : readStoredHit(row);
    if (hit) hits.push(hit);
  }
  return hits;
}

/** The person a deal belongs to: by userId, else email, else anonymousId. */
async function resolvePerson(p: Pipeline, hit: Pick<StoredCrmHit, "userId" | "email" | "anonymousId">): Promise<number | null> {
  const { identities } = p.store;
  const row =
    (hit.userId !== null ? await identities.identity("userId", hit.userId) : undefined) ??
    (hit.email !== null ? await identities.identity("email", hit.email) : undefined) ??
    (hit.anonymousId !== null ? await identities.identity("anonymousId", hit.anonymousId) : undefined);
  return row?.personId ?? null;
}

/**
 * Applies one stored CRM hit. The deal's current state is the hit with the greatest updatedAt
 * (ties: the later received), so an older hit arriving late changes nothing. A won deal is a
 * conversion at its createdAt with its amount; any other state removes the conversion, and
 * with it the revenue from every report and trait.
 */
export async function applyCrmHit(p: Pipeline, hit: StoredCrmHit, dirty: DirtyPersons, feedback: boolean): Promise<HitEffect> {
  const { deals, derived } = p.store;
  const prev = await deals.deal(hit.dealId);
  if (prev && !isNewer(hit, { updatedAt: prev.updatedAt, receivedAt: prev.receivedAt, seq: prev.hitSeq })) {
    return { kind: "stale" };
  }
  const outcome = statusOutcome(hit.status, p.config.crmWonStatuses, p.config.crmLostStatuses);
  const fields = mergeDealFields(await storedHitsOf(p, hit.dealId, hit)) ?? hit;
  const personId = await resolvePerson(p, fields);
  const deal: DealRow = {
    ...fields,
    dealId: hit.dealId,
    status: hit.status,
    outcome,
    updatedAt: hit.updatedAt,
    receivedAt: hit.receivedAt,
    hitSeq: hit.seq,
    personId,
  };
  await deals.putDeal(deal);
  const conversionId = `deal:${hit.dealId}`;
  if (outcome === "won") {
    const conversion = withReporting(p.money, {
      id: conversionId,
      personId,
      name: DEAL_CONVERSION_NAME,
      at: deal.createdAt,
      revenue: deal.amount ?? 0,
      currency: deal.currency,
      origin: "crm" as const,
    });
    await derived.upsertConversion(conversion);
    // A deal with no person yet is credited Unattributed until an identity links it.
    if (personId === null) await derived.replaceCredits(conversionId, creditsOf(p, conversion, [], await currentFits(p.store)));
  } else {
    await derived.deleteConversion(conversionId);
  }
  if (personId !== null) dirty.mark(personId);
  if (prev?.personId != null && prev.personId !== personId) dirty.mark(prev.personId);

  const statusChanged = prev?.status !== hit.status;
  if (feedback && statusChanged) await queueDealStatusChanged(p, hit, prev?.status ?? null, personId);
  return { kind: "applied", statusChanged, outcome };
}

async function queueDealStatusChanged(p: Pipeline, hit: StoredCrmHit, previousStatus: string | null, personId: number | null): Promise<void> {
  const ids = personId !== null ? await p.store.identities.identitiesOf(personId) : [];
  const target: MessageTarget | null =
    feedbackTarget(ids) ??
    (hit.userId !== null ? { userId: hit.userId } : hit.anonymousId !== null ? { anonymousId: hit.anonymousId } : null);
  if (target === null) return; // only an email: Segment needs a userId or anonymousId
  const touches = personId !== null ? await p.store.derived.touchpointsOf(personId) : [];
  const id = createHash("sha256").update(`deal-status:${hit.dealId}:${hit.seq}:${hit.receivedAt}`).digest("hex").slice(0, 32);
  const message = dealStatusChanged(
    id,
    target,
    {
      dealId: hit.dealId,
      status: hit.status,
      previousStatus,
      amount: hit.amount,
      currency: hit.currency,
      firstTouchChannel: touches[0]?.channel ?? null,
      lastTouchChannel: touches[touches.length - 1]?.channel ?? null,
    },
    hit.updatedAt,
  );
  await p.store.outbox.enqueue(personId, message, p.now());
}

/** Re-applies every valid stored hit in arrival order (recompute); no feedback is queued. */
export async function replayCrmHits(p: Pipeline): Promise<number> {
  const dirty = new DirtyPersons();
  let n = 0;
  for (const row of await p.store.raw.validHits()) {
    const hit = readStoredHit(row);
    if (!hit) continue;
    await applyCrmHit(p, hit, dirty, false);
    n++;
  }
  return n;
}

