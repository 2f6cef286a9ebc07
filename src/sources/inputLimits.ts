/**
 * Bounds on what the classifier reads of one call, so that no visitor-controlled string can make
 * classification slow (issue 16: a 32 KB utm_medium held the event loop 682 ms) or bloat the
 * stored touchpoint. GA4 itself truncates these fields (page_location at 1,000 characters,
 * page_referrer at 420, other event parameter values at 100); our bounds are looser so that
 * real long campaign names and landing URLs survive intact:
 * - the landing URL: its first 8,192 characters are read (UTMs and click ids past that are lost);
 * - the referrer: its first 2,048 characters;
 * - each UTM value (source, medium, campaign, term, content), after decoding: 256 characters.
 */
export const MAX_URL_LENGTH = 8192;
export const MAX_REFERRER_LENGTH = 2048;
export const MAX_CAMPAIGN_FIELD_LENGTH = 256;

/** `value` cut to `max` characters; non-strings pass through as null. */
export function bounded(value: string | null | undefined, max: number): string | null {
  if (typeof value !== "string") return null;
  return value.length > max ? value.slice(0, max) : value;
}
