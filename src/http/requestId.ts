import { randomUUID } from "node:crypto";

/** What a client may choose as its request id: short, and only characters safe in a log line. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The id logged with a request: the client's `x-request-id` when it is a plausible id (a proxy's
 * or load balancer's), else a fresh UUID. An 8,000-character header was once logged whole.
 */
export function requestId(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}
