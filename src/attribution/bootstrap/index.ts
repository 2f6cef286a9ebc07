export { CreditBootstrap, DEFAULT_RESAMPLES, DEFAULT_SEED, type CreditIntervals, type IntervalModel } from "./bootstrap.js";
export { quantile } from "./percentile.js";
