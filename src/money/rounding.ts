/**
 * Numbers at the edge (API JSON and CSV): money rounded to its currency's minor unit (ISO 4217
 * via Intl: USD 2, JPY 0, KWD 3), credits and other fractions to 1e-9. Inside, full precision.
 */
const digitsCache = new Map<string, number>();

/** Fraction digits of a currency's minor unit (2 for a code Intl does not know). */
export function minorUnitDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    digitsCache.set(currency, d);
  }
  return d;
}

function roundTo(v: number, digits: number): number {
  if (!Number.isFinite(v)) return v;
  // Via the decimal text: 1.005 is 1.00499999999999989…, Math.round(v * 100) would give 1.
  const r = Number(`${Math.round(Number(`${v}e${digits}`))}e-${digits}`);
  const out = Number.isFinite(r) ? r : Math.round(v * 10 ** digits) / 10 ** digits;
  return Object.is(out, -0) ? 0 : out;
}

export const roundMoney = (v: number, currency: string): number => roundTo(v, minorUnitDigits(currency));
export const roundCredit = (v: number): number => roundTo(v, 9);

/** Each value of a per-currency map rounded to its currency. */
export function roundUnconverted(u: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [c, v] of Object.entries(u)) out[c] = roundMoney(v, c);
  return out;
}
