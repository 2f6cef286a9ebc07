import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../support/testApp.js";

/**
 * The production start: what the Procfile runs and `npm start`, on the compiled dist/. SIGTERM
 * must reach the node process that serves, which must shut down gracefully and exit 0, leaving
 * no process behind (an `npm start` under `sh -c` used to leave the server running as an orphan).
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const BUILD_TIMEOUT = 300_000;

beforeAll(() => {
  const r = spawnSync(process.execPath, ["scripts/start.mjs", "--build-only"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}, BUILD_TIMEOUT);

function procfileWeb(): string[] {
  const line = readFileSync(join(root, "Procfile"), "utf8")
    .split("\n")
    .find((l) => l.startsWith("web:"));
  if (!line) throw new Error("Procfile has no web process");
  return line.slice("web:".length).trim().split(/\s+/);
}

interface Started {
  proc: ChildProcess;
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns in a process group of its own (detached), so that whatever it leaves behind can be found. */
async function startAndWaitListening(cmd: string, args: string[], env: Record<string, string>, cwd = root): Promise<Started> {
  const proc = spawn(cmd, args, { cwd, env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (/"msg":"segment-attribution listening"/.test(out)) {
        clearInterval(poll);
        resolve();
      }
    }, 50);
    void exit.then(() => {
      clearInterval(poll);
      reject(new Error(`exited before listening:\n${out}`));
    });
  });
  return { proc, out: () => out, exit };
}

/** True while any process of the group (led by pid) is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function groupGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  const alive = groupAlive(pid);
  if (alive) process.kill(-pid, "SIGKILL");
  return !alive;
}

describe("production start and SIGTERM", () => {
  test("the Procfile's web process runs node on dist/ directly", () => {
    const [cmd, ...args] = procfileWeb();
    expect(cmd).toBe("node");
    expect(args[0]).toMatch(/^dist\/.*\.js$/);
  });

  test("SIGTERM to what the Procfile starts: graceful shutdown, exit 0, nothing left behind", { timeout: BUILD_TIMEOUT }, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const [, ...args] = procfileWeb();
      const s = await startAndWaitListening(process.execPath, args, { DATABASE_PATH: join(dir, "a.db") });
      process.kill(s.proc.pid!, "SIGTERM");
      expect(await s.exit).toEqual({ code: 0, signal: null });
      expect(s.out()).toContain('"msg":"shutting down"');
      expect(s.out()).toContain('"msg":"segment-attribution stopped"');
      expect(await groupGone(s.proc.pid!)).toBe(true);
    } finally {
      cleanup();
    }
  });

  test("SIGTERM to `npm start` reaches the server: graceful shutdown, nothing left behind", { timeout: BUILD_TIMEOUT }, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const s = await startAndWaitListening("npm", ["start", "--silent"], { DATABASE_PATH: join(dir, "a.db") });
      process.kill(s.proc.pid!, "SIGTERM");
      await s.exit;
      expect(await groupGone(s.proc.pid!)).toBe(true);
      expect(s.out()).toContain('"msg":"segment-attribution stopped"');
    } finally {
      cleanup();
    }
  });

  test(".env in the working directory is read at start; the real environment wins", { timeout: BUILD_TIMEOUT }, async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, ".env"), `DATABASE_PATH=${join(dir, "from-file.db")}\nRETENTION_DAYS=not-a-number-from-file\n`);
      // From the file alone: a bad value there is reported like any other.
      const bad = spawnSync(process.execPath, [join(root, "dist/cli/main.js"), "serve"], { cwd: dir, env: { ...process.env, PORT: "0" }, encoding: "utf8" });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain("RETENTION_DAYS");

      const s = await startAndWaitListening(process.execPath, [join(root, "dist/cli/main.js"), "serve"], { RETENTION_DAYS: "30" }, dir);
      expect(s.out()).toContain(`"database":"${join(dir, "from-file.db")}"`);
      expect(s.out()).toContain('"msg":"read .env (variables set in the environment win)"');
      process.kill(s.proc.pid!, "SIGTERM");
      expect((await s.exit).code).toBe(0);
    } finally {
      cleanup();
    }
  });
});
