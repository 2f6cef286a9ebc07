import fc from "fast-check";
import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { FIRST_DELAY_MS, MAX_ATTEMPTS } from "../../../src/feedback/backoff.js";
import { flushOutbox, MAX_ISOLATION_ROUNDS } from "../../../src/feedback/flushOutbox.js";
import { identifyTraits } from "../../../src/feedback/messages.js";
import type { OutboxSender, SendResult } from "../../../src/feedback/sender.js";
import type { OutboxRow } from "../../../src/feedback/types.js";
import { MemoryOutboxQueue } from "./memoryOutboxQueue.js";

const logger = pino({ level: "silent" });
const T0 = Date.UTC(2024, 0, 1);

function queueWith(n: number, attempts = 0): MemoryOutboxQueue {
  const queue = new MemoryOutboxQueue();
  for (let i = 0; i < n; i++) queue.add(identifyTraits(`row-${i}`, { userId: `u${i}` }, { i }, T0), { attempts });
  return queue;
}

/** A sender that answers by a rule and remembers each call's row ids. */
function scriptedSender(outcome: (row: OutboxRow) => SendResult | "omit"): OutboxSender & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async send(rows) {
      calls.push(rows.map((r) => r.id));
      return rows.flatMap((row) => {
        const r = outcome(row);
        return r === "omit" ? [] : [r];
      });
    },
  };
}

const options = (now: () => number = () => T0) => ({ now, batchSize: 2, leaseMs: 120_000, logger });

describe("flushOutbox", () => {
  test("claims in batches until none are due and marks delivered rows sent", async () => {
    const queue = queueWith(5);
    const sender = scriptedSender((row) => ({ id: row.id, ok: true }));
    expect(await flushOutbox(queue, sender, options())).toEqual({ sent: 5, failed: 0, dead: 0 });
    expect(sender.calls.map((c) => c.length)).toEqual([2, 2, 1]);
    expect(queue.idsWith("sent")).toHaveLength(5);
    expect(queue.get("row-0").sentAt).toBe(T0);
  });

  test("a failed row is rescheduled with backoff and keeps its error", async () => {
    const queue = queueWith(2);
    const sender = scriptedSender((row) => (row.id === "row-1" ? { id: row.id, ok: false, error: "[503] Service Unavailable" } : { id: row.id, ok: true }));
    expect(await flushOutbox(queue, sender, options())).toEqual({ sent: 1, failed: 1, dead: 0 });
    const failed = queue.get("row-1");
    expect(failed).toMatchObject({ status: "pending", nextAttemptAt: T0 + FIRST_DELAY_MS, lastError: "[503] Service Unavailable" });
    expect(failed.row.attempts).toBe(1);
  });

  test("the row's last allowed attempt dead-letters it", async () => {
    const queue = queueWith(1, MAX_ATTEMPTS - 1);
    const sender = scriptedSender((row) => ({ id: row.id, ok: false, error: "boom" }));
    expect(await flushOutbox(queue, sender, options())).toEqual({ sent: 0, failed: 0, dead: 1 });
    expect(queue.get("row-0")).toMatchObject({ status: "dead", lastError: "boom" });
    expect(queue.get("row-0").row.attempts).toBe(MAX_ATTEMPTS);
  });

  test("a sender that throws fails the batch instead of the run", async () => {
    const queue = queueWith(3);
    const sender: OutboxSender = {
      send: () => Promise.reject(new Error("socket hang up")),
    };
    await expect(flushOutbox(queue, sender, options())).resolves.toEqual({ sent: 0, failed: 3, dead: 0 });
    expect(queue.get("row-2").lastError).toBe("socket hang up");
  });

  test("a row the sender says nothing about is not assumed sent", async () => {
    const queue = queueWith(2);
    const sender = scriptedSender((row) => (row.id === "row-0" ? "omit" : { id: row.id, ok: true }));
    expect(await flushOutbox(queue, sender, options())).toEqual({ sent: 1, failed: 1, dead: 0 });
    expect(queue.get("row-0")).toMatchObject({ status: "pending", lastError: "sender returned no result for the row" });
  });

  test("rows not yet due are left alone", async () => {
    const queue = queueWith(1);
    queue.add(identifyTraits("later", { userId: "u" }, {}, T0), { dueAt: T0 + 1 });
    const sender = scriptedSender((row) => ({ id: row.id, ok: true }));
    await flushOutbox(queue, sender, options());
    expect(queue.get("later").status).toBe("pending");
  });

  test("each row is tried at most once per run, even when the clock jumps past its backoff", async () => {
    const queue = queueWith(3);
    let clock = T0;
    const sender = scriptedSender((row) => ({ id: row.id, ok: false, error: "down" }));
    // Every reading of the clock is two hours later: every failed row is due again at once.
    const result = await flushOutbox(queue, sender, options(() => (clock += 2 * 3_600_000)));
    expect(result).toEqual({ sent: 0, failed: 3, dead: 0 });
    expect(sender.calls.flat().sort()).toEqual(["row-0", "row-1", "row-2"]);
  });

  test("an empty outbox sends nothing", async () => {
    const sender = scriptedSender((row) => ({ id: row.id, ok: true }));
    expect(await flushOutbox(new MemoryOutboxQueue(), sender, options())).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(sender.calls).toEqual([]);
  });

  test("law: sent rows are exactly the delivered ones, each marked once; every other row is rescheduled or dead", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ ok: fc.boolean(), attempts: fc.integer({ min: 0, max: MAX_ATTEMPTS }), omit: fc.boolean() }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (plan, batchSize) => {
          const queue = new MemoryOutboxQueue();
          plan.forEach((p, i) => queue.add(identifyTraits(`r${i}`, { userId: "u" }, {}, T0), { attempts: p.attempts }));
          const planOf = (id: string) => plan[Number(id.slice(1))]!;
          const sender = scriptedSender((row) => {
            const p = planOf(row.id);
            if (p.omit) return "omit";
            return p.ok ? { id: row.id, ok: true } : { id: row.id, ok: false, error: "no" };
          });
          const result = await flushOutbox(queue, sender, { now: () => T0, batchSize, leaseMs: 1000, logger });
          const delivered = plan.map((p, i) => (p.ok && !p.omit ? `r${i}` : null)).filter((id) => id !== null);
          expect(queue.idsWith("sent").sort()).toEqual(delivered.sort());
          for (const s of queue.rows.values()) {
            expect(s.sentMarks).toBeLessThanOrEqual(1);
            if (s.status === "pending") expect(s.nextAttemptAt).toBeGreaterThan(T0);
            if (s.status === "dead") expect(s.row.attempts).toBe(planOf(s.row.id).attempts + 1);
          }
          expect(result.sent + result.failed + result.dead).toBe(plan.length);
        },
      ),
    );
  });
});

/** Like Segment: a request carrying any poison row is refused (400) as a whole. */
function segmentLikeSender(poison: Set<string>): OutboxSender & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async send(rows) {
      calls.push(rows.map((r) => r.id));
      const refused = rows.some((r) => poison.has(r.id));
      return rows.map((row) => (refused ? { id: row.id, ok: false as const, error: "[400] Bad Request: bad row", rejected: true } : { id: row.id, ok: true as const }));
    },
  };
}

describe("flushOutbox: poison isolation after a 400", () => {
  test("only the refused rows are dead, at once and with Segment's answer; the innocent rows are sent", async () => {
    const queue = queueWith(40);
    const poison = new Set(["row-3", "row-17", "row-18", "row-39"]);
    const sender = segmentLikeSender(poison);
    expect(await flushOutbox(queue, sender, { ...options(), batchSize: 40 })).toEqual({ sent: 36, failed: 0, dead: 4 });
    expect(queue.idsWith("dead").sort()).toEqual([...poison].sort());
    for (const id of poison) expect(queue.get(id)).toMatchObject({ status: "dead", lastError: "[400] Bad Request: bad row" });
    expect(queue.get("row-3").row.attempts).toBe(1);
    // Each poison row was finally sent alone.
    for (const id of poison) expect(sender.calls.some((c) => c.length === 1 && c[0] === id)).toBe(true);
  });

  test("a 400 that a second try accepts (a too large request) leaves nothing dead", async () => {
    const queue = queueWith(8);
    let first = true;
    const sender: OutboxSender = {
      async send(rows) {
        const refuse = first;
        first = false;
        return rows.map((row) => (refuse ? { id: row.id, ok: false as const, error: "[400] Bad Request", rejected: true } : { id: row.id, ok: true as const }));
      },
    };
    expect(await flushOutbox(queue, sender, { ...options(), batchSize: 8 })).toEqual({ sent: 8, failed: 0, dead: 0 });
  });

  test("property: whatever rows are poison, exactly they are dead and every other row is sent once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.array(fc.nat(59), { maxLength: 8 }), async (n, picks) => {
        const queue = queueWith(n);
        const poison = new Set(picks.filter((i) => i < n).map((i) => `row-${i}`));
        const result = await flushOutbox(queue, segmentLikeSender(poison), { ...options(), batchSize: 60 });
        expect(queue.idsWith("dead").sort()).toEqual([...poison].sort());
        expect(result).toEqual({ sent: n - poison.size, failed: 0, dead: poison.size });
        for (const s of queue.rows.values()) expect(s.sentMarks).toBeLessThanOrEqual(1);
      }),
    );
  });

  test("isolation has a budget of rounds; what it could not pin down is an ordinary failure (backoff), not dead", async () => {
    const queue = queueWith(64);
    // Every row poison: isolating all would take ~127 rounds.
    const poison = new Set([...Array(64).keys()].map((i) => `row-${i}`));
    const sender = segmentLikeSender(poison);
    const result = await flushOutbox(queue, sender, { ...options(), batchSize: 64 });
    expect(sender.calls.length).toBeLessThanOrEqual(MAX_ISOLATION_ROUNDS);
    expect(result.dead).toBeGreaterThan(0);
    expect(result.failed).toBeGreaterThan(0);
    expect(result.dead + result.failed).toBe(64);
    for (const id of queue.idsWith("pending")) expect(queue.get(id).nextAttemptAt).toBe(T0 + FIRST_DELAY_MS);
  });
});
