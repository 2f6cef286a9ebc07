/**
 * Public face of src/sources: classification of one call into source, medium,
 * campaign and channel. Pure once constructed: createClassifier() reads its
 * data files (referer-parser's database, our overlay, Google's source
 * categories, ignored referrers) and builds every lookup once.
 */
export { createClassifier, type Classifier, type ClassifierOptions } from "./classifier.js";
export { loadChannelRules, ChannelRulesError, type ChannelRule } from "./channelRules.js";
export { CHANNEL_GROUP_RULES, isPaidMedium } from "./channelGroups.js";
export type { Channel, Classification, ClassifyInput, SegmentCampaign } from "./types.js";
