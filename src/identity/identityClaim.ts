import type { ValidMessage } from "../ingest/validateMessage.js";
import type { IdentityGraph, IdentityClaim, IdentityKey } from "./linkIdentities.js";

function traitEmail(raw: Record<string, unknown>): string | null {
  const traits = raw.traits ?? (raw.context as Record<string, unknown> | undefined)?.traits;
  if (typeof traits !== "object" || traits === null) return null;
  const email = (traits as Record<string, unknown>).email;
  if (typeof email !== "string") return null;
  const e = email.trim().toLowerCase();
  return e.includes("@") ? e : null;
}

/**
 * The identities one message links. Any message carrying both ids links them; an alias links
 * previousId (an existing userId, else taken as an anonymousId) to userId; an identify's
 * `traits.email` is an email identity.
 */
export async function identityClaim(m: ValidMessage, graph: Pick<IdentityGraph, "identity">): Promise<IdentityClaim> {
  const ids: IdentityKey[] = [];
  if (m.anonymousId !== null) ids.push({ kind: "anonymousId", value: m.anonymousId });
  if (m.userId !== null) ids.push({ kind: "userId", value: m.userId });
  if (m.type === "alias" && m.previousId !== null && m.previousId !== m.userId) {
    const kind = (await graph.identity("userId", m.previousId)) ? "userId" : "anonymousId";
    // An id the user had, not a device: not counted in device_count unless it sends messages itself.
    ids.push({ kind, value: m.previousId, viaAlias: true });
  }
  return { ids, email: m.type === "identify" ? traitEmail(m.raw) : null, at: m.timestamp };
}
