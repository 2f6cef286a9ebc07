import type pg from "pg";
import { MIGRATIONS } from "./migrations.js";
import { schemaName } from "./connection.js";
import { LOCK_MIGRATIONS } from "./locks.js";

/**
 * Applies pending migrations, each in its own transaction. Instances starting together take
 * turns through a session advisory lock (per schema), so each migration runs once. Returns how
 * many were applied.
 */
export async function migrate(pool: pg.Pool, schema: string | undefined): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on("error", onError);
  try {
    const target = schema === undefined ? null : schemaName(schema);
    await client.query("SELECT pg_advisory_lock($1, hashtext(coalesce($2::text, current_schema())))", [LOCK_MIGRATIONS, target]);
    try {
      if (target !== null) await client.query(`CREATE SCHEMA IF NOT EXISTS ${target}`);
      await client.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
      );
      const applied = new Set(
        (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version),
      );
      let count = 0;
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query("BEGIN");
        try {
          await client.query(m.sql);
          await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [m.version, m.name, Date.now()]);
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK");
          throw err;
        }
        count++;
      }
      return count;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1, hashtext(coalesce($2::text, current_schema())))", [LOCK_MIGRATIONS, target]);
    }
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}
