export { buildPaths, conversionPath, nullPath } from "./paths.js";
export { removalEffects, type MarkovResult } from "./removalEffects.js";
export { creditMarkov } from "./credit.js";
