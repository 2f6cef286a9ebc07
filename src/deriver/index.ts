/**
 * Public face of src/deriver: derivation off the serving path. A loop that consumes raw input
 * from a cursor in units grouped by person, runs the Markov refit and its re-credit in bounded
 * chunks, and `recompute` (the same steps in bulk).
 */
export { createDeriver, type Deriver, type DeriverOptions, type DeriverStatus } from "./deriver.js";
export { createWorkerDeriver } from "./workerDeriver.js";
export { applyNextRaw, derivePendingPersons, DEFAULT_UNIT, type UnitLimits, type AppliedUnit } from "./deriveUnit.js";
export { startRefit, recreditChunk, repairDirtyPersons, bootstrapChunk, type PendingBootstrap } from "./refit.js";
export { recompute, type RecomputeSummary } from "./recompute.js";
export { catchUp, CATCH_UP_UNIT } from "./catchUp.js";
