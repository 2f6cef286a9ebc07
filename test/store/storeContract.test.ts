import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { createPostgresStore, createSqliteStore, type ReportFilter, type Store } from "../../src/store/index.js";
import { migrate, openDatabase } from "../../src/store/sqlite/db.js";
import type { CreditRow, StoredMessage } from "../../src/store/types.js";
import type { Touchpoint } from "../../src/touchpoints/types.js";
import type { OutboundMessage } from "../../src/feedback/types.js";
import { dropSchema, freshSchemaName, TEST_DATABASE_URL } from "../support/pgSchema.js";
import { tempDir } from "../support/testApp.js";

/**
 * One contract, two stores: every case runs against SQLite and, when TEST_DATABASE_URL is set,
 * against PostgreSQL (each test in a fresh schema); without it that half is reported skipped.
 */
interface Backend {
  /** A new, empty store. */
  open(): Store;
  /** The same database opened again; resolves with how many migrations that applied. */
  reopen(): Promise<{ store: Store; migrationsApplied: number }>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function sqliteBackend(): Backend {
  const { dir, cleanup } = tempDir("sa-contract-");
  const path = join(dir, "contract.db");
  cleanups.push(async () => cleanup());
  const track = (s: Store) => {
    cleanups.push(() => s.close());
    return s;
  };
  return {
    open: () => track(createSqliteStore(path)),
    async reopen() {
      const db = openDatabase(path);
      const migrationsApplied = migrate(db);
      db.close();
      return { store: track(createSqliteStore(path)), migrationsApplied };
    },
  };
}

function postgresBackend(url: string): Backend {
  const schema = freshSchemaName("sa_contract");
  cleanups.push(() => dropSchema(url, schema));
  const track = (s: Store) => {
    cleanups.push(() => s.close());
    return s;
  };
  return {
    open: () => track(createPostgresStore(url, { schema, poolSize: 4 })),
    async reopen() {
      const store = createPostgresStore(url, { schema, poolSize: 4 });
      track(store);
      await store.ready();
      return { store, migrationsApplied: store.migrationsApplied };
    },
  };
}

const T0 = 1_767_225_600_123; // 2026-01-01T00:00:00.123Z: epoch ms well past 2^32
const DAY = 86_400_000;

const msg = (messageId: string, deviceId: string, timestamp = T0, extra: Partial<StoredMessage> = {}): StoredMessage => ({
  messageId,
  type: "page",
  anonymousId: deviceId,
  userId: null,
  deviceId,
  event: null,
  timestamp,
  receivedAt: timestamp + 5,
  payload: JSON.stringify({ messageId, anonymousId: deviceId }),
  ...extra,
});

const touch = (messageId: string, deviceId: string, at: number, channel = "Organic Search"): Touchpoint => ({
  messageId,
  deviceId,
  at,
  channel,
  source: "google",
  medium: "organic",
  campaign: null,
  term: null,
  content: null,
  referrer: "https://www.google.com/",
  landingPage: "https://shop.example/",
  clickIdType: null,
  rule: "test",
});

const credit = (conversionId: string, at: number, touchIndex: number | null, channel: string, value: number, revenue = 100): CreditRow => ({
  conversionId,
  model: "linear",
  touchIndex,
  touchpointId: touchIndex === null ? null : 1000 + touchIndex,
  channel,
  source: touchIndex === null ? null : `${channel.toLowerCase()}-src`,
  medium: touchIndex === null ? null : "cpc",
  campaign: null,
  credit: value,
  conversionName: "Order Completed",
  conversionAt: at,
  revenue,
});

const identify = (messageId: string, anonymousId: string): OutboundMessage => ({
  type: "identify",
  messageId,
  anonymousId,
  timestamp: new Date(T0).toISOString(),
  traits: { first_touch_channel: "Organic Search" },
});

const everything: ReportFilter = { model: "linear", from: null, to: null, conversion: null };

const backends: Array<[string, (() => Backend) | null]> = [
  ["sqlite", sqliteBackend],
  ["postgres", TEST_DATABASE_URL ? () => postgresBackend(TEST_DATABASE_URL!) : null],
];

describe.each(backends)("store contract on %s", (_name, makeBackend) => {
  const run = makeBackend ? test : test.skip;
  const fresh = () => makeBackend!().open();

  run("a NUL character in a stored string never fails the statement (PostgreSQL text cannot hold one)", async () => {
    const store = fresh();
    expect(await store.raw.insertMessages([msg("nul\u0000id", "dev\u0000ice"), msg("plain", "d1")])).toEqual([true, true]);
    const rows = await store.cursor.messagesAfter(0, 10);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.deviceId.startsWith("dev")).toBe(true);
    await store.raw.insertRejected(T0, "x\u0000", "reason \u0000", "{}");
    expect(await store.admin.stats()).toMatchObject({ messages: 2, rejected: 1 });
  });

  run("insertMessages stores each new messageId once, in input order, and answers per row", async () => {
    const store = fresh();
    expect(await store.raw.insertMessages([msg("a", "d1"), msg("b", "d2"), msg("a", "d1", T0 + 1)])).toEqual([true, true, false]);
    expect(await store.raw.insertMessages([msg("b", "d2"), msg("c", "d1", T0 + 2)])).toEqual([false, true]);
    expect(await store.raw.insertMessage(msg("a", "d1"))).toBe(false);
    expect(await store.raw.insertMessage(msg("d", "d3"))).toBe(true);
    expect(await store.raw.insertMessages([])).toEqual([]);
    const rows = await store.cursor.messagesAfter(0, 10);
    expect(rows.map((r) => r.messageId)).toEqual(["a", "b", "c", "d"]);
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((x, y) => x - y));
    // The first occurrence in a batch is the one stored.
    expect((await store.raw.message("a"))?.timestamp).toBe(T0);
    expect((await store.raw.messagesOfDevice("d1")).map((m) => m.messageId)).toEqual(["a", "c"]);
    await store.raw.insertRejected(T0, "bad", "type: required", "{}");
    expect(await store.admin.stats()).toMatchObject({ messages: 4, rejected: 1 });
  });

  run("messagesByDevicePage walks every message device by device, in time order", async () => {
    const store = fresh();
    await store.raw.insertMessages([msg("m3", "dev-b", T0), msg("m1", "dev-a", T0 + 10), msg("m2", "dev-a", T0), msg("m4", "Dev-c", T0)]);
    const seen: string[] = [];
    let after: { deviceId: string; timestamp: number; messageId: string } | null = null;
    for (;;) {
      const page = await store.raw.messagesByDevicePage(after, 2);
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.messageId));
      const last = page[page.length - 1]!;
      after = { deviceId: last.deviceId, timestamp: last.timestamp, messageId: last.messageId };
    }
    // Byte order: upper case before lower case, as SQLite's BINARY collation.
    expect(seen).toEqual(["m4", "m2", "m1", "m3"]);
  });

  run("the cursor moves with what was derived, and lag counts raw rows and waiting persons", async () => {
    const store = fresh();
    await store.raw.insertMessages([msg("a", "d1"), msg("b", "d1", T0 + 1), msg("c", "d2")]);
    const h1 = await store.raw.insertHit("h1", "deal-1", T0, "{}", null);
    await store.raw.insertHit("h2", null, T0, "{}", "dealId: required");
    expect(await store.cursor.cursor()).toEqual({ messages: 0, hits: 0 });
    expect(await store.cursor.lag()).toBe(5);
    const [, second] = await store.cursor.messagesAfter(0, 2);
    await store.transaction(async () => {
      const c = await store.cursor.cursor();
      expect(c).toEqual({ messages: 0, hits: 0 });
      await store.cursor.advanceCursor({ messages: second!.seq, hits: h1 });
    });
    expect(await store.cursor.cursor()).toEqual({ messages: second!.seq, hits: h1 });
    expect((await store.cursor.messagesAfter(second!.seq, 10)).map((m) => m.messageId)).toEqual(["c"]);
    expect((await store.cursor.hitsAfter(h1, 10)).map((h) => h.hitId)).toEqual(["h2"]);
    expect(await store.cursor.lag()).toBe(2);
    const p = await store.identities.createPerson(T0);
    await store.cursor.markPending(p, [], 3, T0);
    expect(await store.cursor.lag()).toBe(5);
    const heads = await store.cursor.heads();
    expect(heads.hits).toBeGreaterThan(h1);
    expect(heads.messages).toBe((await store.cursor.messagesAfter(0, 10)).at(-1)!.seq);
    expect((await store.raw.validHits()).map((h) => h.hitId)).toEqual(["h1"]);
    expect((await store.raw.hitsOfDeal("deal-1")).map((h) => h.date)).toEqual(["2026-01-01"]);
  });

  run("pending persons: rows add up, touches are kept, oldest first, cleared together", async () => {
    const store = fresh();
    const p1 = await store.identities.createPerson(T0);
    const p2 = await store.identities.createPerson(T0);
    await store.cursor.markPending(p2, ["m1"], 1, 100);
    await store.cursor.markPending(p1, ["m2"], 2, 50);
    await store.cursor.markPending(p2, ["m3"], 1, 200);
    expect(await store.cursor.hasPending()).toBe(true);
    expect(await store.transaction(() => store.cursor.pendingPersons(10))).toEqual([p1, p2]);
    expect(await store.cursor.pendingPersons(1)).toEqual([p1]);
    expect((await store.cursor.pendingTouchesOf(p2)).sort()).toEqual(["m1", "m3"]);
    expect(await store.cursor.lag()).toBe(4);
    await store.cursor.clearPending(p2);
    expect(await store.cursor.pendingPersons(10)).toEqual([p1]);
    expect(await store.cursor.pendingTouchesOf(p2)).toEqual([]);
    await store.cursor.clearPending(p1);
    expect(await store.cursor.hasPending()).toBe(false);
  });

  run("merging a person moves its identities, touchpoints, conversions, deals and pending work", async () => {
    const store = fresh();
    const from = await store.identities.createPerson(T0);
    const to = await store.identities.createPerson(T0);
    await store.identities.insertIdentity("anonymousId", "anon-1", from, false, T0);
    await store.identities.insertIdentity("email", "a@example.com", from, false, T0);
    await store.identities.insertIdentity("userId", "user-2", to, false, T0);
    const touchId = await store.derived.insertTouchpoint(touch("m1", "anon-1", T0), from);
    await store.derived.upsertConversion({ id: "msg:m9", personId: from, name: "Order Completed", at: T0 + 5, revenue: 10, currency: "EUR", origin: "track" });
    await store.deals.putDeal({
      dealId: "deal-1",
      status: "won",
      outcome: "won",
      amount: 99.5,
      currency: "EUR",
      userId: null,
      email: "a@example.com",
      anonymousId: null,
      createdAt: T0,
      updatedAt: T0,
      receivedAt: T0,
      hitSeq: 1,
      personId: from,
    });
    await store.derived.putTraits(from, { a: 1 }, T0);
    await store.derived.markDirty(from);
    await store.cursor.markPending(from, ["m1"], 2, 10);
    await store.cursor.markPending(to, ["m2"], 1, 20);
    await store.identities.markInferred(from);
    await store.transaction(() => store.identities.mergePersonInto(from, to));

    expect((await store.identities.identitiesOf(to)).map((i) => [i.kind, i.value, i.inferred])).toEqual([
      ["anonymousId", "anon-1", true],
      ["email", "a@example.com", false],
      ["userId", "user-2", false],
    ]);
    expect(await store.identities.identitiesOf(from)).toEqual([]);
    expect(await store.identities.identityCount(to)).toBe(3);
    expect((await store.derived.touchpointsOf(to)).map((t) => t.id)).toEqual([touchId]);
    expect((await store.derived.conversionsOf(to)).map((c) => c.id)).toEqual(["msg:m9"]);
    expect((await store.deals.dealsOf(to)).map((d) => [d.dealId, d.amount])).toEqual([["deal-1", 99.5]]);
    expect(await store.derived.traitsOf(from)).toBeUndefined();
    expect(await store.derived.dirtyPersons(10)).toEqual([]);
    expect(await store.cursor.pendingPersons(10)).toEqual([to]);
    expect((await store.cursor.pendingTouchesOf(to)).sort()).toEqual(["m1", "m2"]);
    expect(await store.cursor.lag()).toBe(3);
    expect(await store.derived.allPersonIds()).toEqual([to]);
    expect((await store.identities.identity("email", "a@example.com"))?.personId).toBe(to);
  });

  run("credits are replaced whole, and reports read the same before and after their day is re-summed", async () => {
    const store = fresh();
    const at = T0 + 3_600_000;
    const p = await store.identities.createPerson(T0);
    await store.derived.upsertConversion({ id: "msg:o1", personId: p, name: "Order Completed", at, revenue: 100, currency: null, origin: "track" });
    await store.derived.replaceCredits("msg:o1", [credit("msg:o1", at, 0, "Paid Search", 1 / 3), credit("msg:o1", at, 1, "Email", 2 / 3)]);
    await store.derived.upsertConversion({ id: "msg:o2", personId: null, name: "Signed Up", at: at + DAY, revenue: 0, currency: null, origin: "track" });
    await store.derived.replaceCredits("msg:o2", [{ ...credit("msg:o2", at + DAY, null, "Unattributed", 1, 0), conversionName: "Signed Up" }]);
    // One row per key and currency (null: the reporting currency), in key order.
    const expected = [
      { key: "Email", currency: null, conversions: 2 / 3, revenue: 200 / 3 },
      { key: "Paid Search", currency: null, conversions: 1 / 3, revenue: 100 / 3 },
      { key: "Unattributed", currency: null, conversions: 1, revenue: 0 },
    ];
    const report = async (f = everything, g: "channel" | "source" = "channel") =>
      (await store.reports.attributionRows(f, g)).map((r) => ({ ...r, conversions: round(r.conversions), revenue: round(r.revenue) }));
    const rounded = (rows: typeof expected) => rows.map((r) => ({ ...r, conversions: round(r.conversions), revenue: round(r.revenue) }));
    expect(await report()).toEqual(rounded(expected));
    expect(await store.transaction(() => store.reports.refreshDirtyDays(10))).toBe(2);
    expect(await store.reports.refreshDirtyDays(10)).toBe(0);
    expect(await report()).toEqual(rounded(expected));
    // A range cutting days in the middle reads their credits; whole days come from the sums.
    expect(await report({ ...everything, from: at - 1000, to: at + DAY + 1 })).toEqual(rounded(expected));
    expect(await report({ ...everything, from: at + 1 }, "source")).toEqual([{ key: "Unattributed", currency: null, conversions: 1, revenue: 0 }]);
    expect(await report({ ...everything, conversion: "Signed Up" })).toEqual([{ key: "Unattributed", currency: null, conversions: 1, revenue: 0 }]);

    const unchanged = await store.derived.creditsOf("msg:o1");
    await store.derived.replaceCredits("msg:o1", unchanged);
    expect(await store.reports.refreshDirtyDays(10)).toBe(0); // the same credits write nothing
    expect(unchanged.map((c) => c.credit)).toEqual([1 / 3, 2 / 3]);

    await store.derived.replaceCredits("msg:o1", [credit("msg:o1", at, 0, "Paid Search", 1)]);
    const after = [
      { key: "Paid Search", currency: null, conversions: 1, revenue: 100 },
      { key: "Unattributed", currency: null, conversions: 1, revenue: 0 },
    ];
    expect(await report()).toEqual(after);
    expect(await store.reports.refreshDirtyDays(10)).toBe(1);
    expect(await report()).toEqual(after);

    await store.derived.deleteConversion("msg:o1");
    expect(await store.derived.creditsOf("msg:o1")).toEqual([]);
    expect(await store.derived.conversion("msg:o1")).toBeUndefined();
    expect(await store.reports.refreshDirtyDays(10)).toBe(1);
    expect(await report()).toEqual([{ key: "Unattributed", currency: null, conversions: 1, revenue: 0 }]);
  });

  run("journeys: top paths as JSON arrays of channels, overview counts, times to conversion", async () => {
    const store = fresh();
    const p = await store.identities.createPerson(T0);
    await store.identities.insertIdentity("anonymousId", "anon-1", p, false, T0);
    const t1 = await store.derived.insertTouchpoint(touch("m1", "anon-1", T0, "Paid Search"), p);
    const t2 = await store.derived.insertTouchpoint(touch("m2", "anon-1", T0 + 60_000, 'Email "news"'), p);
    const at = T0 + 120_000;
    await store.derived.upsertConversion({ id: "msg:o1", personId: p, name: "Order Completed", at, revenue: 50, currency: null, origin: "track" });
    await store.derived.replaceCredits("msg:o1", [
      { ...credit("msg:o1", at, 0, "Paid Search", 0.5, 50), touchpointId: t1 },
      { ...credit("msg:o1", at, 1, 'Email "news"', 0.5, 50), touchpointId: t2 },
    ]);
    const f = { from: null, to: null, conversion: null };
    // A second conversion with no credited touch: the Unattributed path (null), length 0, no lag.
    await store.derived.upsertConversion({ id: "deal:d1", personId: p, name: "Deal Won", at, revenue: 10, currency: null, origin: "crm" });
    await store.derived.replaceCredits("deal:d1", [credit("deal:d1", at, null, "Unattributed", 1, 10)]);
    expect(await store.journeys.pathStats(f, "linear", 10)).toEqual({
      paths: [
        { path: '["Paid Search","Email \\"news\\""]', conversions: 1, revenue: 50, unconverted: [], avg_touches: 2, avg_lag_ms: 120_000, example_person: p },
        { path: null, conversions: 1, revenue: 10, unconverted: [], avg_touches: 0, avg_lag_ms: null, example_person: p },
      ],
      lengths: [{ bucket: 0, conversions: 1, revenue: 10, unconverted: [] }, { bucket: 2, conversions: 1, revenue: 50, unconverted: [] }],
      lags: [{ bucket: 0, conversions: 1, revenue: 50, unconverted: [] }],
      total: 2,
    });
    expect((await store.journeys.pathStats(f, "linear", 1)).paths).toHaveLength(1);
    expect(await store.journeys.conversionNames()).toEqual([
      { name: "Deal Won", origin: "crm", conversions: 1, revenue: 10, unconverted: [] },
      { name: "Order Completed", origin: "track", conversions: 1, revenue: 50, unconverted: [] },
    ]);
    await store.derived.deleteConversion("deal:d1");
    expect(await store.journeys.conversionCount(f)).toBe(1);
    expect(await store.journeys.conversionCount({ ...f, conversion: "Signed Up" })).toBe(0);
    expect(await store.journeys.overviewCounts({ from: null, to: null })).toEqual({ persons: 1, devices: 1, conversions: 1, revenue: 50, unconverted: [], touches: 2 });
    expect(await store.journeys.overviewCounts({ from: at + 1, to: null })).toEqual({ persons: 0, devices: 0, conversions: 0, revenue: 0, unconverted: [], touches: 0 });
    expect(await store.journeys.timesToConversion({ from: null, to: null })).toEqual([120_000]);
  });

  run("outbox rows are leased once, marked sent only while pending, and dead rows are requeued", async () => {
    const store = fresh();
    const p = await store.identities.createPerson(T0);
    const seqs = [];
    for (const id of ["o1", "o2", "o3"]) seqs.push(await store.outbox.enqueue(p, identify(id, "anon-1"), T0));
    expect(seqs.every((s) => typeof s === "number")).toBe(true);
    expect(await store.outbox.enqueue(p, identify("o1", "anon-1"), T0)).toBeNull();
    const q = store.outbox.queue;
    expect((await q.claimDue(2, T0, 1000)).map((r) => [r.id, r.attempts, r.message.messageId])).toEqual([
      ["o1", 0, "o1"],
      ["o2", 0, "o2"],
    ]);
    expect((await q.claimDue(10, T0, 1000)).map((r) => r.id)).toEqual(["o3"]);
    expect(await q.claimDue(10, T0 + 999, 1000)).toEqual([]);
    // A leased row is not rewritten in place.
    expect(await store.outbox.replacePendingMessage(seqs[0]!, p, identify("o1", "anon-2"), T0 + 10)).toBe(false);
    await q.markSent(["o1"], T0 + 10);
    await q.markFailed("o2", "HTTP 500", 1, T0 + 5000);
    await q.markFailed("o3", "HTTP 400", 9, null);
    expect(await store.admin.stats()).toMatchObject({ outbox_pending: 1, outbox_sent: 1, outbox_dead: 1 });
    // Leases ran out: only o2 is due again (o1 sent, o3 dead), once its next attempt is due.
    expect(await q.claimDue(10, T0 + 4999, 1000)).toEqual([]);
    expect((await q.claimDue(10, T0 + 5000, 1000)).map((r) => [r.id, r.attempts])).toEqual([["o2", 1]]);
    await q.markSent(["o1", "o2"], T0 + 5100);
    expect(await store.admin.stats()).toMatchObject({ outbox_pending: 0, outbox_sent: 2, outbox_dead: 1 });
    expect(await q.requeueDead(T0 + 6000)).toBe(1);
    expect((await q.claimDue(10, T0 + 6000, 1000)).map((r) => [r.id, r.attempts])).toEqual([["o3", 0]]);
    expect((await store.outbox.outboxOf(p)).map((r) => [r.id, r.status])).toEqual([
      ["o1", "sent"],
      ["o2", "sent"],
      ["o3", "pending"],
    ]);
    // Unsent and never tried: rewritten in place.
    const s4 = await store.outbox.enqueue(p, identify("o4", "anon-1"), T0);
    expect(await store.outbox.pendingMessage(s4!)).toMatchObject({ messageId: "o4", anonymousId: "anon-1" });
    expect(await store.outbox.replacePendingMessage(s4!, p, identify("o4", "anon-9"), T0)).toBe(true);
    expect(await store.outbox.pendingMessage(s4!)).toMatchObject({ messageId: "o4", anonymousId: "anon-9" });
    await store.outbox.putQueuedTraits("anonymousId:anon-1", { a: 1 }, T0, s4);
    expect(await store.outbox.lastQueuedTraits("anonymousId:anon-1")).toEqual({ traits: { a: 1 }, outboxSeq: s4 });
  });

  run("erasing a person removes every raw and derived row naming its identities, and nothing else", async () => {
    const store = fresh();
    const p = await store.identities.createPerson(T0);
    const other = await store.identities.createPerson(T0);
    await store.raw.insertMessages([
      msg("m1", "anon-1"),
      msg("m2", "user-1", T0 + 1, { anonymousId: null, userId: "user-1" }),
      msg("m3", "anon-9"),
    ]);
    await store.raw.insertRejected(T0, null, "bad", JSON.stringify({ userId: "user-1" }));
    await store.raw.insertHit("h1", "deal-1", T0, JSON.stringify({ dealId: "deal-1", userId: "user-1", status: "won" }), null);
    await store.identities.insertIdentity("anonymousId", "anon-1", p, false, T0);
    await store.identities.insertIdentity("userId", "user-1", p, false, T0);
    await store.identities.insertIdentity("anonymousId", "anon-9", other, false, T0);
    await store.derived.insertTouchpoint(touch("m1", "anon-1", T0), p);
    await store.derived.insertTouchpoint(touch("m3", "anon-9", T0), other);
    await store.derived.putVisitState("anon-1", { lastAt: T0, lastMessageId: "m1", source: "google", medium: "organic", campaign: null });
    await store.derived.upsertConversion({ id: "msg:o1", personId: p, name: "Order Completed", at: T0, revenue: 5, currency: null, origin: "track" });
    await store.derived.replaceCredits("msg:o1", [credit("msg:o1", T0, 0, "Organic Search", 1, 5)]);
    await store.outbox.enqueue(p, identify("o1", "anon-1"), T0);
    await store.outbox.enqueue(other, identify("o2", "anon-9"), T0);
    await store.outbox.putQueuedTraits("anonymousId:anon-1", { a: 1 }, T0, null);
    await store.derived.putTraits(p, { a: 1 }, T0);
    await store.cursor.markPending(p, ["m1"], 1, T0);

    await store.transaction(() => store.admin.erasePerson(p, ["anon-1", "user-1"]));

    expect((await store.cursor.messagesAfter(0, 10)).map((m) => m.messageId)).toEqual(["m3"]);
    expect(await store.admin.stats()).toMatchObject({ messages: 1, rejected: 0, persons: 1, touchpoints: 1, conversions: 0, outbox_pending: 1 });
    expect(await store.raw.validHits()).toEqual([]);
    expect(await store.identities.identity("userId", "user-1")).toBeUndefined();
    expect(await store.derived.visitState("anon-1")).toBeUndefined();
    expect(await store.derived.traitsOf(p)).toBeUndefined();
    expect(await store.outbox.lastQueuedTraits("anonymousId:anon-1")).toBeUndefined();
    expect(await store.cursor.hasPending()).toBe(false);
    expect(await store.derived.creditsOf("msg:o1")).toEqual([]);
    expect((await store.identities.identitiesOf(other)).map((i) => i.value)).toEqual(["anon-9"]);
    await store.admin.erasePerson(-1, ["anon-9"]);
    expect(await store.admin.stats()).toMatchObject({ messages: 0 });
  });

  run("resetDerived empties derived tables and keeps raw input; retention purges old messages", async () => {
    const store = fresh();
    await store.raw.insertMessages([msg("m1", "d1", T0 - DAY), msg("m2", "d1", T0)]);
    const p = await store.identities.createPerson(T0);
    await store.identities.insertIdentity("anonymousId", "d1", p, false, T0);
    await store.derived.insertTouchpoint(touch("m1", "d1", T0), p);
    await store.transaction(() => store.admin.resetDerived());
    expect(await store.admin.stats()).toMatchObject({ messages: 2, persons: 0, touchpoints: 0 });
    expect(await store.admin.purgeMessagesBefore(T0)).toBe(0); // not derived yet
    await store.cursor.advanceCursor(await store.cursor.heads());
    expect(await store.admin.purgeMessagesBefore(T0)).toBe(1);
    expect(await store.admin.ping()).toBe(true);
    expect(await store.admin.claimJobSlot("markov", T0)).toBe(true);
  });

  run("a failing nested transaction rolls back to its savepoint; a failing transaction leaves nothing", async () => {
    const store = fresh();
    await store.transaction(async () => {
      await store.raw.insertMessages([msg("kept", "d1")]);
      await expect(
        store.transaction(async () => {
          await store.raw.insertMessages([msg("dropped", "d1")]);
          throw new Error("step failed");
        }),
      ).rejects.toThrow("step failed");
      await store.raw.insertMessages([msg("kept-too", "d1")]);
    });
    await expect(
      store.transaction(async () => {
        await store.raw.insertMessages([msg("never", "d1")]);
        throw new Error("unit failed");
      }),
    ).rejects.toThrow("unit failed");
    expect((await store.cursor.messagesAfter(0, 10)).map((m) => m.messageId)).toEqual(["kept", "kept-too"]);
  });

  run("migrations run once: reopening the database keeps its data and applies none", async () => {
    const backend = makeBackend!();
    const store = backend.open();
    await store.raw.insertMessages([msg("m1", "d1")]);
    await store.close();
    const again = await backend.reopen();
    expect(again.migrationsApplied).toBe(0);
    expect((await again.store.raw.message("m1"))?.messageId).toBe("m1");
  });

  run("epoch-millisecond columns, ids, seqs and counts come back as JS numbers", async () => {
    const store = fresh();
    const far = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    await store.raw.insertMessages([msg("m1", "d1", far)]);
    const [m] = await store.cursor.messagesAfter(0, 1);
    expect(m).toMatchObject({ timestamp: far, receivedAt: far + 5 });
    expect(typeof m!.seq).toBe("number");
    const p = await store.identities.createPerson(far);
    expect(typeof p).toBe("number");
    await store.identities.insertIdentity("anonymousId", "d1", p, false, far);
    expect((await store.identities.identity("anonymousId", "d1"))?.lastSeen).toBe(far);
    const tid = await store.derived.insertTouchpoint(touch("m1", "d1", far), p);
    expect(typeof tid).toBe("number");
    expect((await store.derived.touchpointsOf(p))[0]).toMatchObject({ id: tid, personId: p, at: far });
    await store.derived.putVisitState("d1", { lastAt: far, lastMessageId: "m1", source: null, medium: null, campaign: null });
    expect((await store.derived.visitState("d1"))?.lastAt).toBe(far);
    await store.derived.putMarkovModel({ removalEffects: { Email: 0.25 }, conversionProbability: 0.1, paths: 3, computedAt: far });
    expect(await store.derived.markovModel()).toEqual({ removalEffects: { Email: 0.25 }, conversionProbability: 0.1, paths: 3, computedAt: far });
    // The data-driven fit (migration 8) round-trips beside it, and replaces it.
    const fit = {
      order: 2,
      coalitions: [{ channels: ["Direct", "Email"], conversions: 1, journeys: 4 }],
      intervals: { markov: { Email: { low: 0.5, high: 1.5 } }, shapley: {}, markov_global: {} },
    };
    await store.derived.putMarkovModel({ removalEffects: { Email: 0.5 }, conversionProbability: 0.2, paths: 4, computedAt: far, fit });
    expect(await store.derived.markovModel()).toEqual({ removalEffects: { Email: 0.5 }, conversionProbability: 0.2, paths: 4, computedAt: far, fit });
    await store.cursor.putRefitProgress(p, far);
    expect(await store.cursor.refitProgress()).toEqual({ nextPersonId: p, startedAt: far });
    expect(await store.cursor.personIdsFrom(0, 10)).toEqual([p]);
    await store.cursor.recordFailure("messages", m!.seq, "boom", far);
    expect(await store.cursor.failureCount()).toBe(1);
    const stats = await store.admin.stats();
    for (const v of Object.values(stats)) expect(typeof v).toBe("number");
    expect(typeof (await store.cursor.lag())).toBe("number");
    const heads = await store.cursor.heads();
    expect(typeof heads.messages).toBe("number");
    expect(typeof heads.hits).toBe("number");
  });
});

function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}
