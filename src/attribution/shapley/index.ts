export { coalitionKey, coalitionsOf, type Coalition } from "./coalitions.js";
export { CoalitionValues, MAX_SHAPLEY_CHANNELS, shapleyValues } from "./shapleyValues.js";
export { creditShapley } from "./credit.js";
