import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL server of the tests (`.ci/run` sets it); unset: PostgreSQL tests are skipped. */
export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL || undefined;

/**
 * A schema name of its own for each test store, so that test files (and tests) can run in
 * parallel on one database. The store creates it at start; `dropSchema` removes it.
 */
export function freshSchemaName(prefix = "sa_test"): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a test schema: ${schema}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
