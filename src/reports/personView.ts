import { deviceCount } from "../store/dbRows.js";
import { MODELS } from "../attribution/types.js";
import type { Store } from "../store/index.js";
import type { IdentityKind, IdentityRow } from "../store/types.js";
import { roundCredit, roundMoney } from "../money/rounding.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** Finds a person by any of its identities: userId, anonymousId or email (case-insensitive). */
export async function findPerson(store: Store, id: string): Promise<IdentityRow | undefined> {
  const kinds: IdentityKind[] = ["userId", "anonymousId"];
  for (const kind of kinds) {
    const row = await store.identities.identity(kind, id);
    if (row) return row;
  }
  return store.identities.identity("email", id.trim().toLowerCase());
}

/** The journey of one person in DESIGN.md's `GET /api/people/:id` shape. */
export async function personView(store: Store, personId: number, reportingCurrency = "USD") {
  const identities = await store.identities.identitiesOf(personId);
  const touches = await store.derived.touchpointsOf(personId);
  const conversions = await store.derived.conversionsOf(personId);
  const creditsOf = new Map<string, Awaited<ReturnType<Store["derived"]["creditsOf"]>>>();
  for (const c of conversions) creditsOf.set(c.id, await store.derived.creditsOf(c.id));
  return {
    person_id: personId,
    identities: identities.map((i) => ({ type: i.kind, value: i.value, inferred: i.inferred })),
    device_count: deviceCount(identities),
    touchpoints: touches.map((t) => ({
      at: iso(t.at),
      channel: t.channel,
      source: t.source,
      medium: t.medium,
      campaign: t.campaign,
      term: t.term,
      content: t.content,
      referrer: t.referrer,
      landing_page: t.landingPage,
      click_id_type: t.clickIdType,
      rule: t.rule,
    })),
    conversions: conversions.map((c) => {
      const credits: Record<string, Array<{ touch: number | null; channel: string; credit: number }>> = {};
      for (const m of MODELS) credits[m] = [];
      for (const r of creditsOf.get(c.id)!) {
        (credits[r.model] ??= []).push({ touch: r.touchIndex, channel: r.channel, credit: roundCredit(r.credit) });
      }
      // A revenue that could not be read is null with the reason, never a made-up 0.
      const unreadable = c.revenueError != null;
      return {
        id: c.id,
        name: c.name,
        at: iso(c.at),
        revenue: unreadable ? null : roundMoney(c.revenue, c.currency ?? reportingCurrency),
        currency: c.currency,
        ...(unreadable ? { revenue_error: c.revenueError } : {}),
        /** In REPORTING_CURRENCY; null without a rate for `currency`. */
        reporting_revenue: unreadable || c.reportingRevenue == null ? null : roundMoney(c.reportingRevenue, reportingCurrency),
        origin: c.origin,
        credits,
      };
    }),
    traits: (await store.derived.traitsOf(personId)) ?? {},
  };
}
