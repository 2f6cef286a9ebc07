// Public face of the CRM stage: pure logic over deal status hits (no I/O).
export { parseCrmHit, hitSchema as crmHitSchema } from "./parseCrmHit.js";
export { parseAmount } from "./parseAmount.js";
export { parseCrmTime } from "./parseCrmTime.js";
export { statusOutcome, DEFAULT_WON_STATUSES, DEFAULT_LOST_STATUSES } from "./statusOutcome.js";
export { currentDealState, isNewer } from "./currentDealState.js";
export { mergeDealFields, type DealFields } from "./mergeDealFields.js";
export type { DealHitOrder } from "./currentDealState.js";
export type { CrmHit, CrmIdField, CrmParseResult, DealOutcome, StoredCrmHit } from "./types.js";
