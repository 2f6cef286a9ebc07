import { createRequire } from "node:module";

const pkg = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

/** Identifies the service in health checks and in `context.segment_attribution` of what we send. */
export const SERVICE = { name: pkg.name, version: pkg.version } as const;
