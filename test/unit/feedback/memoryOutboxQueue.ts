import type { OutboundMessage, OutboxQueue, OutboxRow } from "../../../src/feedback/types.js";

/**
 * An in-memory OutboxQueue with the store's contract (due time, lease, dead-lettering),
 * plus inspection for assertions. Shared by the unit and integration tests of the outbox.
 */
export interface MemoryRowState {
  row: OutboxRow;
  status: "pending" | "sent" | "dead";
  nextAttemptAt: number;
  leaseUntil: number;
  lastError: string | null;
  sentAt: number | null;
  /** How often markSent was called for this row: must never exceed 1. */
  sentMarks: number;
}

export class MemoryOutboxQueue implements OutboxQueue {
  readonly rows = new Map<string, MemoryRowState>();
  claims = 0;

  add(message: OutboundMessage, opts: { id?: string; attempts?: number; dueAt?: number } = {}): string {
    const id = opts.id ?? message.messageId;
    const row: OutboxRow = { id, message, attempts: opts.attempts ?? 0 };
    this.rows.set(id, { row, status: "pending", nextAttemptAt: opts.dueAt ?? 0, leaseUntil: 0, lastError: null, sentAt: null, sentMarks: 0 });
    return id;
  }

  async claimDue(limit: number, now: number, leaseMs: number): Promise<OutboxRow[]> {
    this.claims += 1;
    const due = [...this.rows.values()]
      .filter((s) => s.status === "pending" && s.nextAttemptAt <= now && s.leaseUntil <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
      .slice(0, limit);
    for (const s of due) s.leaseUntil = now + leaseMs;
    return due.map((s) => ({ ...s.row, message: structuredClone(s.row.message) }));
  }

  async markSent(ids: string[], now: number): Promise<void> {
    for (const id of ids) {
      const s = this.get(id);
      s.status = "sent";
      s.sentAt = now;
      s.sentMarks += 1;
    }
  }

  async markFailed(id: string, error: string, attempts: number, nextAttemptAt: number | null): Promise<void> {
    const s = this.get(id);
    s.row = { ...s.row, attempts };
    s.lastError = error;
    s.leaseUntil = 0;
    if (nextAttemptAt === null) s.status = "dead";
    else s.nextAttemptAt = nextAttemptAt;
  }

  async requeueDead(now: number): Promise<number> {
    let count = 0;
    for (const s of this.rows.values()) {
      if (s.status !== "dead") continue;
      s.status = "pending";
      s.nextAttemptAt = now;
      s.row = { ...s.row, attempts: 0 };
      count += 1;
    }
    return count;
  }

  get(id: string): MemoryRowState {
    const s = this.rows.get(id);
    if (!s) throw new Error(`no outbox row ${id}`);
    return s;
  }

  idsWith(status: MemoryRowState["status"]): string[] {
    return [...this.rows.values()].filter((s) => s.status === status).map((s) => s.row.id);
  }
}
