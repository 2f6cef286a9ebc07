import { randomUUID } from "node:crypto";
import { parseCrmHit, type CrmParseResult } from "../crm/index.js";
import type { Store } from "../store/index.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export type StoredHits =
  | { kind: "stored"; hits: Array<{ hitId: string; dealId: string; status: string }> }
  | { kind: "invalid"; index: number; field: string; message: string };

/**
 * The gateway's write for CRM hits: every hit is kept raw in one transaction, valid or not.
 * If any hit of a request is invalid, none of them is applied (each is stored with an error
 * saying why), so a CRM can fix and resend the whole request. The deriver applies the valid
 * ones in arrival order.
 */
export async function storeCrmHits(store: Store, items: readonly unknown[], receivedAt: number): Promise<StoredHits> {
  const parsed: CrmParseResult[] = items.map((item) =>
    isObject(item) ? parseCrmHit(item, receivedAt) : { kind: "invalid", field: "body", message: "each hit must be a JSON object" },
  );
  const firstBad = parsed.findIndex((r) => r.kind === "invalid");
  const stored = await store.transaction(async () => {
    const out: Array<{ hitId: string; dealId: string; status: string }> = [];
    for (const [i, item] of items.entries()) {
      const r = parsed[i]!;
      const error = r.kind === "invalid" ? `${r.field}: ${r.message}` : firstBad >= 0 ? `not applied: hit ${firstBad} is invalid` : null;
      const hitId = randomUUID();
      await store.raw.insertHit(hitId, r.kind === "ok" ? r.hit.dealId : null, receivedAt, JSON.stringify(item ?? null), error);
      if (r.kind === "ok") out.push({ hitId, dealId: r.hit.dealId, status: r.hit.status });
    }
    return out;
  });
  if (firstBad >= 0) {
    const bad = parsed[firstBad] as Extract<CrmParseResult, { kind: "invalid" }>;
    return { kind: "invalid", index: firstBad, field: bad.field, message: bad.message };
  }
  return { kind: "stored", hits: stored };
}
