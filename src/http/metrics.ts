import type { RequestHandler } from "express";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Store } from "../store/index.js";
import type { IngestCounts } from "../gateway/storeBatch.js";

/**
 * Prometheus metrics (GET /metrics). One registry per app, so that several apps in one process
 * (tests) do not share counters. Counts of stored rows are read from the store at scrape time.
 */
export interface Metrics {
  registry: Registry;
  /** Express middleware: requests and latency by method, route pattern and status. */
  track: RequestHandler;
  /** Counts one webhook request's outcome per message. */
  countMessages(counts: IngestCounts): void;
  /** Times one Markov refit. */
  timeRefit<T>(refit: () => Promise<T>): Promise<T>;
}

export function createMetrics(store: Store, opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by method, route pattern and status code",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by method and route pattern",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const messages = new Counter({
    name: "segment_messages_total",
    help: "Segment messages received on the webhook by outcome (accepted, duplicate, rejected, ignored)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const refit = new Histogram({
    name: "markov_refit_duration_seconds",
    help: "Duration of the Markov model refit (with its re-credit)",
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers: [registry],
  });
  new Gauge({
    name: "derivation_lag",
    help: "Accepted raw messages and CRM hits not derived yet (0: derived data is current)",
    registers: [registry],
    async collect() {
      this.set(await store.cursor.lag());
    },
  });
  new Gauge({
    name: "outbox_messages",
    help: "Outbox rows for Segment by status (pending, sent, dead)",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      const s = await store.admin.stats();
      this.set({ status: "pending" }, s.outbox_pending);
      this.set({ status: "sent" }, s.outbox_sent);
      this.set({ status: "dead" }, s.outbox_dead);
    },
  });

  const track: RequestHandler = (req, res, next) => {
    const end = latency.startTimer();
    res.once("finish", () => {
      // The route's pattern, not the URL: /api/people/:id, not one series per person.
      const route = req.route?.path === undefined ? "unmatched" : `${req.baseUrl}${String(req.route.path)}`;
      end({ method: req.method, route });
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };

  return {
    registry,
    track,
    countMessages(c) {
      messages.inc({ outcome: "accepted" }, c.accepted);
      messages.inc({ outcome: "duplicate" }, c.duplicates);
      messages.inc({ outcome: "rejected" }, c.rejected);
      messages.inc({ outcome: "ignored" }, c.ignored);
    },
    async timeRefit(fn) {
      const end = refit.startTimer();
      try {
        return await fn();
      } finally {
        end();
      }
    },
  };
}
