/** Public face of the feedback stage: outbound messages, the Segment sender and the outbox loop. */
export type { AttributionContext, OutboundMessage, OutboxQueue, OutboxRow } from "./types.js";
export {
  changedTraits,
  dealStatusChanged,
  identifyTraits,
  visitorSourceIdentified,
  DEAL_STATUS_CHANGED,
  VISITOR_SOURCE_IDENTIFIED,
  type DealChange,
  type MessageTarget,
  type TouchSummary,
} from "./messages.js";
export { FIRST_DELAY_MS, MAX_ATTEMPTS, MAX_DELAY_MS, nextAttemptDelay } from "./backoff.js";
export { LOOP_GUARD_INTEGRATIONS, toSegmentCall, type SegmentCall } from "./segmentCall.js";
export {
  createSegmentSender,
  type OutboxSender,
  type SegmentSender,
  type SegmentSenderOptions,
  type SendResult,
} from "./sender.js";
export { flushOutbox, type FlushOutboxOptions, type FlushOutboxResult } from "./flushOutbox.js";
export { createOutboxWorker, type OutboxRunOutcome, type OutboxWorker, type OutboxWorkerOptions } from "./outboxWorker.js";
