import { execFileSync } from "node:child_process";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { afterEach, describe, expect, test } from "vitest";
import { page } from "../support/segmentMessages.js";
import { tempDir, TEST_STORE, testPipeline, useTestApps } from "../support/testApp.js";

const makeApp = useTestApps();
const undo: Array<() => void> = [];
afterEach(() => {
  while (undo.length > 0) undo.pop()!();
});

/**
 * Makes a file read-only for this process. root ignores file modes, so there the file is made
 * immutable (chattr +i) instead, which binds root too.
 */
function makeReadOnly(path: string): void {
  if (process.getuid?.() === 0) {
    execFileSync("chattr", ["+i", path]);
    undo.push(() => execFileSync("chattr", ["-i", path]));
  } else {
    chmodSync(path, 0o444);
    undo.push(() => chmodSync(path, 0o644));
  }
}

describe("/health and /ready", () => {
  test("with a writable store and a running deriver both are 200; /ready commits a write", async () => {
    const { app } = makeApp();
    expect((await request(app).get("/health")).body).toMatchObject({ status: "ok" });
    const ready = await request(app).get("/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
  });

  test.runIf(TEST_STORE === "sqlite")("a read-only database file: /health stays 200 (liveness), /ready is 503 naming the write failure, webhooks 5xx", async () => {
    const { dir, cleanup } = tempDir();
    undo.push(cleanup);
    const path = join(dir, "ro.db");
    // Created and migrated, then closed and made read-only; SQLite opens it read-only.
    const first = testPipeline({ DATABASE_PATH: path }, Date.now, {}, "sqlite");
    await first.cleanup();
    makeReadOnly(path);

    const { app } = makeApp({ DATABASE_PATH: path }, undefined, { storeKind: "sqlite", settleReads: false });
    expect((await request(app).get("/health")).status).toBe(200);
    const ready = await request(app).get("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.error.message).toMatch(/a write cannot commit: .*readonly/);
    const hook = await request(app).post("/webhooks/segment").send([page("a", "2026-03-01T10:00:00Z", "https://x.example/")]);
    expect(hook.status).toBeGreaterThanOrEqual(500);
  });
});
