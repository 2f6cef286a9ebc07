import type { Classification, Classifier, ClassifyInput } from "../../sources/index.js";

/**
 * The classifier with its answers remembered by url, then referrer, for calls without a
 * context.campaign: classification is a pure function of its input, and a site's internal
 * navigation repeats the same few pairs over and over. The same Classification object is handed
 * out again, which is safe: sessionization only reads it. Bounded: everything remembered is
 * dropped when full.
 */
export function cachedClassifier(classifier: Classifier, maxEntries = 10_000): Classifier {
  let memo = new Map<string | null, Map<string | null, Classification>>();
  let entries = 0;
  return {
    classify(input: ClassifyInput): Classification {
      if (input.campaign !== null) return classifier.classify(input);
      let byReferrer = memo.get(input.url);
      let c = byReferrer?.get(input.referrer);
      if (c === undefined) {
        c = classifier.classify(input);
        if (entries >= maxEntries) (memo = new Map()), (entries = 0), (byReferrer = undefined);
        if (byReferrer === undefined) memo.set(input.url, (byReferrer = new Map()));
        byReferrer.set(input.referrer, c);
        entries++;
      }
      return c;
    },
    classifySpecEvent: (event, properties) => classifier.classifySpecEvent(event, properties),
  };
}
