import type { ValidMessage } from "../ingest/validateMessage.js";
import { compareCalls, stepVisit } from "../touchpoints/sessionize.js";
import { toDeviceCall } from "../touchpoints/toDeviceCall.js";
import type { Touchpoint, VisitState } from "../touchpoints/types.js";
import type { StoredMessage } from "../store/types.js";
import { fromStored } from "./storedMessage.js";
import { applyIdentityAndConversion } from "./applyMessage.js";
import type { DirtyPersons, Pipeline } from "./context.js";

/**
 * Replays every stored message for `recompute`, device by device: identity links and
 * conversions as in live ingest, and each device's visits folded in memory (one state write
 * per device instead of a read and a write per call). Alias messages link ids across devices
 * by name, so they are applied last, once every userId is known, in time order.
 */
export async function replayDevices(p: Pipeline, dirty: DirtyPersons, pageSize = 5000): Promise<number> {
  let count = 0;
  let device: string | null = null;
  let batch: ValidMessage[] = [];
  const aliases: ValidMessage[] = [];
  const flush = async () => {
    if (device !== null && batch.length > 0) await replayDevice(p, device, batch, dirty);
    batch = [];
  };
  let after: StoredMessage | null = null;
  for (;;) {
    const page: StoredMessage[] = await p.store.raw.messagesByDevicePage(after, pageSize);
    for (const stored of page) {
      const m = fromStored(stored);
      // Deletion requests are applied after the rebuild (recompute's last step).
      if (!m || m.type === "delete") continue;
      count++;
      if (stored.deviceId !== device) {
        await flush();
        device = stored.deviceId;
      }
      if (m.type === "alias") aliases.push(m);
      else batch.push(m);
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!;
  }
  await flush();
  aliases.sort(compareMessages);
  for (const m of aliases) await applyIdentityAndConversion(p, m, dirty);
  return count;
}

const compareMessages = (a: ValidMessage, b: ValidMessage) =>
  compareCalls({ at: a.timestamp, messageId: a.messageId }, { at: b.timestamp, messageId: b.messageId });

async function replayDevice(p: Pipeline, deviceId: string, messages: ValidMessage[], dirty: DirtyPersons): Promise<void> {
  const opts = { classifier: p.classifier, sessionTimeoutMs: p.sessionTimeoutMs };
  let state: VisitState | null = null;
  const touches: Touchpoint[] = [];
  for (const m of messages) {
    await applyIdentityAndConversion(p, m, dirty);
    const call = toDeviceCall(m.messageId, m.type, m.timestamp, m.raw);
    if (!call) continue;
    const step = stepVisit(state, call, deviceId, opts);
    state = step.state;
    if (step.touchpoint) touches.push(step.touchpoint);
  }
  if (state) await p.store.derived.putVisitState(deviceId, state);
  if (touches.length === 0) return;
  // The device's person once all its messages are linked (merges later move its touchpoints).
  const first = messages[0]!;
  const kind = first.anonymousId !== null ? "anonymousId" : "userId";
  const personId = (await p.store.identities.identity(kind, deviceId))!.personId;
  for (const t of touches) await p.store.derived.insertTouchpoint(t, personId);
  dirty.mark(personId);
}
