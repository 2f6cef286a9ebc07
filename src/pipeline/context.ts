import type { Config } from "../config/index.js";
import type { Store } from "../store/index.js";
import type { Classifier } from "../sources/index.js";
import type { ModelSettings, RemovalEffects } from "../attribution/types.js";

/** Everything the pipeline steps need, passed in (no globals). */
export interface Pipeline {
  store: Store;
  classifier: Classifier;
  config: Config;
  settings: ModelSettings;
  sessionTimeoutMs: number;
  conversionEvents: ReadonlySet<string>;
  now: () => number;
}

export function createPipeline(store: Store, classifier: Classifier, config: Config, now: () => number = Date.now): Pipeline {
  return {
    store,
    classifier,
    config,
    settings: { lookbackDays: config.lookbackDays, decayHalfLifeDays: config.decayHalfLifeDays },
    sessionTimeoutMs: config.sessionTimeoutMinutes * 60_000,
    conversionEvents: new Set(config.conversionEvents),
    now,
  };
}

/**
 * Persons touched by a unit of work, each with the touchpoints that are new to it (they get a
 * "Visitor Source Identified"). Merged-away persons hand their entry to the survivor.
 */
export class DirtyPersons {
  private readonly persons = new Map<number, Set<string>>();

  mark(personId: number, newTouchMessageId?: string): void {
    let set = this.persons.get(personId);
    if (!set) this.persons.set(personId, (set = new Set()));
    if (newTouchMessageId !== undefined) set.add(newTouchMessageId);
  }

  merged(from: number, into: number): void {
    const moved = this.persons.get(from);
    this.persons.delete(from);
    this.mark(into);
    if (moved) for (const id of moved) this.mark(into, id);
  }

  entries(): IterableIterator<[number, Set<string>]> {
    return this.persons.entries();
  }

  get size(): number {
    return this.persons.size;
  }
}

/** The Markov removal effects currently in force (empty before the first run). */
export function currentRemovalEffects(store: Store): RemovalEffects {
  return store.derived.markovModel()?.removalEffects ?? {};
}
