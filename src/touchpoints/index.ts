/**
 * Public face of src/touchpoints: pure sessionization of one device's calls
 * into touchpoints (see sessionize.ts for the rules).
 */
export { compareCalls, sessionize, stepVisit, type SessionizeOptions, type VisitStep } from "./sessionize.js";
export type { DeviceCall, Touchpoint, VisitState } from "./types.js";
