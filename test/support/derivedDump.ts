import type { Pipeline } from "../../src/pipeline/context.js";
import { allTableRows } from "./testApp.js";

type Row = Record<string, unknown>;

const byJson = (a: unknown, b: unknown) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Every derived table of a SQLite test pipeline, field for field, with person and touchpoint
 * ids replaced by what they stand for (the person's sorted identities, the touchpoint's
 * message: ids may differ between two derivations of the same input) and outbox ids (random)
 * left out: what two recomputes of the same raw input must share.
 */
export async function derivedDump(p: Pipeline): Promise<Record<string, unknown>> {
  const t = await allTableRows(p);
  const members = new Map<number, string[]>();
  for (const i of t.identities!) {
    const list = members.get(i.person_id as number) ?? [];
    list.push(`${i.kind as string}:${i.value as string}`);
    members.set(i.person_id as number, list);
  }
  const person = (id: unknown) => (id === null ? null : (members.get(id as number)?.sort().join(" ") ?? `missing ${String(id)}`));
  const withPerson = (rows: Row[]): Row[] => rows.map(({ person_id, ...rest }) => ({ ...rest, person: person(person_id) })).sort(byJson);
  const outboxBySeq = new Map(t.outbox!.map((o) => [o.seq, o]));
  // Touchpoint ids are numbers in insertion order: a touchpoint is its message.
  const touchMessage = new Map(t.touchpoints!.map((r) => [r.id, r.message_id]));
  const message = (json: unknown) => {
    const { messageId: _id, ...m } = JSON.parse(json as string) as Row;
    return m;
  };
  return {
    persons: t.persons!.map((r) => ({ person: person(r.person_id), created_at: r.created_at })).sort(byJson),
    identities: withPerson(t.identities!),
    devices: [...t.devices!].sort(byJson),
    touchpoints: withPerson(t.touchpoints!.map(({ id: _id, ...r }) => r)),
    conversions: withPerson(t.conversions!),
    deals: withPerson(t.deals!),
    credits: t.credits!.map(({ touchpoint_id, ...r }) => ({ ...r, touch: touchpoint_id === null ? null : (touchMessage.get(touchpoint_id) ?? `missing ${String(touchpoint_id)}`) })).sort(byJson),
    conversion_paths: withPerson(t.conversion_paths!),
    person_traits: withPerson(t.person_traits!).map((r) => ({ ...r, traits: JSON.parse(r.traits as string) as unknown })),
    markov_model: t.markov_model!.map((r) => ({ ...r, removal_effects: JSON.parse(r.removal_effects as string) as unknown })),
    // Sums over credits in storage order: equal up to float rounding.
    report_days: t.report_days!.map((r) => ({ ...r, conversions: Number((r.conversions as number).toFixed(9)), revenue: Number((r.revenue as number).toFixed(6)) })).sort(byJson),
    report_dirty_days: t.report_dirty_days!,
    // person_id is the person when queued (not moved by merges, nor by a recompute): left out.
    outbox: t.outbox!.map((o) => ({ status: o.status, message: message(o.message) })).sort(byJson),
    feedback_state: t.feedback_state!
      .map((f) => ({
        target: f.target,
        traits: JSON.parse(f.traits as string) as unknown,
        queued_at: f.queued_at,
        outbox: f.outbox_seq === null ? null : message(outboxBySeq.get(f.outbox_seq)?.message ?? "{}"),
      }))
      .sort(byJson),
    derive_cursor: [...t.derive_cursor!].sort(byJson),
    empty: ["dirty_persons", "pending_persons", "pending_touches", "derive_failures", "refit_progress"].map((name) => [name, t[name]!.length]),
  };
}
