import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  CREDITED_MODELS,
  buildPaths,
  creditConversion,
  eligibleTouches,
  modelChannel,
  removalEffects,
  type CreditTouch,
  type MarkovPath,
  type ModelSettings,
} from "../../../src/attribution/index.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const CHANNELS = ["Direct", "Organic Search", "Paid Search", "Email", "Referral"] as const;

// Touches within ±200 days of T0 so that the lookback (0..120 days) both keeps and drops some;
// a small pool of times makes ties and boundary hits common.
const timeArb = fc.oneof(
  fc.integer({ min: T0 - 200 * DAY, max: T0 + 10 * DAY }),
  fc.integer({ min: -30, max: 5 }).map((days) => T0 + days * DAY),
);
const touchesArb = fc
  .array(fc.record({ at: timeArb, channel: fc.constantFrom(...CHANNELS), hasCampaign: fc.boolean() }), { maxLength: 12 })
  .map((touches) => [...touches].sort((a, b) => a.at - b.at));
const weightsArb = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
  .filter(([a, b, c]) => a + b + c > 0)
  .map(([a, b, c]) => ({ first: a / (a + b + c), middle: b / (a + b + c), last: c / (a + b + c) }));
const settingsArb: fc.Arbitrary<ModelSettings> = fc.record(
  {
    lookbackDays: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.double({ min: 0, max: 120, noNaN: true })),
    decayHalfLifeDays: fc.double({ min: 0.01, max: 60, noNaN: true }),
    positionWeights: weightsArb,
    campaignPriority: fc.boolean(),
  },
  { requiredKeys: ["lookbackDays", "decayHalfLifeDays"] },
);
// Every model but participation shares each conversion out (sum 1); participation gives 1 per channel.
const SHARING_MODELS = CREDITED_MODELS.filter((m) => m !== "participation");
const effectsArb = fc.option(
  fc.dictionary(fc.constantFrom(...CHANNELS), fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }))),
  { nil: undefined },
);
const pathsArb: fc.Arbitrary<MarkovPath[]> = fc.array(
  fc.record({
    channels: fc.array(fc.constantFrom(...CHANNELS), { minLength: 1, maxLength: 6 }),
    converted: fc.boolean(),
  }),
  { maxLength: 25 },
);

describe("credit laws", () => {
  test.each(SHARING_MODELS)("%s: credits are ≥ 0 and sum to 1", (model) => {
    fc.assert(
      fc.property(touchesArb, timeArb, settingsArb, effectsArb, (touches, conversionAt, settings, effects) => {
        const rows = creditConversion(model, touches, conversionAt, settings, effects);
        expect(rows.length).toBeGreaterThan(0);
        let total = 0;
        for (const row of rows) {
          expect(row.credit).toBeGreaterThanOrEqual(0);
          total += row.credit;
        }
        expect(Math.abs(total - 1)).toBeLessThanOrEqual(1e-9);
      }),
    );
  });

  test.each(CREDITED_MODELS)("%s: rows reference only eligible touches, by their channel", (model) => {
    fc.assert(
      fc.property(touchesArb, timeArb, settingsArb, effectsArb, (touches, conversionAt, settings, effects) => {
        const eligible = eligibleTouches(touches, conversionAt, settings.lookbackDays);
        const rows = creditConversion(model, touches, conversionAt, settings, effects);
        if (eligible.length === 0) {
          expect(rows).toEqual([{ touch: null, channel: "Unattributed", credit: 1 }]);
          return;
        }
        for (const row of rows) {
          expect(row.touch).not.toBeNull();
          expect(eligible).toContain(row.touch);
          expect(row.channel).toBe(touches[row.touch ?? -1]?.channel);
        }
      }),
    );
  });

  test("participation: exactly one row per distinct eligible channel, each credit 1", () => {
    fc.assert(
      fc.property(touchesArb, timeArb, settingsArb, (touches, conversionAt, settings) => {
        const eligible = eligibleTouches(touches, conversionAt, settings.lookbackDays);
        const rows = creditConversion("participation", touches, conversionAt, settings);
        if (eligible.length === 0) return;
        const channels = [...new Set(eligible.map((i) => touches[i]!.channel))].sort();
        expect(rows.map((r) => r.channel).sort()).toEqual(channels);
        for (const row of rows) {
          expect(row.credit).toBe(1);
          // The channel's first eligible touch carries it.
          expect(row.touch).toBe(eligible.find((i) => touches[i]!.channel === row.channel));
        }
      }),
    );
  });

  test.each(CREDITED_MODELS)("%s: deterministic (a copy of the same input gives the same rows)", (model) => {
    fc.assert(
      fc.property(touchesArb, timeArb, settingsArb, effectsArb, (touches, conversionAt, settings, effects) => {
        const rows = creditConversion(model, touches, conversionAt, settings, effects);
        const copy = structuredClone({ touches, settings, effects });
        expect(creditConversion(model, copy.touches, conversionAt, copy.settings, copy.effects)).toEqual(rows);
      }),
    );
  });

  test.each(["last_touch", "last_non_direct"] as const)(
    "%s under campaign priority: a campaign touch when one is eligible, else the plain model",
    (model) => {
      fc.assert(
        fc.property(touchesArb, timeArb, settingsArb, (touches, conversionAt, base) => {
          const settings = { ...base, campaignPriority: true };
          const eligible = eligibleTouches(touches, conversionAt, settings.lookbackDays);
          const rows = creditConversion(model, touches, conversionAt, settings);
          const campaign = eligible.filter((i) => touches[i]!.hasCampaign);
          if (campaign.length === 0) {
            expect(rows).toEqual(creditConversion(model, touches, conversionAt, { ...settings, campaignPriority: false }));
            return;
          }
          expect(rows).toHaveLength(1);
          const winner = rows[0]!.touch!;
          expect(touches[winner]!.hasCampaign).toBe(true);
          // Never displaced: no campaign touch after the winner, unless last_non_direct skipped a Direct one.
          for (const i of campaign) {
            if (i > winner) expect(model === "last_non_direct" && touches[i]!.channel === "Direct").toBe(true);
          }
        }),
      );
    },
  );

  test("eligible touches are exactly those in [conversion − lookback, conversion]", () => {
    fc.assert(
      fc.property(touchesArb, timeArb, fc.integer({ min: 0, max: 120 }), (touches, conversionAt, lookbackDays) => {
        const eligible = new Set(eligibleTouches(touches, conversionAt, lookbackDays));
        touches.forEach((touch, i) => {
          const inWindow = touch.at <= conversionAt && touch.at >= conversionAt - lookbackDays * DAY;
          expect(eligible.has(i)).toBe(inWindow);
        });
      }),
    );
  });

  test.each(["linear", "time_decay", "position_based", "markov"] as const)(
    "%s: the trait is a channel of the person's touches, Unattributed, or null without data",
    (model) => {
      const personArb = fc.record({ touches: touchesArb, conversionTimes: fc.array(timeArb, { maxLength: 3 }) });
      fc.assert(
        fc.property(personArb, settingsArb, effectsArb, (person, settings, effects) => {
          const channel = modelChannel(model, person, settings, effects);
          if (person.touches.length === 0 && person.conversionTimes.length === 0) expect(channel).toBeNull();
          else if (person.conversionTimes.length === 0) expect(person.touches.map((t: CreditTouch) => t.channel)).toContain(channel);
          else expect([...person.touches.map((t: CreditTouch) => t.channel), "Unattributed"]).toContain(channel);
        }),
      );
    },
  );
});

describe("markov laws", () => {
  test("effects lie in [0, 1] and P is the share of converting paths", () => {
    // The fitted chain reproduces the observed flow, so P(conversion) must equal it exactly.
    fc.assert(
      fc.property(pathsArb, (paths) => {
        const { effects, conversionProbability } = removalEffects(paths);
        const converting = paths.filter((path) => path.converted).length;
        expect(conversionProbability).toBeCloseTo(paths.length === 0 ? 0 : converting / paths.length, 12);
        for (const effect of Object.values(effects)) {
          expect(effect).toBeGreaterThanOrEqual(0);
          expect(effect).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  test("results are bit-identical whatever the order of the paths", () => {
    fc.assert(
      fc.property(pathsArb.chain((paths) => fc.tuple(fc.constant(paths), fc.shuffledSubarray(paths, { minLength: paths.length }))), ([paths, shuffled]) => {
        expect(removalEffects(shuffled)).toEqual(removalEffects(paths));
      }),
    );
  });

  test("buildPaths gives one path per credited conversion and per non-converter with touches", () => {
    const personArb = fc.record({ touches: touchesArb, conversionTimes: fc.array(timeArb, { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(personArb, { maxLength: 8 }), fc.integer({ min: 0, max: 120 }), (persons, lookbackDays) => {
        const expected = persons.reduce((count, person) => {
          if (person.conversionTimes.length === 0) return count + (person.touches.length > 0 ? 1 : 0);
          const credited = person.conversionTimes.filter((at) => eligibleTouches(person.touches, at, lookbackDays).length > 0);
          return count + credited.length;
        }, 0);
        expect(buildPaths(persons, lookbackDays)).toHaveLength(expected);
      }),
    );
  });
});
