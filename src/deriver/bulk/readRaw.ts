import type { Logger } from "pino";
import type { Pipeline } from "../../pipeline/context.js";
import type { BulkStore, RawVersion } from "../../store/index.js";
import type { DealRow, MarkovModelRow } from "../../store/types.js";
import { bulkDeals } from "./bulkDeals.js";
import { cachedClassifier } from "./cachedClassifier.js";
import { Collected } from "./collect.js";
import { detailEvents } from "./messageParts.js";
import { compareBinary } from "./binaryOrder.js";
import { identityRows, PersonIndex } from "./personIndex.js";
import { feedbackTarget } from "../../pipeline/feedbackTarget.js";
import { fitMarkov } from "./fitMarkov.js";
import { Phases } from "./phases.js";
import { scanMessages, DEFAULT_SCAN, type ScanContext, type ScanOptions } from "./scanRange.js";

export interface ReadOptions {
  scan?: ScanOptions;
}

export interface RawRead {
  version: RawVersion;
  collected: Collected;
  index: PersonIndex;
  deals: DealRow[];
  hits: number;
  markov: MarkovModelRow;
  solveMs: number;
  startedAt: number;
  phases: Phases;
}

export function scanContext(p: Pipeline): ScanContext {
  return {
    classifier: cachedClassifier(p.classifier),
    sessionTimeoutMs: p.sessionTimeoutMs,
    conversionEvents: p.conversionEvents,
    detail: detailEvents(p.classifier, p.conversionEvents),
  };
}

/**
 * The read half of a bulk recompute, on a consistent snapshot of the raw input: every message
 * scanned device by device into the compact in-memory state (identity graph, visit states,
 * touchpoints, conversions), aliases applied last, deals resolved against the final graph, each
 * person's rows indexed and the Markov model fitted. No write.
 */
export async function readRaw(p: Pipeline, bulk: BulkStore, log: Logger, opts: ReadOptions = {}): Promise<RawRead> {
  const startedAt = performance.now();
  const phases = new Phases();
  const reader = await bulk.openReader();
  try {
    const version = await reader.version();
    const collected = new Collected();
    await scanMessages(reader, scanContext(p), collected, opts.scan ?? DEFAULT_SCAN);
    collected.finishScan();
    phases.lap("scan");
    collected.finishIdentities();
    renumberByTarget(collected);
    if (collected.skipped > 0) log.warn({ skipped: collected.skipped }, "aliases that live derivation fails on were skipped");
    const deals = bulkDeals(await reader.validHits(), collected.graph, p.config);
    collected.graph.freeLookups(); // every identity is known now: the lookup maps can go
    phases.lap("aliases+deals");
    const index = PersonIndex.build(collected, deals.deals, deals.conversions);
    phases.lap("index");
    const { model, solveMs } = fitMarkov(p, collected.graph, index);
    phases.lap("markov");
    log.debug({ messages: collected.messages, ms: Math.round(performance.now() - startedAt) }, "recompute read the raw input");
    return { version, collected, index, deals: deals.deals, hits: deals.hits, markov: model, solveMs, startedAt, phases };
  } finally {
    await reader.close();
  }
}

/**
 * Person ids in the order of their feedback target (the key of feedback_state), so that the
 * per-person writes (person_traits by id, feedback_state by target) both append. Ids differ
 * from incremental derivation's anyway; nothing else depends on them.
 */
function renumberByTarget(c: Collected): void {
  const keyed: Array<{ personId: number; key: string }> = [];
  for (const personId of c.graph.persons()) {
    const target = feedbackTarget(identityRows(c.graph, c.graph.identitiesOf(personId)));
    const key = target === null ? "" : target.userId ? `userId:${target.userId}` : `anonymousId:${target.anonymousId}`;
    keyed.push({ personId, key });
  }
  keyed.sort((a, b) => compareBinary(a.key, b.key) || a.personId - b.personId);
  c.graph.renumber(keyed.map((k) => k.personId));
}
