/** Which body field carried the deal's id (DESIGN: `dealId`, or `orderId` / `leadId`). */
export type CrmIdField = "dealId" | "orderId" | "leadId";

/** One CRM deal/order/lead status hit, normalised. Times are epoch milliseconds. */
export interface CrmHit {
  dealId: string;
  idField: CrmIdField;
  /** Trimmed, original case: what the CRM calls it (sent back in Deal Status Changed). */
  status: string;
  amount: number | null;
  /** ISO 4217 code, upper-cased. */
  currency: string | null;
  userId: string | null;
  /** Lower-cased and trimmed. */
  email: string | null;
  anonymousId: string | null;
  /** The body's createdAt, else updatedAt (see `createdAtGiven`). */
  createdAt: number;
  /** Whether the body carried a createdAt (a defaulted one must not override a real one). */
  createdAtGiven: boolean;
  updatedAt: number;
  receivedAt: number;
}

/** A stored hit: `seq` is its insertion order in the store, the last tie-breaker. */
export type StoredCrmHit = CrmHit & { seq: number };

export type CrmParseResult =
  | { kind: "ok"; hit: CrmHit }
  | { kind: "invalid"; field: string; message: string };

export type DealOutcome = "won" | "lost" | "open";
