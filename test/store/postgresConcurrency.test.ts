import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, test } from "vitest";
import { createPostgresStore, type PostgresStore } from "../../src/store/index.js";
import type { CreditRow, StoredMessage } from "../../src/store/types.js";
import type { OutboundMessage } from "../../src/feedback/types.js";
import { dropSchema, freshSchemaName, TEST_DATABASE_URL } from "../support/pgSchema.js";

/**
 * Several instances over one PostgreSQL: each "instance" is a store with a pool of its own on
 * the same schema, and they run at the same time. Skipped (reported) without TEST_DATABASE_URL.
 */
const T0 = 1_767_225_600_000;
const DAY = 86_400_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** `n` stores over one fresh schema, migrated. */
async function instances(url: string, n: number): Promise<PostgresStore[]> {
  const schema = freshSchemaName("sa_conc");
  cleanups.push(() => dropSchema(url, schema));
  const stores = Array.from({ length: n }, () => createPostgresStore(url, { schema, poolSize: 8 }));
  for (const s of stores) cleanups.push(() => s.close());
  for (const s of stores) await s.ready();
  return stores;
}

const msg = (messageId: string): StoredMessage => ({
  messageId,
  type: "track",
  anonymousId: `anon-${messageId}`,
  userId: null,
  deviceId: `anon-${messageId}`,
  event: "Viewed",
  timestamp: T0,
  receivedAt: T0,
  payload: "{}",
});

const identify = (messageId: string): OutboundMessage => ({
  type: "identify",
  messageId,
  anonymousId: "anon-1",
  timestamp: new Date(T0).toISOString(),
  traits: {},
});

const credit = (conversionId: string, at: number, value: number): CreditRow => ({
  conversionId,
  model: "linear",
  touchIndex: 0,
  touchpointId: 1,
  channel: "Email",
  source: "newsletter",
  medium: "email",
  campaign: null,
  credit: value,
  conversionName: "Order Completed",
  conversionAt: at,
  revenue: 10,
});

const jitter = (ms: number) => sleep(Math.random() * ms);

describe.skipIf(!TEST_DATABASE_URL)("PostgreSQL store with several instances", () => {
  const url = TEST_DATABASE_URL!;

  test("outbox claims from two instances never hand out the same row", async () => {
    const [a, b] = await instances(url, 2);
    const ROWS = 400;
    for (let i = 0; i < ROWS; i += 100) {
      await a!.transaction(async () => {
        for (let j = i; j < i + 100; j++) await a!.outbox.enqueue(null, identify(`o${j}`), T0);
      });
    }
    const sends = new Map<string, number>();
    // Three senders per instance, each claiming small batches as fast as it can.
    const sender = async (store: PostgresStore) => {
      for (;;) {
        const rows = await store.outbox.queue.claimDue(7, T0 + 1, 60_000);
        if (rows.length === 0) return;
        for (const r of rows) sends.set(r.id, (sends.get(r.id) ?? 0) + 1);
        await jitter(2);
        await store.outbox.queue.markSent(rows.map((r) => r.id), T0 + 2);
      }
    };
    await Promise.all([a!, a!, a!, b!, b!, b!].map(sender));
    expect(sends.size).toBe(ROWS);
    expect([...sends.values()].filter((n) => n !== 1)).toEqual([]);
    expect(await a!.admin.stats()).toMatchObject({ outbox_pending: 0, outbox_sent: ROWS });
  });

  test("raw inserts from two instances while a cursor reader follows: no row is skipped or read twice", async () => {
    const [a, b, reader] = await instances(url, 3);
    const WRITERS_PER_INSTANCE = 3;
    const TXS = 30;
    const BATCH = 2;
    let writing = 0;
    const writer = async (store: PostgresStore, w: number) => {
      writing++;
      try {
        for (let t = 0; t < TXS; t++) {
          const batch = Array.from({ length: BATCH }, (_, i) => msg(`w${w}-t${t}-m${i}`));
          // Transactions stay open a little after their insert, so commits interleave.
          await store.transaction(async () => {
            await store.raw.insertMessages(batch);
            await jitter(3);
          });
        }
      } finally {
        writing--;
      }
    };
    const seen: string[] = [];
    const follow = async () => {
      for (;;) {
        const stillWriting = writing > 0;
        const n = await reader!.transaction(async () => {
          const c = await reader!.cursor.cursor();
          const rows = await reader!.cursor.messagesAfter(c.messages, 20);
          if (rows.length > 0) await reader!.cursor.advanceCursor({ messages: rows[rows.length - 1]!.seq, hits: c.hits });
          seen.push(...rows.map((r) => r.messageId));
          return rows.length;
        });
        if (n === 0 && !stillWriting) return;
        if (n === 0) await sleep(1);
      }
    };
    const writers = [a!, b!].flatMap((s, i) => Array.from({ length: WRITERS_PER_INSTANCE }, (_, j) => writer(s, i * 10 + j)));
    await Promise.all([...writers, follow()]);
    const total = 2 * WRITERS_PER_INSTANCE * TXS * BATCH
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(await reader!.cursor.lag()).toBe(0);
  });

  test("two instances refreshing report days while credits change never count a day twice", async () => {
    const [a, b, writer] = await instances(url, 3);
    const DAYS = 5;
    const at = (i: number) => T0 + (i % DAYS) * DAY + 3_600_000;
    const p = await writer!.identities.createPerson(T0);
    for (let i = 0; i < 40; i++) {
      await writer!.derived.upsertConversion({ id: `c${i}`, personId: p, name: "Order Completed", at: at(i), revenue: 10, currency: null, origin: "track" });
    }
    let writing = true;
    const ROUNDS = 15;
    const value = (round: number) => (round % 2 === 0 ? 1 : 0.5);
    const rewrite = async () => {
      for (let round = 0; round < ROUNDS; round++) {
        await writer!.transaction(async () => {
          for (let i = 0; i < 40; i++) await writer!.derived.replaceCredits(`c${i}`, [credit(`c${i}`, at(i), value(round))]);
        });
        await jitter(3);
      }
      writing = false;
    };
    const refresher = async (store: PostgresStore) => {
      while (writing) {
        await store.transaction(() => store.reports.refreshDirtyDays(2));
        await jitter(2);
      }
    };
    await Promise.all([rewrite(), refresher(a!), refresher(b!), refresher(a!), refresher(b!)]);
    await Promise.all([a!.transaction(() => a!.reports.refreshDirtyDays(100)), b!.transaction(() => b!.reports.refreshDirtyDays(100))]);
    // Whole days only: the report comes from the sums; each must equal the credits it sums.
    const rows = await a!.reports.attributionRows({ model: "linear", from: T0, to: T0 + DAYS * DAY, conversion: null }, "channel");
    const last = value(ROUNDS - 1);
    expect(rows).toEqual([{ key: "Email", currency: null, conversions: 40 * last, revenue: 40 * last * 10 }]);
  });

  test("claims of waiting persons are disjoint, and a merge waits for the derivation of its person", async () => {
    const [a, b] = await instances(url, 2);
    const persons: number[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await a!.identities.createPerson(T0);
      await a!.identities.insertIdentity("anonymousId", `anon-${i}`, id, false, T0);
      await a!.cursor.markPending(id, [], 1, T0 + i);
      persons.push(id);
    }
    const [first, second] = persons;
    const events: string[] = [];
    let claimedByA: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimed!: () => void;
    const claimedSignal = new Promise<void>((resolve) => (claimed = resolve));
    // Instance A derives the three persons waiting longest and holds them.
    const derivation = a!.transaction(async () => {
      claimedByA = await a!.cursor.pendingPersons(3);
      claimed();
      await held;
      await a!.derived.putTraits(first!, { derived: true }, T0);
      await a!.cursor.clearPending(first!);
      events.push("derived");
    });
    await claimedSignal;
    expect(claimedByA).toEqual(persons.slice(0, 3));
    // Instance B claims what is left, not A's persons.
    const claimedByB = await b!.transaction(() => b!.cursor.pendingPersons(10));
    expect(claimedByB).toEqual(persons.slice(3));
    // A merge of A's person (step one on B) waits until A's derivation commits.
    const merge = b!.transaction(async () => {
      await b!.identities.mergePersonInto(first!, second!);
      events.push("merged");
    });
    await sleep(150);
    expect(events).toEqual([]);
    release();
    await Promise.all([derivation, merge]);
    expect(events).toEqual(["derived", "merged"]);
    // The traits A wrote for the merged-away person went with it; nothing is left of it.
    expect(await b!.derived.traitsOf(first!)).toBeUndefined();
    expect((await b!.identities.identitiesOf(second!)).map((i) => i.value)).toEqual(["anon-0", "anon-1"]);
    expect(await b!.derived.allPersonIds()).not.toContain(first);
  });

  test("a scheduled job slot is claimed by exactly one instance", async () => {
    const [a, b] = await instances(url, 2);
    const claims = await Promise.all([a!, b!, a!, b!].map((s) => s.admin.claimJobSlot("markov", T0)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await a!.admin.claimJobSlot("markov", T0 + 60_000)).toBe(true);
    expect(await b!.admin.claimJobSlot("retention", T0)).toBe(true);
  });
});
