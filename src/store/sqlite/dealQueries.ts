import type { Db } from "./db.js";
import type { DealRow } from "../types.js";
import { toDeal, type DealDbRow } from "../dbRows.js";

/** Current state of each CRM deal, and finding deals waiting for their person. */
export function dealQueries(db: Db) {
  const get = db.prepare("SELECT * FROM deals WHERE deal_id = ?");
  const put = db.prepare(
    `INSERT INTO deals (deal_id, status, outcome, amount, currency, user_id, email, anonymous_id, created_at, updated_at,
       received_at, hit_seq, person_id)
     VALUES (@dealId, @status, @outcome, @amount, @currency, @userId, @email, @anonymousId, @createdAt, @updatedAt,
       @receivedAt, @hitSeq, @personId)
     ON CONFLICT (deal_id) DO UPDATE SET status = excluded.status, outcome = excluded.outcome, amount = excluded.amount,
       currency = excluded.currency, user_id = excluded.user_id, email = excluded.email,
       anonymous_id = excluded.anonymous_id, created_at = excluded.created_at, updated_at = excluded.updated_at,
       received_at = excluded.received_at, hit_seq = excluded.hit_seq, person_id = excluded.person_id`,
  );
  const ofPerson = db.prepare("SELECT * FROM deals WHERE person_id = ? ORDER BY updated_at, hit_seq");
  const waiting = {
    userId: db.prepare("SELECT * FROM deals WHERE person_id IS NULL AND user_id = ?"),
    email: db.prepare("SELECT * FROM deals WHERE person_id IS NULL AND email = ?"),
    anonymousId: db.prepare("SELECT * FROM deals WHERE person_id IS NULL AND anonymous_id = ?"),
  };
  const setPerson = db.prepare("UPDATE deals SET person_id = ? WHERE deal_id = ?");

  return {
    deal(dealId: string): DealRow | undefined {
      const r = get.get(dealId) as DealDbRow | undefined;
      return r && toDeal(r);
    },
    putDeal(d: DealRow): void {
      put.run(d);
    },
    dealsOf(personId: number): DealRow[] {
      return (ofPerson.all(personId) as DealDbRow[]).map(toDeal);
    },
    /** Deals with no person yet whose key matches a newly seen identity. */
    dealsWaitingFor(kind: "userId" | "email" | "anonymousId", value: string): DealRow[] {
      return (waiting[kind].all(value) as DealDbRow[]).map(toDeal);
    },
    setDealPerson(dealId: string, personId: number | null): void {
      setPerson.run(personId, dealId);
    },
  };
}
