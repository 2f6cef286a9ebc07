/**
 * The bench's view of PostgreSQL sessions: URLs that put a server in its own schema under its
 * own application_name, who each backend pid is, what the servers' sessions are doing
 * (sampled from pg_stat_activity), and freezing servers only when that cannot stall others.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import type { ChildServer } from "./ingest.js";
import type { PgRole } from "./turnCpu.js";

const WAIT_SAMPLE_MS = 100;

/** The URL to print: without its password. */
export const redact = (url: string) => {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
};

/** `base` with the schema as search_path (kept with any options it had) and the sessions' name. */
export function urlFor(base: string, schema: string, app: string): string {
  const u = new URL(base);
  const options = u.searchParams.get("options");
  u.searchParams.set("options", `${options ? `${options} ` : ""}-c search_path=${schema}`);
  u.searchParams.set("application_name", app);
  return u.toString();
}

export interface WaitSamples {
  samples: number;
  /** Sum over samples of the service's sessions by what they were doing ("CPU", "Lock:advisory", "IO:WALSync", ...). */
  by: Record<string, number>;
}

/** Who each PostgreSQL pid is: a session of one of `apps`, a background process, or someone else. */
export async function pgRoles(client: pg.Client, apps: readonly string[]): Promise<Map<number, PgRole>> {
  const { rows } = await client.query<{ pid: number; application_name: string; backend_type: string }>(
    "SELECT pid, application_name, backend_type FROM pg_stat_activity",
  );
  return new Map(rows.map((r) => [r.pid, apps.includes(r.application_name) ? "server" : r.backend_type === "client backend" ? "other" : "background"]));
}

/** Samples what the sessions of `apps` are doing every WAIT_SAMPLE_MS until stopped. */
export function sampleWaits(client: pg.Client, apps: readonly string[]): { stop(): Promise<WaitSamples> } {
  const out: WaitSamples = { samples: 0, by: {} };
  let stopped = false;
  const run = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ what: string; n: number }>(
        `SELECT CASE WHEN state = 'idle in transaction' THEN 'in transaction, waiting for the instance'
                     ELSE coalesce(wait_event_type || ':' || wait_event, 'CPU') END AS what, count(*)::int AS n
         FROM pg_stat_activity WHERE application_name = ANY($1) AND state IN ('active', 'idle in transaction') GROUP BY 1`,
        [apps],
      );
      out.samples++;
      for (const r of rows) out.by[r.what] = (out.by[r.what] ?? 0) + r.n;
      await sleep(WAIT_SAMPLE_MS);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await run;
      return out;
    },
  };
}

/**
 * Freezes servers (SIGSTOP) once none of their sessions (application_name in `apps`) holds or
 * awaits an advisory lock. The service's raw-insert lock is one key per database, not per
 * schema: a server frozen in a transaction holding it would stall the raw inserts of the
 * servers measured next, in their own schema, until its own next turn. A statement already
 * sent completes within the 50 ms wait; after that a frozen client cannot ask for a lock.
 */
export async function pauseQuiet(servers: readonly ChildServer[], apps: readonly string[], client: pg.Client): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    for (const s of servers) s.pause();
    await sleep(50);
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND a.application_name = ANY($1)`,
      [apps],
    );
    if (rows[0]!.n === 0) return;
    for (const s of servers) s.resume();
    await sleep(20);
  }
  throw new Error(`the servers of ${apps.join(", ")} kept holding an advisory lock for 14 s: cannot freeze them safely`);
}

/** "what mean-count, ..." busiest first, for the line's details. */
export function sessionsText(s: Record<string, number>): string {
  const entries = Object.entries(s).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? "none active" : entries.map(([k, n]) => `${k} ${n.toFixed(2)}`).join(", ");
}
