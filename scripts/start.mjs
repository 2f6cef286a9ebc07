#!/usr/bin/env node
/**
 * `npm start`: runs the compiled service (dist/) in this very process, building it first when
 * dist/ is missing or older than src/. No child process: the node that npm (or a container, or
 * a Procfile) starts is the server itself, so SIGTERM reaches its graceful shutdown.
 * `node scripts/start.mjs --build-only` just builds (when needed) and exits.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "cli", "main.js");

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function needsBuild() {
  if (!existsSync(entry)) return true;
  // Without src/ (a runtime image holds dist/ only) what is there is what runs.
  if (!existsSync(join(root, "src"))) return false;
  return newestMtime(join(root, "src")) > statSync(entry).mtimeMs;
}

function ensureBuilt() {
  if (!needsBuild()) return;
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    process.stderr.write("dist/ is missing or stale and TypeScript is not installed: run `npm ci && npm run build` first\n");
    process.exit(1);
  }
  process.stderr.write("building dist/ (tsc -p tsconfig.build.json)\n");
  const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const args = process.argv.slice(2);
ensureBuilt();
if (args[0] !== "--build-only") {
  // dist/cli/main.js reads process.argv.slice(2): the command given to this script.
  await import(pathToFileURL(entry).href);
}
