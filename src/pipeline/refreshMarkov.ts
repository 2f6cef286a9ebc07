import { buildPaths, CoalitionValues, CreditBootstrap, fitDataDriven, type DataDrivenFit, type MarkovPath } from "../attribution/index.js";
import type { Config } from "../config/index.js";
import type { MarkovModelRow } from "../store/types.js";
import type { Pipeline } from "./context.js";

/** Resamples per chunk of the bootstrap; the refit yields to the event loop between chunks. */
export const BOOTSTRAP_CHUNK = 2;

/** The stored row of a fit (bootstrap intervals included when given). */
export function modelRowOf(fit: DataDrivenFit, paths: number, computedAt: number): MarkovModelRow {
  return {
    removalEffects: fit.removalEffects,
    conversionProbability: fit.conversionProbability,
    paths,
    computedAt,
    fit: { order: fit.order, coalitions: fit.coalitions, intervals: fit.intervals },
  };
}

/** A bootstrap of the fit's credit, ready to be stepped (null when BOOTSTRAP_RESAMPLES is 0). */
export function bootstrapOf(config: Pick<Config, "bootstrapResamples">, paths: readonly MarkovPath[], fit: DataDrivenFit): CreditBootstrap | null {
  if (config.bootstrapResamples === 0) return null;
  return new CreditBootstrap(paths, fit.order, fit.removalEffects, new CoalitionValues(fit.coalitions), config.bootstrapResamples);
}

/**
 * Fits the data-driven models (Markov of MARKOV_ORDER, Shapley coalitions) on every person's
 * channel paths: a read and pure work, no write. With `bootstrap: "inline"` their bootstrap
 * intervals follow, in chunks of BOOTSTRAP_CHUNK resamples with a turn of the event loop
 * between chunks; with "deferred" the row has no intervals yet and the bootstrap is returned
 * for the deriver to step between units of new input (refit.ts). solveMs: the Markov/Shapley fit.
 */
export async function fitMarkovModel(
  p: Pipeline,
  bootstrapMode: "inline" | "deferred" = "inline",
): Promise<{ model: MarkovModelRow; solveMs: number; bootstrap: CreditBootstrap | null }> {
  const histories = [...(await p.store.derived.personHistories()).values()];
  const paths = buildPaths(histories, p.settings.lookbackDays);
  const started = performance.now();
  const fit = fitDataDriven(paths, p.config.markovOrder);
  const solveMs = performance.now() - started;
  const bootstrap = bootstrapOf(p.config, paths, fit);
  if (bootstrap && bootstrapMode === "inline") {
    while (!bootstrap.step(BOOTSTRAP_CHUNK)) await new Promise((resolve) => setImmediate(resolve));
    fit.intervals = bootstrap.intervals();
  }
  return { model: modelRowOf(fit, paths.length, p.now()), solveMs, bootstrap: bootstrapMode === "deferred" ? bootstrap : null };
}

/** Fits the model and stores it. */
export async function refreshMarkovModel(p: Pipeline): Promise<{ paths: number; solveMs: number; effects: Record<string, number> }> {
  const { model, solveMs } = await fitMarkovModel(p);
  await p.store.derived.putMarkovModel(model);
  return { paths: model.paths, solveMs, effects: model.removalEffects };
}
