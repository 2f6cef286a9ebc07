import { ExchangeRates, type RateEntry } from "./exchangeRates.js";

/**
 * Revenue in the reporting currency (REPORTING_CURRENCY). A conversion with no currency is in
 * the reporting currency; one in another currency is converted with the latest rate on or
 * before its time (EXCHANGE_RATES_PATH); with no such rate it stays in its own currency,
 * never summed into the reporting one (reports list it under `unconverted`). Pure.
 */
export interface ReportingMoney {
  currency: string;
  /** `currency: null`: `amount` is in the reporting currency; else it is in that currency, unconverted. */
  convert(amount: number, currency: string | null, at: number): { amount: number; currency: string | null };
}

export function reportingMoney(currency: string, rates: readonly RateEntry[]): ReportingMoney {
  const table = new ExchangeRates(rates);
  return {
    currency,
    convert(amount, from, at) {
      if (from === null || from === currency) return { amount, currency: null };
      const rate = table.rateAt(from, at);
      return rate === null ? { amount, currency: from } : { amount: amount * rate, currency: null };
    },
  };
}

/** Revenue summed per currency: `revenue` in the reporting one, `unconverted` per other currency. */
export interface MoneyTotals {
  revenue: number;
  unconverted: Record<string, number>;
}

export function addMoney(t: MoneyTotals, amount: number, currency: string | null): void {
  if (currency === null) t.revenue += amount;
  else t.unconverted[currency] = (t.unconverted[currency] ?? 0) + amount;
}

/** The conversion with `reportingRevenue` set: its revenue in the reporting currency, or null without a rate. */
export function withReporting<C extends { revenue: number; currency: string | null; at: number; reportingRevenue?: number | null }>(money: ReportingMoney, c: C): C {
  const v = money.convert(c.revenue, c.currency, c.at);
  return { ...c, reportingRevenue: v.currency === null ? v.amount : null };
}

/** Per-currency sums of [[currency, amount], ...] (as the journey queries return them). */
export function unconvertedOf(pairs: ReadonlyArray<readonly [string | null, number]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [currency, amount] of pairs) if (currency !== null) out[currency] = (out[currency] ?? 0) + amount;
  return out;
}
