import { withReporting } from "../money/reportingMoney.js";
import { identityClaim, linkIdentities } from "../identity/index.js";
import type { ValidMessage } from "../ingest/validateMessage.js";
import { toDeviceCall } from "../touchpoints/toDeviceCall.js";
import { conversionFromTrack } from "./conversionFromTrack.js";
import type { DirtyPersons, Pipeline } from "./context.js";
import { deriveDeviceCall } from "./deriveDevice.js";
import { linkWaitingDeals } from "./linkWaitingDeals.js";

/**
 * Derives what one newly stored message changes: the identity graph, the device's visit and
 * touchpoints, a conversion. Persons whose person-level data must be re-derived are marked.
 */
export async function applyMessage(p: Pipeline, m: ValidMessage, dirty: DirtyPersons): Promise<void> {
  const personId = await applyIdentityAndConversion(p, m, dirty);
  const call = toDeviceCall(m.messageId, m.type, m.timestamp, m.raw);
  if (call) await deriveDeviceCall(p, m.anonymousId ?? m.userId!, personId, call, dirty);
}

/** The identity links and the conversion of one message; returns the message's person. */
export async function applyIdentityAndConversion(p: Pipeline, m: ValidMessage, dirty: DirtyPersons): Promise<number> {
  const { identities, derived } = p.store;
  const link = await linkIdentities(identities, await identityClaim(m, identities));
  for (const loser of link.merged) dirty.merged(loser, link.personId);
  if (link.added.length > 0) {
    dirty.mark(link.personId);
    await linkWaitingDeals(p, link.personId, link.added, dirty);
  }
  // An alias's previousId that now sends its own messages is a new device of the person.
  if (link.becameDevices.length > 0) dirty.mark(link.personId);
  const conversion = conversionFromTrack(m, link.personId, p.conversionEvents);
  if (conversion) {
    await derived.upsertConversion(withReporting(p.money, conversion));
    dirty.mark(link.personId);
  }
  return link.personId;
}
