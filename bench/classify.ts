import Referer from "referer-parser";
import { createClassifier } from "../src/sources/index.js";
import { classificationCorpus, DATASET_SITE } from "../test/support/generateDataset.js";
import { ratio, type BenchContext, type BenchLine } from "./types.js";

const CORPUS = 100_000;
const PASSES = 5;

/**
 * Our classifier over 100k generated (URL, referrer) pairs vs raw referer-parser lookups of the
 * same pairs. Passes alternate between the two; each side's best pass counts (the least
 * disturbed by the noisy machine).
 */
export async function benchClassify(ctx: BenchContext): Promise<BenchLine[]> {
  const corpus = classificationCorpus(CORPUS, 11);
  const classifier = createClassifier({ siteDomains: [DATASET_SITE], ignoredReferrers: [] });
  let sink = 0;
  const ours = () => {
    for (const c of corpus) sink += classifier.classify(c).channel.length;
  };
  const raw = () => {
    for (const c of corpus) sink += new Referer(c.referrer ?? "", c.url).medium.length;
  };
  const pass = (fn: () => void) => {
    const started = performance.now();
    fn();
    return CORPUS / ((performance.now() - started) / 1000);
  };
  ctx.progress(`classify: ${CORPUS} pairs, ${PASSES} alternating passes`);
  pass(ours);
  pass(raw); // warm-up
  const oursRuns: number[] = [];
  const rawRuns: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    oursRuns.push(pass(ours));
    rawRuns.push(pass(raw));
  }
  const figure = Math.max(...oursRuns);
  const baseline = Math.max(...rawRuns);
  const r = ratio(figure, baseline);
  return [
    {
      section: "classify",
      name: "classification (100k URL/referrer pairs)",
      figure,
      unit: "pairs/s",
      baselineName: "raw referer-parser",
      baseline,
      baselineUnit: "pairs/s",
      ratio: r,
      ratioMeaning: "of referer-parser",
      goal: "≥ 0.8×",
      met: r >= 0.8,
      details: { corpus: CORPUS, passes: PASSES, oursRuns, rawRuns, sink },
    },
  ];
}
