import pg from "pg";
import { StoreBusyError, StoreUnavailableError } from "../errors.js";

export interface PoolSettings {
  /** Connections of this pool (one per concurrent transaction). */
  poolSize: number;
  /** Tables live in this schema (search_path of every connection); created at start if missing. */
  schema: string | undefined;
  /** How long to wait for a connection before answering StoreUnavailableError. */
  connectTimeoutMs: number;
}

/**
 * BIGINT (epoch ms, seqs, ids, count(*)) and NUMERIC (sum of a BIGINT) come back as JS numbers,
 * as from SQLite. Every such value here is far below 2^53. Per pool, not pg's global parsers:
 * another library in the process may want strings.
 */
function numberTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(20, Number); // int8
  types.setTypeParser(1700, Number); // numeric
  return types;
}

/**
 * The connection string without its `options` parameter, and the startup options: the URL's
 * own (e.g. `?options=-c statement_timeout=5000`) followed by the schema's search_path. pg lets
 * a URL's `options` replace the `options` setting, which would drop the search_path and put the
 * tables in the default schema: the two are joined here instead.
 */
export function startupOptions(url: string, schema: string | undefined): { url: string; options: string | undefined } {
  const own = schema === undefined ? undefined : `-c search_path=${schemaName(schema)}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, options: own };
  }
  const theirs = parsed.searchParams.get("options");
  if (theirs === null) return { url, options: own };
  parsed.searchParams.delete("options");
  return { url: parsed.toString(), options: [theirs, own].filter((o) => o !== undefined && o !== "").join(" ") || undefined };
}

export function createPool(url: string, s: PoolSettings): pg.Pool {
  const startup = startupOptions(url, s.schema);
  const pool = new pg.Pool({
    connectionString: startup.url,
    max: s.poolSize,
    types: numberTypes(),
    connectionTimeoutMillis: s.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // The schema in the name tells the instances of several deployments (or tests) apart in pg_stat_activity.
    application_name: s.schema === undefined ? "segment-attribution" : `segment-attribution:${schemaName(s.schema)}`,
    // The schema is quoted into the startup options; `schemaName` only admits a plain identifier.
    options: startup.options,
  });
  // An idle connection the server closed (restart, admin shutdown) must not crash the process:
  // the pool drops it and the next checkout connects anew.
  pool.on("error", () => undefined);
  return pool;
}

/** A schema name as given, if it is a plain identifier (it is interpolated into SQL). */
export function schemaName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(name)}`);
  return name;
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "53300", // too_many_connections
  "3D000", // invalid_catalog_name: the database does not exist (yet)
]);
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connection error|Connection ended unexpectedly|not queryable/i;

const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
};

/** The server cannot be reached or went away: retry later (the HTTP edge answers 503). */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const code = codeOf(err);
  if (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) return true;
  return err instanceof Error && codeOf(err) === undefined && UNAVAILABLE_MESSAGE.test(err.message);
}

/** A serialization failure or deadlock: the whole transaction is retried. */
export function isConflict(err: unknown): boolean {
  const code = codeOf(err);
  return code === "40001" || code === "40P01";
}

/** Connection failures become StoreUnavailableError; everything else is passed through. */
export function storeError(err: unknown): unknown {
  if (err instanceof StoreUnavailableError || err instanceof StoreBusyError) return err;
  if (isUnavailable(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new StoreUnavailableError(`PostgreSQL is unavailable: ${message}`, { cause: err });
  }
  return err;
}
