import type { Store } from "../index.js";
import { toDeal, type DealDbRow } from "../dbRows.js";
import type { Sql } from "./sql.js";

const WAITING = {
  userId: "SELECT * FROM deals WHERE person_id IS NULL AND user_id = $1",
  email: "SELECT * FROM deals WHERE person_id IS NULL AND email = $1",
  anonymousId: "SELECT * FROM deals WHERE person_id IS NULL AND anonymous_id = $1",
} as const;

/** Current state of each CRM deal, and finding deals waiting for their person. */
export function dealQueries(sql: Sql): Store["deals"] {
  return {
    async deal(dealId) {
      const r = await sql.one<DealDbRow>("SELECT * FROM deals WHERE deal_id = $1", [dealId]);
      return r && toDeal(r);
    },
    async putDeal(d) {
      await sql.run(
        `INSERT INTO deals (deal_id, status, outcome, amount, currency, user_id, email, anonymous_id, created_at, updated_at,
           received_at, hit_seq, person_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (deal_id) DO UPDATE SET status = excluded.status, outcome = excluded.outcome, amount = excluded.amount,
           currency = excluded.currency, user_id = excluded.user_id, email = excluded.email,
           anonymous_id = excluded.anonymous_id, created_at = excluded.created_at, updated_at = excluded.updated_at,
           received_at = excluded.received_at, hit_seq = excluded.hit_seq, person_id = excluded.person_id`,
        [d.dealId, d.status, d.outcome, d.amount, d.currency, d.userId, d.email, d.anonymousId, d.createdAt, d.updatedAt, d.receivedAt, d.hitSeq, d.personId],
      );
    },
    async dealsOf(personId) {
      return (await sql.rows<DealDbRow>("SELECT * FROM deals WHERE person_id = $1 ORDER BY updated_at, hit_seq", [personId])).map(toDeal);
    },
    async dealsWaitingFor(kind, value) {
      return (await sql.rows<DealDbRow>(WAITING[kind], [value])).map(toDeal);
    },
    async setDealPerson(dealId, personId) {
      await sql.run("UPDATE deals SET person_id = $1 WHERE deal_id = $2", [personId, dealId]);
    },
  };
}
