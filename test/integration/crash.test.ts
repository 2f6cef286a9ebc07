import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, test } from "vitest";
import { page } from "../support/segmentMessages.js";
import { startChildServer, waitForExit } from "../support/childServer.js";
import { tempDir } from "../support/testApp.js";

const { dir, cleanup } = tempDir("sa-crash-");
afterAll(cleanup);

describe("kill -9 under load", () => {
  test("every messageId acknowledged with a 200 is present after a restart", async () => {
    const env = { DATABASE_PATH: join(dir, "crash.db") };
    const server = await startChildServer(env);
    const acked: string[] = [];
    let killed = false;
    let batchNo = 0;
    const worker = async () => {
      while (!killed) {
        const n = batchNo++;
        const batch = Array.from({ length: 50 }, (_, i) => page(`anon-${n}-${i % 5}`, new Date(Date.UTC(2026, 0, 1) + n * 1000 + i).toISOString(), `https://x.example/p${i}`));
        try {
          const res = await fetch(`${server.url}/webhooks/segment`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(batch),
          });
          if (res.status === 200) {
            await res.json();
            acked.push(...batch.map((m) => m.messageId));
          }
        } catch {
          // the connection died with the server: not acknowledged
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    while (acked.length < 3000) await new Promise((r) => setTimeout(r, 5));
    server.proc.kill("SIGKILL");
    killed = true;
    await Promise.all(workers);
    await waitForExit(server.proc);

    const restarted = await startChildServer(env);
    const health = await fetch(`${restarted.url}/health`);
    expect(health.status).toBe(200);
    restarted.proc.kill("SIGTERM");
    expect(await waitForExit(restarted.proc)).toBe(0);

    const db = new Database(env.DATABASE_PATH, { readonly: true });
    const has = db.prepare("SELECT 1 FROM messages WHERE message_id = ?").pluck();
    const missing = acked.filter((id) => has.get(id) === undefined);
    db.close();
    console.log(`crash test: ${acked.length} acknowledged messages, ${missing.length} missing after kill -9`);
    expect(acked.length).toBeGreaterThanOrEqual(3000);
    expect(missing).toEqual([]);
  });
});
