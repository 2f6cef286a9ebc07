import { defineConfig } from "vitest/config";

/**
 * `npm test` runs everything on SQLite. With TEST_DATABASE_URL set (`.ci/run` sets it), the
 * in-process integration suite runs a second time on PostgreSQL (TEST_STORE=postgres, each
 * test in a fresh schema); the files left out there drive SQLite itself (its file, its write
 * lock, child processes on a SQLite path) or are PostgreSQL-only already.
 */
const SQLITE_ONLY = [
  "test/integration/crash.test.ts",
  "test/integration/crashDerivation.test.ts",
  "test/integration/derivation.test.ts",
  "test/integration/feedback.test.ts",
  "test/integration/importCli.test.ts",
  "test/integration/migrateStore.test.ts",
  "test/integration/multiInstance.test.ts",
  "test/integration/recomputeBulk.test.ts",
  "test/integration/reportAggregates.test.ts",
  "test/integration/bulkIdentityGraph.test.ts",
  "test/integration/bulkMessageParts.test.ts",
  "test/integration/processSignals.test.ts",
  "test/integration/diskFull.test.ts",
];

const common = { testTimeout: 60_000, hookTimeout: 60_000, pool: "forks" as const };
/**
 * A timeout only catches a test that hangs; it is no speed check (these machines are shared).
 * On PostgreSQL every statement is a round trip to a server the other test worker also loads,
 * so the property tests there need several times their SQLite time.
 */
const POSTGRES_TIMEOUT = 300_000;

export default defineConfig({
  test: {
    ...common,
    projects: [
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts"] } },
      ...(process.env.TEST_DATABASE_URL
        ? [{ extends: true as const, test: { name: "postgres", include: ["test/integration/**/*.test.ts"], exclude: SQLITE_ONLY, env: { TEST_STORE: "postgres" }, testTimeout: POSTGRES_TIMEOUT, hookTimeout: POSTGRES_TIMEOUT } }]
        : []),
    ],
  },
});
