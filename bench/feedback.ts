import { join } from "node:path";
import { pino } from "pino";
import { createSegmentSender, flushOutbox, identifyTraits, visitorSourceIdentified, type OutboundMessage } from "../src/feedback/index.js";
import { OUTBOX_BATCH, OUTBOX_LEASE_MS } from "../src/server.js";
import { createSqliteStore } from "../src/store/index.js";
import { SERVICE } from "../src/version.js";
import { startFakeSegment } from "../test/support/fakeSegment.js";
import { Random } from "../test/support/generateDataset.js";
import { ratio, timed, type BenchContext, type BenchLine } from "./types.js";

const ROWS = 20_000;
const HTTP_BATCH = 100;
const silent = pino({ level: "silent" });

/** Outbox rows as derivation queues them: a Visitor Source Identified and an identify per person. */
function outboundMessages(n: number): OutboundMessage[] {
  const r = new Random(31);
  const at = Date.UTC(2026, 0, 10);
  const out: OutboundMessage[] = [];
  for (let i = 0; out.length < n; i++) {
    const target = { userId: `bench-user-${i}` };
    out.push(
      visitorSourceIdentified(
        r.uuid(),
        target,
        {
          at,
          channel: "Organic Search",
          source: "google",
          medium: "organic",
          campaign: null,
          term: null,
          content: null,
          referrer: "https://www.google.com/",
          landingPage: "https://shop.example.com/products/trail-runner",
          clickIdType: null,
        },
        1,
        true,
      ),
    );
    out.push(
      identifyTraits(
        r.uuid(),
        target,
        {
          first_touch_channel: "Organic Search",
          first_touch_source: "google",
          last_touch_channel: "Email",
          last_touch_source: "newsletter",
          touch_count: 3,
          touch_channels: ["Organic Search", "Direct", "Email"],
          device_count: 2,
          linear_channel: "Organic Search",
          is_inferred_identity: false,
        },
        at,
      ),
    );
  }
  return out.slice(0, n);
}

/**
 * Outbox rows/s delivered to the local fake Segment through flushOutbox + the real
 * analytics-node sender, vs raw fetch POSTs of the same messages to the fake's /v1/batch in
 * batches of 100 (as many in flight as one outbox claim makes: OUTBOX_BATCH / 100).
 */
export async function benchFeedback(ctx: BenchContext): Promise<BenchLine[]> {
  const messages = outboundMessages(ROWS);
  const store = createSqliteStore(join(ctx.tmp, "feedback.db"));
  const fake = await startFakeSegment();
  try {
    const now = Date.now();
    await store.transaction(async () => {
      for (const m of messages) await store.outbox.enqueue(null, m, now);
    });
    ctx.progress(`feedback: ${ROWS} outbox rows queued; flushing to the fake Segment`);
    const sender = createSegmentSender({ writeKey: "bench-write-key", host: fake.url, context: SERVICE, logger: silent });
    const flushed = await timed(() =>
      flushOutbox(store.outbox.queue, sender, { now: Date.now, batchSize: OUTBOX_BATCH, leaseMs: OUTBOX_LEASE_MS, logger: silent }),
    );
    await sender.close();
    const delivered = fake.messages().length;
    if (flushed.value.sent !== ROWS || delivered < ROWS) {
      throw new Error(`feedback: ${flushed.value.sent} rows marked sent, ${delivered} delivered; expected ${ROWS}`);
    }

    const rawFake = await startFakeSegment();
    const auth = `Basic ${Buffer.from("bench-write-key:").toString("base64")}`;
    const post = (batch: OutboundMessage[]) =>
      fetch(`${rawFake.url}/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: auth },
        body: JSON.stringify({ batch }),
      }).then((res) => {
        if (!res.ok) throw new Error(`fake Segment answered ${res.status}`);
        return res.arrayBuffer();
      });
    const raw = await timed(async () => {
      for (let i = 0; i < messages.length; i += OUTBOX_BATCH) {
        const claim = messages.slice(i, i + OUTBOX_BATCH);
        const posts: Array<Promise<ArrayBuffer>> = [];
        for (let j = 0; j < claim.length; j += HTTP_BATCH) posts.push(post(claim.slice(j, j + HTTP_BATCH)));
        await Promise.all(posts);
      }
    });
    const rawDelivered = rawFake.messages().length;
    await rawFake.close();

    const figure = ROWS / (flushed.ms / 1000);
    const baseline = ROWS / (raw.ms / 1000);
    ctx.progress(`feedback: ${Math.round(figure)} rows/s through the outbox, ${Math.round(baseline)} rows/s raw`);
    return [
      {
        section: "feedback",
        name: "feedback (20k outbox rows → fake Segment)",
        figure,
        unit: "rows/s",
        baselineName: "raw fetch, 100/POST",
        baseline,
        baselineUnit: "rows/s",
        ratio: ratio(figure, baseline),
        ratioMeaning: "of raw",
        goal: null,
        met: null,
        details: {
          rows: ROWS,
          outboxMs: flushed.ms,
          rawMs: raw.ms,
          delivered,
          rawDelivered,
          httpRequests: fake.batches.length,
          result: flushed.value,
        },
      },
    ];
  } finally {
    await fake.close();
    store.close();
  }
}
