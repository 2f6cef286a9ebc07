/**
 * Public face of src/pipeline: the derivation steps (identity → touchpoints → conversions →
 * credits → traits → outbox) that the deriver sequences, and erasure.
 */
export { createPipeline, DirtyPersons, currentRemovalEffects, type Pipeline } from "./context.js";
export { applyMessage } from "./applyMessage.js";
export { applyCrmHit, replayCrmHits, readStoredHit, DEAL_CONVERSION_NAME, type HitEffect } from "./applyCrmHit.js";
export { derivePerson } from "./derivePerson.js";
export { refreshMarkovModel, fitMarkovModel } from "./refreshMarkov.js";
export { erasePerson } from "./erasePerson.js";
