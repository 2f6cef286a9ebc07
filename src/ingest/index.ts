/** Public face of src/ingest: Segment message validation, signature check, IP truncation (pure). */
export {
  validateMessage,
  parseTime,
  contentMessageId,
  CONTENT_ID_PREFIX,
  TIME_FIELDS,
  REVENUE_FIELDS,
  type TimestampSource,
  MESSAGE_TYPES,
  MAX_MESSAGE_DEPTH,
  MAX_MESSAGE_BYTES,
  MAX_ID_LENGTH,
  MAX_EVENT_LENGTH,
  type MessageType,
  type ValidMessage,
  type Validation,
} from "./validateMessage.js";
export {
  verifySignature,
  verifyFirstEventSignature,
  authenticateSegmentRequest,
  firstEvent,
  type SegmentAuth,
  type SegmentAuthConfig,
  type SegmentAuthRequest,
} from "./signature.js";
export { truncateIp } from "./truncateIp.js";
export { parseSegmentTime } from "./parseTime.js";
