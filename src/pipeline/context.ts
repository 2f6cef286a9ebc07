import type { Config } from "../config/index.js";
import type { Store } from "../store/index.js";
import type { Classifier } from "../sources/index.js";
import type { ModelSettings, RemovalEffects } from "../attribution/types.js";
import { ConversionEvents } from "./conversionEvents.js";
import { reportingMoney, type ReportingMoney } from "../money/reportingMoney.js";
import { modelFitsOf, type ModelFits } from "../attribution/modelFits.js";

/** Everything the pipeline steps need, passed in (no globals). */
export interface Pipeline {
  store: Store;
  classifier: Classifier;
  config: Config;
  settings: ModelSettings;
  sessionTimeoutMs: number;
  /** CONVERSION_EVENTS, matched case- and space-insensitively (conversionEvents.ts). */
  conversionEvents: ConversionEvents;
  /** REPORTING_CURRENCY and the EXCHANGE_RATES_PATH rates: revenue converted at derivation. */
  money: ReportingMoney;
  now: () => number;
}

export function createPipeline(store: Store, classifier: Classifier, config: Config, now: () => number = Date.now): Pipeline {
  return {
    store,
    classifier,
    config,
    settings: {
      lookbackDays: config.lookbackDays,
      decayHalfLifeDays: config.decayHalfLifeDays,
      positionWeights: config.positionWeights,
      campaignPriority: config.campaignPriority,
    },
    sessionTimeoutMs: config.sessionTimeoutMinutes * 60_000,
    conversionEvents: new ConversionEvents(config.conversionEvents),
    money: reportingMoney(config.reportingCurrency, config.exchangeRates),
    now,
  };
}

/**
 * Persons touched by a unit of work, each with the touchpoints that are new to it (they get a
 * "Visitor Source Identified") and how many raw rows touched it (what derivation_lag counts
 * while the person waits). Merged-away persons hand their entry to the survivor.
 */
export class DirtyPersons {
  private readonly persons = new Map<number, { touches: Set<string>; rows: number }>();
  private row = 0;
  private readonly lastRow = new Map<number, number>();

  /** The next marks come from another raw row. */
  nextRow(): void {
    this.row++;
  }

  mark(personId: number, newTouchMessageId?: string): void {
    let e = this.persons.get(personId);
    if (!e) this.persons.set(personId, (e = { touches: new Set(), rows: 0 }));
    if (this.lastRow.get(personId) !== this.row) {
      this.lastRow.set(personId, this.row);
      e.rows++;
    }
    if (newTouchMessageId !== undefined) e.touches.add(newTouchMessageId);
  }

  merged(from: number, into: number): void {
    const moved = this.persons.get(from);
    this.persons.delete(from);
    this.mark(into);
    if (!moved) return;
    const e = this.persons.get(into)!;
    e.rows += moved.rows;
    for (const id of moved.touches) e.touches.add(id);
  }

  entries(): IterableIterator<[number, Set<string>]> {
    return [...this.persons].map(([id, e]) => [id, e.touches] as [number, Set<string>])[Symbol.iterator]();
  }

  /** Each person with its new touchpoints and the number of raw rows that touched it. */
  marks(): Array<{ personId: number; touches: string[]; rows: number }> {
    return [...this.persons].map(([personId, e]) => ({ personId, touches: [...e.touches], rows: e.rows }));
  }

  get size(): number {
    return this.persons.size;
  }
}

/** The data-driven fits currently in force (removal effects, Shapley coalitions; empty before the first run). */
export async function currentFits(store: Store): Promise<ModelFits> {
  return modelFitsOf(await store.derived.markovModel());
}

/** The Markov removal effects currently in force (empty before the first run). */
export async function currentRemovalEffects(store: Store): Promise<RemovalEffects> {
  return (await store.derived.markovModel())?.removalEffects ?? {};
}
