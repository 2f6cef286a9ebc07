/**
 * Advisory lock keys of the PostgreSQL store ("SA" = 0x5341 in the high half, so they do not
 * collide with other users of advisory locks in the same database). Single-key locks (bigint)
 * and two-key locks (int, int) share one space in PostgreSQL: single keys here stay below
 * 2^32, i.e. (0, key), and two-key namespaces are never 0.
 */

/** Transaction lock taken by every raw insert (messages, crm_hits): see rawQueries.ts. */
export const LOCK_RAW_INSERT = 0x5341_0001;

/** Two-key namespace: (LOCK_MIGRATIONS, hashtext(schema)) serialises migrations of one schema. */
export const LOCK_MIGRATIONS = 0x5341_0002;

/** Two-key namespace: (LOCK_REPORT_DAY, day) serialises re-summing one UTC day (reportQueries.ts). */
export const LOCK_REPORT_DAY = 0x5341_0003;
