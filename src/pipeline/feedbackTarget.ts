import type { MessageTarget } from "../feedback/index.js";
import type { IdentityRow } from "../store/types.js";

/** Feedback goes to the person's userId when known (the most recently seen), else its latest anonymousId. */
export function feedbackTarget(ids: readonly IdentityRow[]): MessageTarget | null {
  const latest = (kind: IdentityRow["kind"]) => {
    let best: IdentityRow | undefined;
    for (const i of ids) {
      if (i.kind !== kind) continue;
      if (!best || i.lastSeen > best.lastSeen || (i.lastSeen === best.lastSeen && i.value < best.value)) best = i;
    }
    return best?.value;
  };
  const userId = latest("userId");
  if (userId !== undefined) return { userId };
  const anonymousId = latest("anonymousId");
  return anonymousId !== undefined ? { anonymousId } : null;
}
