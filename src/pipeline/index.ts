/**
 * Public face of src/pipeline: the orchestrator that sequences ingest → identity → touchpoints
 * → conversions → credits → traits → outbox, in one transaction per unit of work.
 */
export { createPipeline, DirtyPersons, type Pipeline } from "./context.js";
export { ingestBatch, ingestBatches, deriveDirty, type IngestCounts } from "./ingestBatch.js";
export { createGroupCommitter, GROUP_MESSAGES } from "./groupCommit.js";
export { applyCrmHit, replayCrmHits, DEAL_CONVERSION_NAME, type HitEffect } from "./applyCrmHit.js";
export { recompute, recomputeMarkov, repairDirtyPersons, derivePersons, type RecomputeSummary } from "./recompute.js";
export { refreshMarkovModel } from "./refreshMarkov.js";
export { erasePerson } from "./erasePerson.js";
