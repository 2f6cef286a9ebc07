/**
 * SQLite's BINARY order of two strings (their UTF-8 bytes, i.e. code points), which is what
 * `ORDER BY message_id` gives. JS's `<` compares UTF-16 code units, which differs only where a
 * surrogate (a code point past U+FFFF) meets a unit in U+E000..U+FFFF.
 */
export function compareBinary(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) < codePointRank(y) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** Surrogates above every other unit from U+D800 on. */
const codePointRank = (unit: number) => (unit < 0xe000 ? unit + 0x2000 : unit - 0x800);
