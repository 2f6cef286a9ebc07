import { statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, test } from "vitest";
import { StoreUnavailableError } from "../../../src/store/errors.js";
import { startCheckpointer } from "../../../src/store/sqlite/checkpointer.js";
import { openDatabase, type Db } from "../../../src/store/sqlite/db.js";
import { transactionRunner } from "../../../src/store/sqlite/transactions.js";
import { tempDir } from "../../support/testApp.js";

/**
 * A full disk, as SQLite reports it (SQLITE_FULL: "database or disk is full"), made here with
 * max_page_count: the write fails retryably, the WAL is asked to give its space back, and once
 * there is room again the next write commits, without reopening anything.
 */
const dirs: Array<() => void> = [];
afterEach(() => {
  while (dirs.length > 0) dirs.pop()!();
});

function freshDb(opts: { backgroundCheckpoints?: boolean } = {}): { db: Db; path: string } {
  const { dir, cleanup } = tempDir();
  dirs.push(cleanup);
  const path = join(dir, "full.db");
  const db = openDatabase(path, opts);
  db.exec("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, blob TEXT NOT NULL)");
  return { db, path };
}

const insert = (db: Db, n: number) => {
  const stmt = db.prepare("INSERT INTO filler (blob) VALUES (?)");
  for (let i = 0; i < n; i++) stmt.run("x".repeat(2000));
};

describe("a full disk", () => {
  test("a write that fails with SQLITE_FULL is a retryable StoreUnavailableError, asks for a WAL truncate, and the next write after space is freed commits", async () => {
    const { db } = freshDb();
    let truncates = 0;
    const transaction = transactionRunner(db, { maxWaitMs: 1000, onDiskFull: () => truncates++ });
    const pages = Number(db.pragma("page_count", { simple: true }));
    db.pragma(`max_page_count = ${pages + 5}`);

    const failed = await transaction(async () => insert(db, 200)).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(StoreUnavailableError);
    expect((failed as Error).message).toMatch(/disk is full/);
    expect(truncates).toBe(1);
    expect(db.inTransaction).toBe(false);
    expect(db.prepare("SELECT count(*) AS n FROM filler").get()).toEqual({ n: 0 });

    // Space freed: the same connection commits again.
    db.pragma("max_page_count = 1073741823");
    await transaction(async () => insert(db, 200));
    expect(db.prepare("SELECT count(*) AS n FROM filler").get()).toEqual({ n: 200 });
  });

  test("other errors pass through unchanged and ask for nothing", async () => {
    const { db } = freshDb();
    let truncates = 0;
    const transaction = transactionRunner(db, { maxWaitMs: 1000, onDiskFull: () => truncates++ });
    await expect(transaction(async () => db.exec("INSERT INTO nowhere VALUES (1)"))).rejects.toThrow(/no such table/);
    expect(truncates).toBe(0);
  });

  test("the checkpointer's truncate gives the WAL's disk space back", async () => {
    const { db, path } = freshDb({ backgroundCheckpoints: true });
    insert(db, 2000);
    const wal = `${path}-wal`;
    expect(statSync(wal).size).toBeGreaterThan(1_000_000);
    // A long interval: only the truncate request checkpoints.
    const checkpointer = startCheckpointer(path, 3_600_000);
    try {
      checkpointer.truncate();
      while (statSync(wal).size > 0) await sleep(20);
      expect(statSync(wal).size).toBe(0);
      expect(db.prepare("SELECT count(*) AS n FROM filler").get()).toEqual({ n: 2000 });
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });
});
