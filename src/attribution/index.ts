// Public face of the attribution core: pure functions over plain data (no I/O, clock or env).
export * from "./types.js";
export { DAY_MS, eligibleTouches } from "./eligibility.js";
export { DIRECT_CHANNEL, creditFirstTouch, creditLastNonDirect, creditLastTouch } from "./rules/positional.js";
export { creditCustomPosition, creditLinear, creditPositionBased } from "./rules/spread.js";
export {
  INVERSE_J,
  J_SHAPED,
  U_SHAPED,
  creditByPosition,
  creditInverseJ,
  creditJShaped,
  parsePositionWeights,
  type PositionWeights,
} from "./rules/positionWeights.js";
export { creditParticipation } from "./rules/participation.js";
export { hasCampaign, priorityCandidates } from "./rules/campaignPriority.js";
export { creditTimeDecay } from "./rules/timeDecay.js";
export { RULE_CREDITS, creditConversion } from "./creditConversion.js";
export { channelWithMostCredit, modelChannel } from "./modelChannel.js";
export { buildPaths, conversionPath, creditMarkov, nullPath, removalEffects, type MarkovResult } from "./markov/index.js";
export { MAX_MARKOV_ORDER, removalEffectsOfOrder, unweighted, type WeightedPath } from "./markov/orderK.js";
export { chooseMarkovOrder, heldOutLogLikelihood, splitHeldOut } from "./markov/chooseOrder.js";
export { globalShares } from "./markov/globalShares.js";
export * from "./shapley/index.js";
export * from "./bootstrap/index.js";
export { fitDataDriven, type DataDrivenFit, type MarkovOrderSetting } from "./fitDataDriven.js";
export { NO_FITS, modelFitsOf, type ModelFits, type StoredFit } from "./modelFits.js";
