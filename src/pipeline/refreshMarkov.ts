import { buildPaths, removalEffects } from "../attribution/index.js";
import type { Pipeline } from "./context.js";

/**
 * Fits the Markov model on every person's channel paths and stores its removal effects.
 * Returns the effects and how long the solve took (the figure the benchmark reports).
 */
export function refreshMarkovModel(p: Pipeline): { paths: number; solveMs: number; effects: Record<string, number> } {
  const histories = [...p.store.derived.personHistories().values()];
  const paths = buildPaths(histories, p.settings.lookbackDays);
  const started = performance.now();
  const result = removalEffects(paths);
  const solveMs = performance.now() - started;
  p.store.derived.putMarkovModel({
    removalEffects: result.effects,
    conversionProbability: result.conversionProbability,
    paths: paths.length,
    computedAt: p.now(),
  });
  return { paths: paths.length, solveMs, effects: result.effects };
}
