/**
 * Public face of src/gateway: what the webhooks do on the request path. Verify, validate and
 * store raw input, then answer; nothing is derived here (the deriver does that, from a cursor).
 */
export { storeBatches, type IngestCounts } from "./storeBatch.js";
export { createGroupCommitter, GROUP_MESSAGES, type GroupCommitOptions } from "./groupCommit.js";
export { storeCrmHits, type StoredHits } from "./storeCrmHits.js";
export { replayRejected, REPLAY_CHUNK, type ReplaySummary } from "./replayRejected.js";
