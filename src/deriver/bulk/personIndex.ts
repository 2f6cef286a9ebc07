import type { ConversionRow, DealRow, IdentityRow, StoredTouchpoint } from "../../store/types.js";
import type { Collected } from "./collect.js";
import { compareBinary } from "./binaryOrder.js";
import { KINDS, type IdentityGraph } from "./identityGraph.js";

/**
 * Each person's rows as the store's per-person reads return them: touchpoints by (at,
 * message_id), conversions by (at, id), deals by (updated_at, hit_seq), so that credits (touch
 * indices), traits and float sums come out exactly as derivePerson computes them.
 */
export class PersonIndex {
  /** Every conversion with its person (null: a deal whose person is unknown). */
  readonly allConversions: ConversionRow[] = [];
  private readonly conversions = new Map<number, ConversionRow[]>();
  private readonly deals = new Map<number, DealRow[]>();

  private constructor(
    private readonly c: Collected,
    private readonly touchStart: Int32Array,
    private readonly touchOrder: Int32Array,
  ) {}

  static build(c: Collected, dealRows: readonly DealRow[], dealConversions: readonly ConversionRow[]): PersonIndex {
    const { graph } = c;
    const n = c.touchCount;
    const maxPerson = graph.maxPersonId;
    const personOfTouch = new Int32Array(n);
    const counts = new Int32Array(maxPerson + 2);
    for (let t = 0; t < n; t++) {
      const p = graph.person.get(c.deviceKey.get(c.touchDevice.get(t)));
      personOfTouch[t] = p;
      counts[p + 1]!++;
    }
    for (let p = 1; p < counts.length; p++) counts[p]! += counts[p - 1]!;
    const next = counts.slice();
    const order = new Int32Array(n);
    for (let t = 0; t < n; t++) order[next[personOfTouch[t]!]!++] = t;
    const at = c.touchAt.view();
    const byTime = (x: number, y: number) => at[x]! - at[y]! || compareBinary(c.touchMessageId.get(x), c.touchMessageId.get(y));
    for (let p = 1; p <= maxPerson; p++) {
      const from = counts[p]!;
      const to = counts[p + 1]!;
      if (to - from > 1) order.subarray(from, to).sort(byTime);
    }
    const index = new PersonIndex(c, counts, order);
    for (const { row, identity } of c.conversions) index.allConversions.push({ ...row, personId: graph.person.get(identity) });
    for (const d of dealConversions) index.allConversions.push(d);
    for (const conv of index.allConversions) if (conv.personId !== null) push(index.conversions, conv.personId, conv);
    for (const list of index.conversions.values()) list.sort((x, y) => x.at - y.at || compareBinary(x.id, y.id));
    for (const d of dealRows) if (d.personId !== null) push(index.deals, d.personId, d);
    for (const list of index.deals.values()) list.sort((x, y) => x.updatedAt - y.updatedAt || x.hitSeq - y.hitSeq);
    return index;
  }

  /** The person's touchpoints (scan positions), oldest first, in touchpointsOf's order. */
  touchesOf(personId: number): Int32Array {
    return this.touchOrder.subarray(this.touchStart[personId] ?? 0, this.touchStart[personId + 1] ?? 0);
  }

  /** The person's touches as the models see them (time, channel), oldest first. */
  historyOf(personId: number): Array<{ at: number; channel: string }> {
    const { c } = this;
    const out: Array<{ at: number; channel: string }> = [];
    for (const t of this.touchesOf(personId)) out.push({ at: c.touchAt.get(t), channel: c.classes[c.touchClass.get(t)]!.channel });
    return out;
  }

  conversionsOf(personId: number): readonly ConversionRow[] {
    return this.conversions.get(personId) ?? [];
  }

  dealsOf(personId: number): readonly DealRow[] {
    return this.deals.get(personId) ?? [];
  }

  identitiesOf(personId: number): IdentityRow[] {
    return identityRows(this.c.graph, this.c.graph.identitiesOf(personId));
  }
}

/** Touchpoint `t` of the scan as touchpointsOf returns it, with the id it is written with. */
export function storedTouch(c: Collected, t: number, personId: number, id: number): StoredTouchpoint {
  const cls = c.classes[c.touchClass.get(t)]!;
  return {
    id,
    personId,
    messageId: c.touchMessageId.get(t),
    deviceId: c.deviceId[c.touchDevice.get(t)]!,
    at: c.touchAt.get(t),
    channel: cls.channel,
    source: cls.source,
    medium: cls.medium,
    campaign: cls.campaign,
    term: cls.term,
    content: cls.content,
    referrer: c.urls.get(c.touchReferrer.get(t)),
    landingPage: c.urls.get(c.touchLanding.get(t)),
    clickIdType: cls.clickIdType,
    rule: cls.rule,
  };
}

/** The rows identitiesOf returns for these identities of the graph. */
export function identityRows(graph: IdentityGraph, identities: readonly number[]): IdentityRow[] {
  return identities.map((id) => ({
    kind: KINDS[graph.kind.get(id)]!,
    value: graph.value[id]!,
    personId: graph.person.get(id),
    inferred: graph.inferred.get(id) === 1,
    lastSeen: graph.lastSeen.get(id),
    ...(graph.aliasOnly.get(id) === 1 ? { aliasOnly: true } : {}),
  }));
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
