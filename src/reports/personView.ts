import { deviceCount } from "../store/dbRows.js";
import { CREDITED_MODELS } from "../attribution/types.js";
import type { Store } from "../store/index.js";
import type { IdentityKind, IdentityRow } from "../store/types.js";
import { roundCredit, roundMoney } from "../money/rounding.js";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Finds a person by any of its identities: userId, anonymousId or email (case-insensitive), or
 * by `person:<person id>` (the reports' `example_person`) when no identity has that value.
 */
export async function findPerson(store: Store, id: string): Promise<IdentityRow | undefined> {
  const kinds: IdentityKind[] = ["userId", "anonymousId"];
  for (const kind of kinds) {
    const row = await store.identities.identity(kind, id);
    if (row) return row;
  }
  const email = await store.identities.identity("email", id.trim().toLowerCase());
  if (email) return email;
  const byId = /^person:(\d{1,15})$/.exec(id);
  if (!byId) return undefined;
  const [first] = await store.identities.identitiesOf(Number(byId[1]));
  return first;
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
      for (const m of CREDITED_MODELS) credits[m] = [];
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
