import { buildPaths, fitDataDriven, type MarkovPath } from "../../attribution/index.js";
import { bootstrapOf, modelRowOf } from "../../pipeline/refreshMarkov.js";
import type { Pipeline } from "../../pipeline/context.js";
import type { MarkovModelRow } from "../../store/types.js";
import { keyOf } from "./collect.js";
import type { IdentityGraph } from "./identityGraph.js";
import type { PersonIndex } from "./personIndex.js";

/**
 * The data-driven fit (Markov, Shapley, bootstrap) on every person's paths, as src/pipeline/refreshMarkov.ts fits it
 * from the store (paths are counted, so their order does not matter).
 */
export function fitMarkov(p: Pipeline, graph: IdentityGraph, index: PersonIndex): { model: MarkovModelRow; solveMs: number } {
  const paths: MarkovPath[] = [];
  // Persons share paths (Direct alone, Organic Search alone, ...): one object each, repeated.
  const shared = new Map<string, MarkovPath>();
  for (const personId of graph.persons()) {
    const touches = index.historyOf(personId);
    const conversionTimes = index.conversionsOf(personId).map((c) => c.at);
    if (touches.length === 0 && conversionTimes.length === 0) continue;
    for (const path of buildPaths([{ touches, conversionTimes }], p.settings.lookbackDays)) {
      const key = `${path.converted ? 1 : 0}${keyOf(...path.channels)}`;
      let same = shared.get(key);
      if (same === undefined) shared.set(key, (same = path));
      paths.push(same);
    }
  }
  const started = performance.now();
  const fit = fitDataDriven(paths, p.config.markovOrder);
  const solveMs = performance.now() - started;
  // The CLI's recompute owns its process: the bootstrap runs in one go (same resamples, same
  // seed, same canonical order as the live refit, so the same intervals).
  const bootstrap = bootstrapOf(p.config, paths, fit);
  if (bootstrap) fit.intervals = bootstrap.intervals();
  return { model: modelRowOf(fit, paths.length, p.now()), solveMs };
}
