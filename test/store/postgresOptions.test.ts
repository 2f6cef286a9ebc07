import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { createPool, startupOptions } from "../../src/store/postgres/connection.js";
import { createPostgresStore } from "../../src/store/index.js";
import { dropSchema, freshSchemaName, TEST_DATABASE_URL } from "../support/pgSchema.js";

describe("startup options of a PostgreSQL pool", () => {
  test.each([
    ["postgres://u@h/db", undefined, "postgres://u@h/db", undefined],
    ["postgres://u@h/db", "tenant_a", "postgres://u@h/db", "-c search_path=tenant_a"],
    ["postgres://u@h/db?options=-c%20statement_timeout%3D5000", undefined, "postgres://u@h/db", "-c statement_timeout=5000"],
    ["postgres://u@h/db?sslmode=disable&options=-c%20statement_timeout%3D5000", "tenant_a", "postgres://u@h/db?sslmode=disable", "-c statement_timeout=5000 -c search_path=tenant_a"],
    ["postgres://u@h/db?options=", "tenant_a", "postgres://u@h/db", "-c search_path=tenant_a"],
  ])("%s with schema %s", (url, schema, wantUrl, wantOptions) => {
    expect(startupOptions(url, schema)).toEqual({ url: wantUrl, options: wantOptions });
  });

  test("a schema that is not a plain identifier is refused", () => {
    expect(() => startupOptions("postgres://u@h/db", "a; DROP TABLE x")).toThrow(/invalid PostgreSQL schema name/);
  });
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.skipIf(!TEST_DATABASE_URL)("a DATABASE_URL with its own startup options, and a schema", () => {
  const withOptions = (base: string) => {
    const url = new URL(base);
    url.searchParams.set("options", "-c statement_timeout=4321");
    return url.toString();
  };

  test("a pool's connections get both: the URL's setting and the schema's search_path", async () => {
    const pool = createPool(withOptions(TEST_DATABASE_URL!), { poolSize: 1, schema: "sa_opts_probe", connectTimeoutMs: 5000 });
    cleanups.push(() => pool.end());
    expect((await pool.query("SHOW statement_timeout")).rows).toEqual([{ statement_timeout: "4321ms" }]);
    expect((await pool.query("SHOW search_path")).rows).toEqual([{ search_path: "sa_opts_probe" }]);
  });

  test("the store's tables are in its schema, not in the default one", async () => {
    const base = TEST_DATABASE_URL!;
    const schema = freshSchemaName("sa_opts");
    cleanups.push(() => dropSchema(base, schema));
    const store = createPostgresStore(withOptions(base), { schema, poolSize: 2 });
    cleanups.push(() => store.close());
    await store.ready();
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    cleanups.push(() => admin.end());
    const where = await admin.query<{ table_schema: string }>("SELECT table_schema FROM information_schema.tables WHERE table_name = 'messages' AND table_schema IN ($1, 'public')", [schema]);
    expect(where.rows).toEqual([{ table_schema: schema }]);
  });
});
