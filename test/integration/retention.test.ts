import { afterEach, describe, expect, test } from "vitest";
import { purgeExpiredMessages } from "../../src/jobs/retention.js";
import { storeBatches } from "../../src/gateway/index.js";
import { deriveAll, ingest } from "../support/derive.js";
import { page, track } from "../support/segmentMessages.js";
import { silentLog, testPipeline } from "../support/testApp.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe("RETENTION_DAYS", () => {
  test("raw messages older than the window are purged, derived data is kept", async () => {
    const now = Date.UTC(2026, 5, 30);
    const p = testPipeline({ RETENTION_DAYS: "30" }, () => now);
    cleanup = p.cleanup;
    const msgs = [
      page("old", "2026-05-01T10:00:00Z", "https://shop.example/", "https://www.google.com/"),
      track({ anonymousId: "old" }, "Order Completed", "2026-05-02T10:00:00Z", { revenue: 5 }),
      page("new", "2026-06-20T10:00:00Z", "https://shop.example/", "https://www.bing.com/"),
    ];
    await ingest(p, msgs);
    const before = await p.store.admin.stats();
    expect(await purgeExpiredMessages(p, p.config.retentionDays!, silentLog)).toBe(2);
    const after = await p.store.admin.stats();
    expect(after.messages).toBe(1);
    expect(after).toMatchObject({ touchpoints: before.touchpoints, conversions: before.conversions, persons: before.persons });
    const kept: boolean[] = [];
    for (const m of msgs) kept.push((await p.store.raw.message(m.messageId)) !== undefined);
    expect(kept).toEqual([false, false, true]);
  });

  test("an expired message not derived yet (an old backfill) is kept until the deriver has applied it", async () => {
    const now = Date.UTC(2026, 5, 30);
    const p = testPipeline({ RETENTION_DAYS: "30" }, () => now);
    cleanup = p.cleanup;
    await storeBatches(p.store, [[page("old", "2026-05-01T10:00:00Z", "https://shop.example/", "https://www.google.com/")]], now);
    expect(await purgeExpiredMessages(p, 30, silentLog)).toBe(0);
    await deriveAll(p);
    expect(await p.store.admin.stats()).toMatchObject({ messages: 1, persons: 1, touchpoints: 1 });
    expect(await purgeExpiredMessages(p, 30, silentLog)).toBe(1);
    expect(await p.store.admin.stats()).toMatchObject({ messages: 0, persons: 1, touchpoints: 1 });
  });
});
