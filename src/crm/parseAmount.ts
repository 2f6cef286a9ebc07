/**
 * Money amounts as CRMs and Segment sources send them: JSON numbers, or strings in the
 * formats people and shop systems write (`"1,299.00"`, `"$19.99"`, `"1.299,00 €"`, `"19,99"`,
 * `"1 299,00"`, `"CHF 1'299.50"`, `"-$15"`). Pure: no I/O.
 *
 * Separators: when both `.` and `,` occur, the last one is the decimal separator and the other
 * groups thousands (in groups of three). A single kind of separator occurring more than once
 * groups thousands (`1,234,567`, `1.234.567`). A single `,` is a decimal comma unless exactly
 * three digits follow it (`19,99` is 19.99, `1,299` is 1299: English thousands, as before); a
 * single `.` is a decimal point. Spaces (also no-break and thin spaces) and `'` group thousands.
 * Currency symbols and ISO codes before or after the number are dropped; an unambiguous one
 * (`€`, `£`, `₹`, `₩`, `₺`, `₪`, `₽`, a three-letter code) is returned as the currency hint.
 * `$` and `¥` name several currencies and give no hint.
 *
 * Amounts beyond ±MAX_AMOUNT are refused (1e308 is not revenue, and summing two overflows).
 */
export const MAX_AMOUNT = 1e12;

export type MoneyParse = { kind: "ok"; amount: number; currency: string | null } | { kind: "invalid"; reason: string };

const SYMBOLS: ReadonlyArray<[string, string | null]> = [
  ["US$", "USD"],
  ["CA$", "CAD"],
  ["A$", "AUD"],
  ["R$", "BRL"],
  ["€", "EUR"],
  ["£", "GBP"],
  ["₹", "INR"],
  ["₩", "KRW"],
  ["₺", "TRY"],
  ["₪", "ILS"],
  ["₽", "RUB"],
  ["₴", "UAH"],
  ["₦", "NGN"],
  ["₱", "PHP"],
  ["₫", "VND"],
  ["฿", "THB"],
  ["$", null],
  ["¥", null],
  ["￥", null],
];
const SPACES = /[\s\u00a0\u202f\u2009\u2007]+/g;
const CODE_BEFORE = /^([A-Za-z]{3})(?=[\s\d+\-.,(]|$)/;
const CODE_AFTER = /(?<=[\s\d.,)])([A-Za-z]{3})$/;
const UNREADABLE = "is not an amount (expected a number or a money string like \"1,299.00\", \"$19.99\" or \"19,99\")";

/** Parses an amount; `value` is what the field held (a number or a string, anything else is invalid). */
export function parseMoney(value: unknown): MoneyParse {
  if (typeof value === "number") return bounded(value, null);
  if (typeof value !== "string") return { kind: "invalid", reason: UNREADABLE };
  let text = value.trim();
  if (text === "" || text.length > 64) return { kind: "invalid", reason: UNREADABLE };
  let currency: string | null = null;
  let negative = false;
  // Accounting negatives: (15.00)
  if (text.startsWith("(") && text.endsWith(")")) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  let signed = false;
  const sign = () => {
    if (signed) return;
    if (text.startsWith("-") || text.startsWith("+") || text.startsWith("\u2212")) {
      if (!text.startsWith("+")) negative = !negative;
      text = text.slice(1).trim();
      signed = true;
    }
  };
  sign();
  const strip = (): boolean => {
    for (const [symbol, code] of SYMBOLS) {
      if (text.startsWith(symbol)) {
        text = text.slice(symbol.length).trim();
        currency ??= code;
        return true;
      }
      if (text.endsWith(symbol)) {
        text = text.slice(0, -symbol.length).trim();
        currency ??= code;
        return true;
      }
    }
    const before = CODE_BEFORE.exec(text);
    if (before) {
      currency ??= before[1]!.toUpperCase();
      text = text.slice(3).trim();
      return true;
    }
    const after = CODE_AFTER.exec(text);
    if (after) {
      currency ??= after[1]!.toUpperCase();
      text = text.slice(0, -3).trim();
      return true;
    }
    return false;
  };
  // At most a symbol and a code (`US$ 5 USD` is odd but harmless), then the sign may follow ($-5).
  if (strip()) strip();
  sign();
  const amount = parseNumber(text.replace(SPACES, " "));
  if (amount === null) return { kind: "invalid", reason: UNREADABLE };
  return bounded(negative ? -amount : amount, currency);
}

/** The amount, or null when it is not one we can read (CRM hits: the currency field carries the unit). */
export function parseAmount(value: number | string): number | null {
  const r = parseMoney(value);
  return r.kind === "ok" ? r.amount : null;
}

function bounded(amount: number, currency: string | null): MoneyParse {
  if (!Number.isFinite(amount)) return { kind: "invalid", reason: "is not a finite number" };
  if (Math.abs(amount) > MAX_AMOUNT) return { kind: "invalid", reason: `is out of range (at most ${MAX_AMOUNT.toExponential()} either way)` };
  return { kind: "ok", amount: amount === 0 ? 0 : amount, currency };
}

const GROUPED = (sep: string) => new RegExp(`^\\d{1,3}(?:${sep}\\d{3})+$`);
const THOUSANDS: Record<string, RegExp> = { ",": GROUPED(","), ".": GROUPED("\\."), " ": GROUPED(" "), "'": GROUPED("'") };

/** Unsigned digits with separators to a number, or null when the separators are not consistent. */
function parseNumber(text: string): number | null {
  if (!/^[\d.,' ]+$/.test(text) || !/\d/.test(text)) return null;
  const lastDot = text.lastIndexOf(".");
  const lastComma = text.lastIndexOf(",");
  let decimal: "." | "," | null;
  if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? "." : ",";
  else if (lastComma >= 0) decimal = count(text, ",") === 1 && !/,\d{3}$/.test(text) ? "," : null;
  else if (lastDot >= 0) decimal = count(text, ".") === 1 ? "." : null;
  else decimal = null;
  let whole = text;
  let fraction = "";
  if (decimal !== null) {
    const at = text.lastIndexOf(decimal);
    whole = text.slice(0, at);
    fraction = text.slice(at + 1);
    if (!/^\d+$/.test(fraction)) return null;
    if (whole === "") whole = "0";
  }
  if (!/^\d+$/.test(whole)) {
    const seps = new Set(whole.replace(/\d/g, ""));
    if (seps.size !== 1) return null;
    const sep = [...seps][0]!;
    if (sep === decimal || !THOUSANDS[sep]!.test(whole)) return null;
    whole = whole.replaceAll(sep, "");
  }
  return Number(fraction === "" ? whole : `${whole}.${fraction}`);
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}
