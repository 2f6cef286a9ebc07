import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import request from "supertest";
import { afterAll, describe, expect, test } from "vitest";
import { page } from "../support/segmentMessages.js";
import { useTestApps } from "../support/testApp.js";

/**
 * A real full disk: the database on a small tmpfs, filled up by a file. Mounting needs root
 * (CAP_SYS_ADMIN); where it is refused, this file says so and is skipped (test/unit/store/
 * diskFull.test.ts covers the mechanism with SQLite's max_page_count everywhere).
 */
const dir = mkdtempSync(join(tmpdir(), "sa-full-"));
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", dir]).status === 0;
if (!mounted) console.warn("full-disk test skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)");

const makeApp = useTestApps();
afterAll(() => {
  if (mounted) execFileSync("umount", ["-l", dir]);
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.parse("2026-03-01T10:00:00Z");
const batch = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => page(`anon-${from + i}`, new Date(T0 + i * 1000).toISOString(), `https://x.example/?utm_source=s${i}&pad=${"p".repeat(3000)}`));

describe.runIf(mounted)("a full disk on the database's filesystem", () => {
  test("writes answer 503 with Retry-After while full; once space is freed the service recovers by itself", async () => {
    const { app, pipeline } = makeApp({ DATABASE_PATH: join(dir, "a.db") }, undefined, { storeKind: "sqlite", settleReads: false, store: { backgroundCheckpoints: true } });
    await request(app).post("/webhooks/segment").send(batch(10, 0)).expect(200);
    // Fill what is left of the filesystem.
    const filler = join(dir, "filler");
    spawnSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=64k"], { stdio: "ignore" });

    let acknowledged = 10;
    let full: request.Response | null = null;
    for (let i = 0; i < 50 && full === null; i++) {
      const res = await request(app).post("/webhooks/segment").send(batch(50, 1000 * (i + 1)));
      if (res.status === 200) acknowledged += res.body.accepted as number;
      else full = res;
    }
    expect(full).not.toBeNull();
    expect(full!.status).toBe(503);
    expect(full!.headers["retry-after"]).toBeDefined();
    expect(full!.body.error.message).toMatch(/disk is full/);
    expect((await request(app).get("/ready")).status).toBe(503);
    expect((await request(app).get("/health")).status).toBe(200);

    // An operator frees space; nothing is restarted. Segment retries its 503s.
    unlinkSync(filler);
    let recovered: request.Response | null = null;
    for (let i = 0; i < 100 && recovered === null; i++) {
      const res = await request(app).post("/webhooks/segment").send(batch(50, 1_000_000 + 1000 * i));
      if (res.status === 200) recovered = res;
      else await sleep(100);
    }
    expect(recovered).not.toBeNull();
    acknowledged += recovered!.body.accepted as number;
    expect((await request(app).get("/ready")).status).toBe(200);
    // Every acknowledged message is stored.
    expect((await pipeline.store.admin.stats()).messages).toBe(acknowledged);
  });
});
