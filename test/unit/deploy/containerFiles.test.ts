import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";

/** docker build is not available on these machines: the Dockerfile and compose.yaml are read and checked. */
const root = fileURLToPath(new URL("../../..", import.meta.url));
const read = (file: string) => readFileSync(join(root, file), "utf8");

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  base: string;
  name: string | null;
  instructions: Instruction[];
}

/** Dockerfile instructions (line continuations joined, comments dropped), grouped by FROM. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`not an instruction: ${line}`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.replace(/\s+/g, " ");
    if (op === "FROM") {
      const f = /^(\S+)(?: AS (\S+))?$/i.exec(args)!;
      stages.push({ base: f[1]!, name: f[2] ?? null, instructions: [] });
    } else stages.at(-1)!.instructions.push({ op, args });
  }
  return stages;
}

const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const last = (stage: Stage, op: string) => all(stage, op).at(-1);
const execForm = (args: string) => JSON.parse(args) as string[];

describe("Dockerfile", () => {
  const stages = parseDockerfile(read("Dockerfile"));
  const runtime = stages.at(-1)!;

  test("is multi-stage: a build stage compiles with tsc, the runtime stage copies dist/ from it", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((s) => s.name === "build")!;
    expect(all(build, "RUN").some((r) => /npm ci\b/.test(r))).toBe(true);
    expect(all(build, "RUN").some((r) => /npm run build\b/.test(r))).toBe(true);
    expect(all(runtime, "COPY")).toContain("--from=build /app/dist ./dist");
    for (const s of stages) expect(s.base).toMatch(/^node:20\b/);
  });

  test("the runtime stage installs production dependencies only", () => {
    expect(all(runtime, "RUN").some((r) => /npm ci --omit=dev\b/.test(r))).toBe(true);
    expect(all(runtime, "RUN").some((r) => /npm ci(?! --omit=dev)/.test(r))).toBe(false);
  });

  test("runs as a user that is not root", () => {
    const user = last(runtime, "USER");
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  test("keeps the SQLite database on a volume, exposes the port, checks /health", () => {
    const volumes = all(runtime, "VOLUME").flatMap((v) => (v.startsWith("[") ? execForm(v) : v.split(" ")));
    const env = all(runtime, "ENV").join(" ");
    const dbPath = /DATABASE_PATH=(\S+)/.exec(env)?.[1];
    expect(dbPath).toBeDefined();
    expect(volumes.some((v) => dbPath!.startsWith(`${v}/`))).toBe(true);
    expect(all(runtime, "EXPOSE")).toContain(/PORT=(\d+)/.exec(env)?.[1]);
    expect(last(runtime, "HEALTHCHECK")).toMatch(/\/health/);
  });

  test("CMD runs node directly (exec form, no shell, no npm) on the compiled entry point", () => {
    const cmd = execForm(last(runtime, "CMD")!);
    expect(cmd[0]).toBe("node");
    expect(cmd[1]).toBe("dist/cli/main.js");
    expect(cmd[2]).toBe("serve");
    // dist/cli/main.js is what tsconfig.build.json makes of src/cli/main.ts.
    const build = JSON.parse(read("tsconfig.build.json")) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(cmd[1]!.replace(build.compilerOptions.outDir, build.compilerOptions.rootDir).replace(/\.js$/, ".ts")).toBe("src/cli/main.ts");
    expect(existsSync(join(root, "src/cli/main.ts"))).toBe(true);
    // The Procfile runs the same.
    expect(read("Procfile").trim()).toBe(`web: ${cmd.join(" ")}`);
  });

  test("what the runtime reads beside dist/ is copied (package.json, data/, public/)", () => {
    const copies = all(runtime, "COPY").join("\n");
    for (const p of ["package.json", "data", "public"]) expect(copies).toMatch(new RegExp(`(^|\\s)${p}(\\s|$)`, "m"));
  });
});

describe(".dockerignore", () => {
  test("keeps dependencies, builds, databases and secrets out of the build context", () => {
    const lines = read(".dockerignore").split("\n").map((l) => l.trim());
    for (const p of ["node_modules", "dist", ".env", ".git"]) expect(lines).toContain(p);
    expect(lines.some((l) => /\.db/.test(l))).toBe(true);
  });
});

describe("compose.yaml", () => {
  const compose = parse(read("compose.yaml")) as {
    services: Record<string, { build?: unknown; profiles?: string[]; volumes?: string[]; environment?: Record<string, string>; stop_grace_period?: string; image?: string }>;
    volumes: Record<string, unknown>;
  };

  test("the service keeps its database on a named volume", () => {
    const svc = compose.services.attribution!;
    expect(svc.build).toBeDefined();
    expect(svc.profiles).toBeUndefined();
    const dbPath = svc.environment!.DATABASE_PATH!;
    const mount = svc.volumes!.map((v) => v.split(":")).find(([, target]) => dbPath.startsWith(`${target}/`));
    expect(mount).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain(mount![0]);
    expect(svc.stop_grace_period).toBe("10s");
  });

  test("PostgreSQL is optional: a service in the postgres profile, on a volume", () => {
    const pg = compose.services.postgres!;
    expect(pg.image).toMatch(/^postgres:/);
    expect(pg.profiles).toEqual(["postgres"]);
    expect(pg.volumes!.some((v) => v.endsWith(":/var/lib/postgresql/data"))).toBe(true);
  });
});
