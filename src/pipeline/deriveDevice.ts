import { compareCalls, stepVisit } from "../touchpoints/sessionize.js";
import { toDeviceCall } from "../touchpoints/toDeviceCall.js";
import type { DeviceCall, VisitState } from "../touchpoints/types.js";
import type { DirtyPersons, Pipeline } from "./context.js";

/**
 * Advances a device's visit with one new call. A call older than the device's latest one
 * (Segment delivers out of order) re-derives the whole device from its raw messages, so the
 * result never depends on arrival order.
 */
export async function deriveDeviceCall(p: Pipeline, deviceId: string, personId: number, call: DeviceCall, dirty: DirtyPersons): Promise<void> {
  const { derived } = p.store;
  const state = await derived.visitState(deviceId);
  if (state && compareCalls(call, { at: state.lastAt, messageId: state.lastMessageId }) < 0) {
    await rederiveDevice(p, deviceId, personId, dirty);
    return;
  }
  const step = stepVisit(state ?? null, call, deviceId, { classifier: p.classifier, sessionTimeoutMs: p.sessionTimeoutMs });
  if (step.touchpoint) {
    await derived.insertTouchpoint(step.touchpoint, personId);
    dirty.mark(personId, step.touchpoint.messageId);
  }
  await derived.putVisitState(deviceId, step.state);
}

/** Rebuilds one device's touchpoints and visit state from its stored messages. */
export async function rederiveDevice(p: Pipeline, deviceId: string, personId: number, dirty: DirtyPersons): Promise<void> {
  const { derived, raw } = p.store;
  const before = new Set((await derived.touchpointsOfDevice(deviceId)).map((t) => t.messageId));
  await derived.deleteTouchpointsOfDevice(deviceId);
  const calls: DeviceCall[] = [];
  for (const m of await raw.messagesOfDevice(deviceId)) {
    const call = toDeviceCall(m.messageId, m.type, m.timestamp, JSON.parse(m.payload) as Record<string, unknown>);
    if (call) calls.push(call);
  }
  calls.sort(compareCalls);
  let state: VisitState | null = null;
  const opts = { classifier: p.classifier, sessionTimeoutMs: p.sessionTimeoutMs };
  for (const call of calls) {
    const step = stepVisit(state, call, deviceId, opts);
    state = step.state;
    if (step.touchpoint) {
      await derived.insertTouchpoint(step.touchpoint, personId);
      dirty.mark(personId, before.has(step.touchpoint.messageId) ? undefined : step.touchpoint.messageId);
    }
  }
  dirty.mark(personId);
  if (state) await derived.putVisitState(deviceId, state);
  // The paths report reads each conversion's first touch time from the touchpoints its credits
  // name, as the credits stand until the person is re-credited (a later transaction).
  await derived.refreshPathsOfPerson(personId);
}
