import type { Classification, Classifier, ClassifyInput } from "../../sources/index.js";

/**
 * The classifier with its answers remembered by (url, referrer), for calls without a
 * context.campaign: classification is a pure function of its input, and a site's internal
 * navigation repeats the same few pairs over and over. The same Classification object is handed
 * out again, which is safe: sessionization only reads it. Bounded: the memory is dropped when
 * full.
 */
export function cachedClassifier(classifier: Classifier, maxEntries = 10_000): Classifier {
  let memo = new Map<string, Classification>();
  return {
    classify(input: ClassifyInput): Classification {
      if (input.campaign !== null) return classifier.classify(input);
      // Unambiguous whatever the strings hold: the url is length-prefixed, the referrer is the
      // rest; joined, so that the map keeps one flat string rather than a chain of pieces.
      const { url, referrer } = input;
      const key = [url === null ? "-" : `${url.length}:${url}`, referrer === null ? "-" : `:${referrer}`].join("");
      let c = memo.get(key);
      if (c === undefined) {
        c = classifier.classify(input);
        if (memo.size >= maxEntries) memo = new Map();
        memo.set(key, c);
      }
      return c;
    },
    classifySpecEvent: (event, properties) => classifier.classifySpecEvent(event, properties),
  };
}
