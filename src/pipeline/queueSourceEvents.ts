import { createHash } from "node:crypto";
import { visitorSourceIdentified, type MessageTarget } from "../feedback/index.js";
import type { StoredTouchpoint } from "../store/types.js";
import type { Pipeline } from "./context.js";

/** A stable outbox id per touchpoint, so a re-derivation never queues the same event twice. */
export function sourceEventId(touchMessageId: string): string {
  const h = createHash("sha256").update(`visitor-source:${touchMessageId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * "Visitor Source Identified" for each new touchpoint whose source, medium or campaign differs
 * from the person's previous touchpoint (the first touchpoint always).
 */
export async function queueSourceEvents(
  p: Pipeline,
  personId: number,
  target: MessageTarget,
  touches: readonly StoredTouchpoint[],
  newTouches: ReadonlySet<string>,
): Promise<void> {
  if (newTouches.size === 0) return;
  const now = p.now();
  for (const [i, t] of touches.entries()) {
    if (!newTouches.has(t.messageId)) continue;
    const prev = i > 0 ? touches[i - 1] : undefined;
    if (prev && prev.source === t.source && prev.medium === t.medium && prev.campaign === t.campaign) continue;
    await p.store.outbox.enqueue(personId, visitorSourceIdentified(sourceEventId(t.messageId), target, t, i + 1, i === 0), now);
  }
}
