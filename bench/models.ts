import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import {
  CoalitionValues,
  CreditBootstrap,
  chooseMarkovOrder,
  coalitionsOf,
  creditShapley,
  removalEffects,
  removalEffectsOfOrder,
  unweighted,
  type MarkovPath,
} from "../src/attribution/index.js";
import { ratio, type BenchContext, type BenchLine } from "./types.js";

const JOURNEYS = 100_000;
const RESAMPLES = 200;
// GA4 default channel groups, most common first (weights ~ a Zipf law).
const CHANNELS = [
  "Direct", "Organic Search", "Paid Search", "Email", "Referral", "Organic Social", "Paid Social",
  "Display", "Affiliates", "Organic Video", "AI Assistants", "SMS",
];

/**
 * 100k journeys over 12 channels: length 1 + geometric (mean ~2.2, at most 15), channels by a
 * Zipf law, conversion more likely after Email → Paid Search (a second-order effect) and with
 * more distinct channels. Seeded: the same journeys on every run.
 */
export function benchJourneys(n: number, seed = 7): MarkovPath[] {
  const rng = xoroshiro128plus(seed);
  const weights = CHANNELS.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let x = (uniformInt(rng, 0, 1_000_000) / 1_000_001) * total;
    for (let i = 0; i < CHANNELS.length; i++) if ((x -= weights[i]!) <= 0) return CHANNELS[i]!;
    return CHANNELS[CHANNELS.length - 1]!;
  };
  const paths: MarkovPath[] = [];
  for (let j = 0; j < n; j++) {
    const channels = [pick()];
    while (channels.length < 15 && uniformInt(rng, 0, 99) < 55) channels.push(pick());
    let p = 0.03 + 0.02 * new Set(channels).size;
    for (let i = 1; i < channels.length; i++) if (channels[i - 1] === "Email" && channels[i] === "Paid Search") p += 0.2;
    paths.push({ channels, converted: uniformInt(rng, 0, 9999) < p * 10_000 });
  }
  return paths;
}

function best<T>(runs: number, fn: () => T): { ms: number; value: T } {
  let ms = Infinity;
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    value = fn();
    ms = Math.min(ms, performance.now() - started);
  }
  return { ms, value };
}

/**
 * The data-driven fits over 100k generated journeys, in process (pure functions, as the
 * deriver runs them): each against the order-1 Markov fit of the same journeys in the same run.
 * Shapley's fit = its coalitions plus the shares of every distinct converting channel set
 * (what crediting every conversion needs).
 */
export async function benchModels(ctx: BenchContext): Promise<BenchLine[]> {
  const n = Math.round(JOURNEYS * ctx.scale);
  const paths = benchJourneys(n);
  ctx.progress(`models: ${n} journeys, ${paths.filter((p) => p.converted).length} converting`);
  const baseline = best(3, () => removalEffects(paths));
  const shapley = best(3, () => {
    const values = new CoalitionValues(coalitionsOf(paths));
    let sink = 0;
    for (const p of paths) if (p.converted) sink += creditShapley(p.channels.map((channel, at) => ({ at, channel })), values)[0] ?? 0;
    return sink;
  });
  ctx.progress(`models: order-1 fit ${baseline.ms.toFixed(0)} ms, shapley ${shapley.ms.toFixed(0)} ms`);
  const order2 = best(1, () => removalEffectsOfOrder(unweighted(paths), 2));
  ctx.progress(`models: order 2 ${order2.ms.toFixed(0)} ms`);
  const auto = best(1, () => {
    const { order } = chooseMarkovOrder(paths);
    return { order, fit: order === 1 ? removalEffects(paths) : removalEffectsOfOrder(unweighted(paths), order) };
  });
  ctx.progress(`models: auto (order ${auto.value.order}) ${auto.ms.toFixed(0)} ms`);
  const fit1 = baseline.value;
  const boot = best(1, () =>
    new CreditBootstrap(paths, 1, fit1.effects, new CoalitionValues(coalitionsOf(paths)), RESAMPLES).intervals(),
  );
  ctx.progress(`models: bootstrap ${RESAMPLES} resamples ${boot.ms.toFixed(0)} ms`);
  const line = (name: string, ms: number, details: Record<string, unknown>): BenchLine => ({
    section: "models",
    name,
    figure: ms,
    unit: "ms",
    baselineName: "order-1 Markov fit, same journeys",
    baseline: baseline.ms,
    baselineUnit: "ms",
    ratio: ratio(ms, baseline.ms),
    ratioMeaning: "of the order-1 fit's time",
    goal: null,
    met: null,
    details: { journeys: n, ...details },
  });
  return [
    line(`shapley fit + credit (${n / 1000}k journeys)`, shapley.ms, { coalitions: coalitionsOf(paths).length }),
    line(`markov order 2 fit (${n / 1000}k journeys)`, order2.ms, {}),
    line(`markov order auto: choose + fit (${n / 1000}k journeys)`, auto.ms, { chosen: auto.value.order }),
    line(`bootstrap ${RESAMPLES} resamples, markov + shapley (${n / 1000}k journeys)`, boot.ms, { resamples: RESAMPLES }),
  ];
}
