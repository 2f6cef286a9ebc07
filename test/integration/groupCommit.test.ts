import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, test } from "vitest";
import { page } from "../support/segmentMessages.js";
import { useTestApps, settled } from "../support/testApp.js";

const makeApp = useTestApps();

describe("concurrent webhook requests (group commit)", () => {
  test("each request gets its own counts; overlapping messages are stored once; all are committed", async () => {
    const { app, pipeline } = makeApp();
    const server = createServer(app).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/segment`;
    try {
      const shared = Array.from({ length: 10 }, (_, i) => page(`shared-${i}`, "2026-05-01T10:00:00Z", "https://shop.example/", "https://www.google.com/"));
      const bodies = Array.from({ length: 30 }, (_, r) => [
        ...Array.from({ length: 5 }, (_, i) => page(`anon-${r}-${i}`, "2026-05-01T10:00:00Z", "https://shop.example/", "https://t.co/x")),
        shared[r % 10]!,
        { type: "track", messageId: `bad-${r}`, anonymousId: "x", timestamp: "2026-05-01T10:00:00Z" },
      ]);
      const responses = await Promise.all(
        bodies.map((b) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) })),
      );
      expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 200));
      const counts = (await Promise.all(responses.map((r) => r.json()))) as Array<{ accepted: number; duplicates: number; rejected: number; ignored: number }>;
      for (const c of counts) {
        expect(c.accepted + c.duplicates).toBe(6);
        expect(c.rejected).toBe(1);
      }
      const total = counts.reduce((a, c) => ({ accepted: a.accepted + c.accepted, duplicates: a.duplicates + c.duplicates }), { accepted: 0, duplicates: 0 });
      expect(total).toEqual({ accepted: 150 + 10, duplicates: 20 });
      expect((await settled(pipeline).then((s) => s.admin.stats()))).toMatchObject({ messages: 160, rejected: 30, persons: 160, touchpoints: 160 });
    } finally {
      server.close();
    }
  });
});
