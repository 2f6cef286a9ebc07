import { buildPaths, removalEffects } from "../attribution/index.js";
import type { MarkovModelRow } from "../store/types.js";
import type { Pipeline } from "./context.js";

/**
 * Fits the Markov model on every person's channel paths: a read and a solve, no write.
 * Returns the model row and how long the solve took (the figure the benchmark reports).
 */
export async function fitMarkovModel(p: Pipeline): Promise<{ model: MarkovModelRow; solveMs: number }> {
  const histories = [...(await p.store.derived.personHistories()).values()];
  const paths = buildPaths(histories, p.settings.lookbackDays);
  const started = performance.now();
  const result = removalEffects(paths);
  const solveMs = performance.now() - started;
  return {
    model: { removalEffects: result.effects, conversionProbability: result.conversionProbability, paths: paths.length, computedAt: p.now() },
    solveMs,
  };
}

/** Fits the model and stores it. */
export async function refreshMarkovModel(p: Pipeline): Promise<{ paths: number; solveMs: number; effects: Record<string, number> }> {
  const { model, solveMs } = await fitMarkovModel(p);
  await p.store.derived.putMarkovModel(model);
  return { paths: model.paths, solveMs, effects: model.removalEffects };
}
