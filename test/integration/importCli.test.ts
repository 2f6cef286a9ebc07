import { spawn } from "node:child_process";
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { tempDir } from "../support/testApp.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { dir, cleanup } = tempDir("sa-import-");
afterAll(cleanup);

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number;
}

/** Runs `npm run cli -- ...` (the same entry point) and samples the child's peak RSS from /proc. */
function cli(args: string[], db: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_PATH: db, LOG_LEVEL: "warn" },
    });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        // process gone
      }
    }, 50);
    child.on("exit", (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, peakRssMb: Math.round(peak) });
    });
  });
}

function message(i: number) {
  const anon = `anon-${i % 7000}`;
  const timestamp = new Date(Date.UTC(2026, 0, 1) + i * 30_000).toISOString();
  if (i % 10 === 3) return { type: "identify", messageId: `imp-${i}`, anonymousId: anon, userId: `user-${i % 5000}`, timestamp, traits: {} };
  if (i % 40 === 7) return { type: "track", messageId: `imp-${i}`, anonymousId: anon, event: "Order Completed", timestamp, properties: { revenue: 20 } };
  const ref = ["https://www.google.com/", "", "https://t.co/a", "https://blog.example.net/x"][i % 4];
  return { type: "page", messageId: `imp-${i}`, anonymousId: anon, timestamp, context: { page: { url: `https://shop.example/p${i % 50}`, referrer: ref } } };
}

async function writeJsonl(path: string, n: number) {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    if (!out.write(`${JSON.stringify(message(i))}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r) => out.end(r));
}

const summary = (run: CliRun) => JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Record<string, number>;

describe("npm run cli -- import", () => {
  test("a 50k-message JSON-lines file imports, and a second import finds only duplicates", async () => {
    const file = join(dir, "export.jsonl");
    await writeJsonl(file, 50_000);
    const db = join(dir, "a.db");
    const first = await cli(["import", file], db);
    expect(first.code).toBe(0);
    expect(summary(first)).toMatchObject({ files: 1, accepted: 50_000, duplicates: 0, rejected: 0 });
    const second = await cli(["import", file], db);
    expect(summary(second)).toMatchObject({ accepted: 0, duplicates: 50_000, rejected: 0 });
    console.log(`import of 50k messages: peak RSS ${first.peakRssMb} MB (first run), ${second.peakRssMb} MB (second run)`);
  });

  test("a .gz JSON array export is read too", async () => {
    const file = join(dir, "export.json.gz");
    const msgs = Array.from({ length: 300 }, (_, i) => message(100_000 + i));
    writeFileSync(file, gzipSync(JSON.stringify(msgs, null, 2)));
    const run = await cli(["import", file], join(dir, "gz.db"));
    expect(run.code).toBe(0);
    expect(summary(run)).toMatchObject({ accepted: 300, duplicates: 0 });
  });

  test("bad lines are reported with file and line, counted as rejected, not fatal", async () => {
    const file = join(dir, "bad.jsonl");
    writeFileSync(file, [JSON.stringify(message(1)), "{not json", JSON.stringify({ type: "page" }), JSON.stringify(message(2)), ""].join("\n"));
    const run = await cli(["import", file], join(dir, "bad.db"));
    expect(run.code).toBe(0);
    expect(summary(run)).toMatchObject({ accepted: 2, rejected: 2, badLines: 1 });
    expect(run.stderr).toContain(`${file}:2:`);
  });

  test("a missing file exits non-zero naming the file", async () => {
    const run = await cli(["import", join(dir, "nope.jsonl")], join(dir, "m.db"));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("nope.jsonl");
  });

  test("--help describes the command", async () => {
    const run = await cli(["import", "--help"], join(dir, "h.db"));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("usage: npm run cli -- import FILE...");
  });
});
