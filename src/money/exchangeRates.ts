import { parse } from "csv-parse/sync";

/** One line of the rates file: on and after `date`, 1 unit of `currency` is `rate` units of the reporting currency. */
export interface RateEntry {
  /** YYYY-MM-DD as written. */
  date: string;
  /** Start of that UTC day, epoch ms. */
  from: number;
  /** ISO 4217, upper-cased. */
  currency: string;
  rate: number;
}

export class RatesFileError extends Error {}

const CODE = /^[A-Za-z]{3}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses EXCHANGE_RATES_PATH's CSV: a header `date,currency,rate` (any column order, any case),
 * then one rate per line. Every line must be valid (a rates file with a typo would silently
 * mis-state revenue): the error names the line. Pure.
 */
export function parseRatesCsv(text: string): RateEntry[] {
  let records: Array<Record<string, string>>;
  try {
    records = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true }) as Array<Record<string, string>>;
  } catch (err) {
    throw new RatesFileError(`not a CSV file: ${(err as Error).message}`);
  }
  const out: RateEntry[] = [];
  records.forEach((r, i) => {
    const line = i + 2;
    if (r.date === undefined || r.currency === undefined || r.rate === undefined) {
      throw new RatesFileError("the header must name the columns date,currency,rate");
    }
    const m = DATE.exec(r.date);
    const from = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
    if (!m || new Date(from).toISOString().slice(0, 10) !== r.date) throw new RatesFileError(`line ${line}: date must be YYYY-MM-DD, got "${r.date}"`);
    if (!CODE.test(r.currency)) throw new RatesFileError(`line ${line}: currency must be a three-letter ISO 4217 code, got "${r.currency}"`);
    const rate = /^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(r.rate) ? Number(r.rate) : NaN;
    if (!Number.isFinite(rate) || rate <= 0) throw new RatesFileError(`line ${line}: rate must be a number greater than 0, got "${r.rate}"`);
    out.push({ date: r.date, from, currency: r.currency.toUpperCase(), rate });
  });
  return out;
}

/** The latest rate on or before a time, per currency (binary search over each currency's dates). */
export class ExchangeRates {
  private readonly byCurrency = new Map<string, { from: number[]; rate: number[] }>();

  constructor(entries: readonly RateEntry[]) {
    const sorted = [...entries].sort((a, b) => a.from - b.from);
    for (const e of sorted) {
      let c = this.byCurrency.get(e.currency);
      if (!c) this.byCurrency.set(e.currency, (c = { from: [], rate: [] }));
      // A date given twice: the later line wins.
      if (c.from.length > 0 && c.from[c.from.length - 1] === e.from) c.rate[c.rate.length - 1] = e.rate;
      else {
        c.from.push(e.from);
        c.rate.push(e.rate);
      }
    }
  }

  /** Units of the reporting currency per unit of `currency` at `at`, or null (no rate on or before that day). */
  rateAt(currency: string, at: number): number | null {
    const c = this.byCurrency.get(currency);
    if (!c) return null;
    let lo = 0;
    let hi = c.from.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c.from[mid]! <= at) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? null : c.rate[found]!;
  }
}
