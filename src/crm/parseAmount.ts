/**
 * Deal amounts arrive as JSON numbers or, from form-encoded bodies and many
 * CRMs' "money" fields, as strings. We accept a dot as the decimal separator
 * and commas only as thousands separators in groups of three ("1,200.50").
 * A lone comma ("12,50", "1.200,50") is ambiguous between locales, and
 * guessing wrong changes revenue a hundredfold, so it is rejected instead.
 * Currency symbols and spaces are rejected for the same reason: `currency`
 * carries the unit. Negative amounts are kept (credit notes exist); only won
 * deals count as revenue anyway.
 */
const AMOUNT_PATTERN = /^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$/;

/** The amount, or null when the text is not an amount we can read unambiguously. */
export function parseAmount(value: number | string): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  const text = value.trim();
  if (!AMOUNT_PATTERN.test(text)) return null;
  return Number(text.replaceAll(",", ""));
}
