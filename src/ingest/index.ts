/** Public face of src/ingest: Segment message validation, signature check, IP truncation (pure). */
export { validateMessage, parseTime, MESSAGE_TYPES, type MessageType, type ValidMessage, type Validation } from "./validateMessage.js";
export { verifySignature, firstEvent } from "./signature.js";
export { truncateIp } from "./truncateIp.js";
