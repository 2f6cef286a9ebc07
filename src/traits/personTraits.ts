import { channelWithMostCredit, modelChannel } from "../attribution/index.js";
import type { CreditRow, Model, ModelSettings } from "../attribution/types.js";
import type { ModelFits } from "../attribution/modelFits.js";
import type { Touchpoint } from "../touchpoints/types.js";
import type { ReportingMoney } from "../money/reportingMoney.js";
import { roundMoney, roundUnconverted } from "../money/rounding.js";

export interface TraitInputs {
  /** The person's touchpoints, oldest first. */
  touches: readonly Touchpoint[];
  conversionTimes: readonly number[];
  deviceCount: number;
  inferred: boolean;
  /** The person's CRM deals (current state); none: the CRM traits are left out. */
  deals: ReadonlyArray<{
    outcome: "won" | "lost" | "open";
    status: string;
    amount: number | null;
    updatedAt: number;
    hitSeq: number;
    currency?: string | null;
    createdAt?: number;
  }>;
  /**
   * REPORTING_CURRENCY and its rates: lifetime_revenue is in that currency (a deal's amount at
   * the rate of its createdAt); won deals in a currency without a rate go to
   * lifetime_revenue_unconverted instead. Absent: amounts are summed as they are.
   */
  money?: ReportingMoney;
  /**
   * The credit rows of each model over every conversion in `conversionTimes`, when the caller
   * has computed them already (the deriver does, for the credits table): the model-channel
   * traits then sum them instead of running the models again.
   */
  conversionCredits?: Partial<Record<Model, readonly CreditRow[]>>;
}

const iso = (ms: number) => new Date(ms).toISOString();

// Literal keys, not `${prefix}_channel`: computed keys and spreads cost ~10× as much, and this
// runs for every person derived (bulk recompute: 100k persons).
function firstTouchTraits(t: Touchpoint | undefined) {
  return {
    first_touch_channel: t?.channel ?? null,
    first_touch_source: t?.source ?? null,
    first_touch_medium: t?.medium ?? null,
    first_touch_campaign: t?.campaign ?? null,
    first_touch_referrer: t?.referrer ?? null,
    first_touch_landing_page: t?.landingPage ?? null,
    first_touch_at: t ? iso(t.at) : null,
  };
}

function lastTouchTraits(t: Touchpoint | undefined) {
  return {
    last_touch_channel: t?.channel ?? null,
    last_touch_source: t?.source ?? null,
    last_touch_medium: t?.medium ?? null,
    last_touch_campaign: t?.campaign ?? null,
    last_touch_referrer: t?.referrer ?? null,
    last_touch_landing_page: t?.landingPage ?? null,
    last_touch_at: t ? iso(t.at) : null,
  };
}

/**
 * The identify traits of one person (DESIGN "Feedback to Segment"): flat snake_case values so
 * that Mixpanel and other destinations can break funnels down by them.
 */
export function personTraits(input: TraitInputs, settings: ModelSettings, fits: ModelFits): Record<string, unknown> {
  const { touches } = input;
  const first = touches[0];
  const last = touches[touches.length - 1];
  // Like the last_non_direct model: the latest non-Direct touch, the latest one if all are Direct.
  let lastNonDirect = last;
  for (let i = touches.length - 1; i >= 0; i--) {
    if (touches[i]!.channel !== "Direct") {
      lastNonDirect = touches[i];
      break;
    }
  }
  const channels: string[] = [];
  for (const t of touches) if (!channels.includes(t.channel)) channels.push(t.channel);
  const history = { touches, conversionTimes: [...input.conversionTimes] };
  const known = input.conversionTimes.length > 0 ? input.conversionCredits : undefined;
  const channelOf = (model: "linear" | "time_decay" | "position_based" | "j_shaped" | "inverse_j" | "custom" | "markov" | "shapley") => {
    const rows = known?.[model];
    if (rows) return channelWithMostCredit(rows, touches);
    if (model === "markov") return modelChannel(model, history, settings, fits.removalEffects);
    if (model === "shapley") return modelChannel(model, history, settings, undefined, fits.coalitions);
    return modelChannel(model, history, settings);
  };
  const traits: Record<string, unknown> = {
    ...firstTouchTraits(first),
    ...lastTouchTraits(last),
    last_non_direct_touch_channel: lastNonDirect?.channel ?? null,
    last_non_direct_touch_source: lastNonDirect?.source ?? null,
    touch_count: touches.length,
    touch_channels: channels,
    device_count: input.deviceCount,
    linear_channel: channelOf("linear"),
    time_decay_channel: channelOf("time_decay"),
    position_based_channel: channelOf("position_based"),
    j_shaped_channel: channelOf("j_shaped"),
    inverse_j_channel: channelOf("inverse_j"),
    custom_channel: channelOf("custom"),
    markov_channel: channelOf("markov"),
    shapley_channel: channelOf("shapley"),
    is_inferred_identity: input.inferred,
  };
  if (input.deals.length > 0) {
    let revenue = 0;
    let won = 0;
    let latest = input.deals[0]!;
    const unconverted: Record<string, number> = {};
    for (const d of input.deals) {
      if (d.outcome === "won") {
        won++;
        const amount = d.amount ?? 0;
        const v = input.money ? input.money.convert(amount, d.currency ?? null, d.createdAt ?? d.updatedAt) : { amount, currency: null };
        if (v.currency === null) revenue += v.amount;
        else unconverted[v.currency] = (unconverted[v.currency] ?? 0) + v.amount;
      }
      if (d.updatedAt > latest.updatedAt || (d.updatedAt === latest.updatedAt && d.hitSeq > latest.hitSeq)) latest = d;
    }
    const currency = input.money?.currency ?? null;
    traits.lifetime_revenue = currency === null ? revenue : roundMoney(revenue, currency);
    if (currency !== null) traits.lifetime_revenue_currency = currency;
    // Only when some won deal had no rate: a trait that is always {} would be noise in every destination.
    if (Object.keys(unconverted).length > 0) traits.lifetime_revenue_unconverted = roundUnconverted(unconverted);
    traits.deals_won = won;
    traits.last_deal_status = latest.status;
  }
  return traits;
}
