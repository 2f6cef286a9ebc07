import { MESSAGE_TYPES, type MessageType, type ValidMessage } from "../ingest/validateMessage.js";
import { compareCalls, stepVisit } from "../touchpoints/sessionize.js";
import { toDeviceCall } from "../touchpoints/toDeviceCall.js";
import type { Touchpoint, VisitState } from "../touchpoints/types.js";
import type { StoredMessage } from "../store/types.js";
import { applyIdentityAndConversion } from "./applyMessage.js";
import type { DirtyPersons, Pipeline } from "./context.js";

/**
 * Replays every stored message for `recompute`, device by device: identity links and
 * conversions as in live ingest, and each device's visits folded in memory (one state write
 * per device instead of a read and a write per call). Alias messages link ids across devices
 * by name, so they are applied last, once every userId is known, in time order.
 */
export function replayDevices(p: Pipeline, dirty: DirtyPersons): number {
  let count = 0;
  let device: string | null = null;
  let batch: ValidMessage[] = [];
  const aliases: ValidMessage[] = [];
  const flush = () => {
    if (device !== null && batch.length > 0) replayDevice(p, device, batch, dirty);
    batch = [];
  };
  for (const stored of p.store.raw.iterateMessagesByDevice()) {
    const m = revalidate(stored);
    if (!m) continue;
    count++;
    if (stored.deviceId !== device) {
      flush();
      device = stored.deviceId;
    }
    if (m.type === "alias") aliases.push(m);
    else batch.push(m);
  }
  flush();
  aliases.sort(compareMessages);
  for (const m of aliases) applyIdentityAndConversion(p, m, dirty);
  return count;
}

/**
 * A stored message was validated (and its IP truncated) when it was accepted: rebuild the
 * ValidMessage from its columns instead of validating again.
 */
function revalidate(stored: StoredMessage): ValidMessage | null {
  if (!(MESSAGE_TYPES as readonly string[]).includes(stored.type)) return null;
  const raw = JSON.parse(stored.payload) as Record<string, unknown>;
  const previousId = raw.previousId;
  return {
    messageId: stored.messageId,
    type: stored.type as MessageType,
    anonymousId: stored.anonymousId,
    userId: stored.userId,
    event: stored.event,
    previousId: (typeof previousId === "string" && previousId !== "") || typeof previousId === "number" ? String(previousId) : null,
    timestamp: stored.timestamp,
    raw,
  };
}

const compareMessages = (a: ValidMessage, b: ValidMessage) =>
  compareCalls({ at: a.timestamp, messageId: a.messageId }, { at: b.timestamp, messageId: b.messageId });

function replayDevice(p: Pipeline, deviceId: string, messages: ValidMessage[], dirty: DirtyPersons): void {
  const opts = { classifier: p.classifier, sessionTimeoutMs: p.sessionTimeoutMs };
  let state: VisitState | null = null;
  const touches: Touchpoint[] = [];
  for (const m of messages) {
    applyIdentityAndConversion(p, m, dirty);
    const call = toDeviceCall(m.messageId, m.type, m.timestamp, m.raw);
    if (!call) continue;
    const step = stepVisit(state, call, deviceId, opts);
    state = step.state;
    if (step.touchpoint) touches.push(step.touchpoint);
  }
  if (state) p.store.derived.putVisitState(deviceId, state);
  if (touches.length === 0) return;
  // The device's person once all its messages are linked (merges later move its touchpoints).
  const first = messages[0]!;
  const kind = first.anonymousId !== null ? "anonymousId" : "userId";
  const personId = p.store.identities.identity(kind, deviceId)!.personId;
  for (const t of touches) p.store.derived.insertTouchpoint(t, personId);
  dirty.mark(personId);
}
