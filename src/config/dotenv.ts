import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Reads `.env` from the working directory into process.env when the file exists (Node's own
 * parser, process.loadEnvFile). A variable already set in the real environment wins, as with
 * docker's or systemd's environment: the file only fills in what is missing. Returns the path
 * read, or null.
 */
export function loadDotEnv(path = ".env"): string | null {
  const file = resolve(path);
  if (!existsSync(file)) return null;
  process.loadEnvFile(file);
  return file;
}
