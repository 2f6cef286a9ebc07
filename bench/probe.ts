/**
 * Small tools for the sections that probe a running service over time (derive, refit): a
 * keep-alive HTTP client that times each request, an open-loop ticker (a probe goes out on
 * schedule even while the previous one is still waiting, so a stall shows as the latency it
 * causes rather than as fewer samples), a signed one-message body, and a cron expression
 * that fires at a given moment.
 */
import { createHmac, randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import type { SignedBody } from "./ingestBodies.js";

export interface Answer {
  /** 0 when the request failed without an HTTP answer. */
  status: number;
  body: string;
  /** performance.now() when the request was sent and when its answer was complete. */
  sentAt: number;
  doneAt: number;
  ms: number;
}

export interface HttpClient {
  send(method: "GET" | "POST", path: string, body?: SignedBody): Promise<Answer>;
  close(): void;
}

export function httpClient(baseUrl: string, { maxSockets = 32, timeoutMs = 120_000 } = {}): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(baseUrl);
  return {
    send(method, path, body) {
      const sentAt = performance.now();
      return new Promise<Answer>((resolve) => {
        const done = (status: number, text: string) => {
          const doneAt = performance.now();
          resolve({ status, body: text, sentAt, doneAt, ms: doneAt - sentAt });
        };
        const headers: Record<string, string | number> = body
          ? { "content-type": "application/json", "content-length": body.body.length, "x-signature": body.signature }
          : {};
        const req = request({ agent, hostname, port, method, path, headers, timeout: timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8")));
          res.on("error", (err) => done(0, String(err)));
        });
        req.on("timeout", () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
        req.on("error", (err) => done(0, String(err)));
        req.end(body?.body);
      });
    },
    close: () => agent.destroy(),
  };
}

/**
 * Calls fn every `intervalMs` on a fixed schedule (start + k × interval, no drift), whether
 * or not the previous call has finished; `stop()` ends the schedule and waits for the calls in
 * flight.
 */
export function every(intervalMs: number, fn: (k: number) => Promise<unknown>): { stop(): Promise<void> } {
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  let k = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const p = fn(k++).finally(() => inFlight.delete(p));
    inFlight.add(p);
    timer = setTimeout(tick, Math.max(0, started + k * intervalMs - performance.now()));
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all([...inFlight]);
    },
  };
}

/**
 * One signed `page` call of a new visitor landing from a search engine (so its person gets a
 * touchpoint), under a unique anonymousId and messageId.
 */
export function signedPage(anonymousId: string, secret: string, at = new Date()): SignedBody {
  const url = "https://shop.example.com/";
  const page = { path: "/", referrer: "https://www.google.com/", search: "", title: "Shoe Shop", url };
  const message = {
    type: "page",
    messageId: `bench-${randomUUID()}`,
    anonymousId,
    channel: "client",
    timestamp: at.toISOString(),
    sentAt: at.toISOString(),
    receivedAt: at.toISOString(),
    name: "Shoe Shop",
    properties: page,
    context: { ip: "203.0.113.7", library: { name: "analytics.js", version: "npm:next-1.76.0" }, locale: "en-US", userAgent: "Mozilla/5.0 (bench)", page },
  };
  const body = Buffer.from(JSON.stringify(message));
  return { body, signature: createHmac("sha1", secret).update(body).digest("hex") };
}

/** A node-cron expression (6 fields, local time) that fires at `at` (to the second) and then only a day later. */
export function cronAt(at: Date): string {
  return `${at.getSeconds()} ${at.getMinutes()} ${at.getHours()} * * *`;
}

/** A cron expression that does not fire during a benchmark (12 hours from now), so the default hourly refit cannot land in a measurement. */
export const cronNotNow = (): string => cronAt(new Date(Date.now() + 12 * 3_600_000));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const sortedNumbers = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
