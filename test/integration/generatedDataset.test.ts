import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { validateMessage } from "../../src/ingest/validateMessage.js";
import { findPerson, personView } from "../../src/reports/personView.js";
import { createClassifier } from "../../src/sources/index.js";
import {
  classificationCorpus,
  DATASET_SITE,
  generateMessages,
  generatePersons,
  inChunks,
  writeJsonLines,
  type GeneratedPerson,
} from "../support/generateDataset.js";
import { ingest, recompute, refitMarkov } from "../support/derive.js";
import { derivedSnapshot } from "../support/snapshot.js";
import { tempDir, testPipeline } from "../support/testApp.js";

const ordersOf = (p: GeneratedPerson) => p.messages.filter((m) => m.type === "track" && m.event === "Order Completed");

describe("the generated dataset (shared by the benchmark)", () => {
  test("is deterministic in its seed, and two seeds share no id", () => {
    const a = [...generateMessages({ persons: 50, seed: 3 })];
    const b = [...generateMessages({ persons: 50, seed: 3 })];
    const c = [...generateMessages({ persons: 50, seed: 4 })];
    expect(b).toEqual(a);
    const ids = (ms: typeof a) => new Set(ms.flatMap((m) => [m.messageId, m.anonymousId, m.userId].filter((v) => v !== undefined)));
    const shared = [...ids(a)].filter((id) => ids(c).has(id));
    expect(shared).toEqual([]);
  });

  test("a slice of persons is the same as those persons in the whole dataset", () => {
    const whole = [...generatePersons({ persons: 30, seed: 9 })];
    const slice = [...generatePersons({ persons: 10, seed: 9, firstPerson: 20 })];
    expect(slice).toEqual(whole.slice(20));
  });

  test("has the promised shape: ~10 valid messages per person, 3 % converting with revenue, 1–3 devices", () => {
    const persons = [...generatePersons({ persons: 10_000, seed: 5 })];
    expect(persons).toHaveLength(10_000);
    const messages = persons.flatMap((p) => p.messages);
    expect(messages.length / persons.length).toBeGreaterThan(9);
    expect(messages.length / persons.length).toBeLessThan(11);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(messages.length);
    expect(messages.every((m) => validateMessage(m).kind === "valid")).toBe(true);

    const converting = persons.filter((p) => p.converts);
    expect(converting.length / persons.length).toBeGreaterThan(0.025);
    expect(converting.length / persons.length).toBeLessThan(0.035);
    for (const p of persons) {
      const orders = ordersOf(p);
      expect(orders).toHaveLength(p.converts ? 1 : 0);
      for (const o of orders) expect((o.properties as { revenue: number }).revenue).toBeGreaterThan(0);
    }

    const devices = persons.map((p) => p.anonymousIds.length);
    expect(Math.min(...devices)).toBe(1);
    expect(Math.max(...devices)).toBe(3);
    const multi = devices.filter((n) => n > 1).length / persons.length;
    expect(multi).toBeGreaterThan(0.2);
    expect(multi).toBeLessThan(0.35);
    // A person with several devices identifies on each of them, so they can be stitched.
    for (const p of persons.filter((x) => x.anonymousIds.length > 1)) {
      const identified = new Set(p.messages.filter((m) => m.type === "identify").map((m) => m.anonymousId));
      expect(identified).toEqual(new Set(p.anonymousIds));
    }

    const types = new Set(messages.map((m) => m.type));
    expect(types).toEqual(new Set(["page", "identify", "track"]));
    const pages = messages.filter((m) => m.type === "page");
    const urls = pages.map((m) => (m.context as { page: { url: string } }).page.url);
    expect(urls.filter((u) => u.includes("utm_source=")).length / pages.length).toBeGreaterThan(0.03);
    expect(urls.filter((u) => /[?&](gclid|fbclid|msclkid)=/.test(u)).length).toBeGreaterThan(0);
  });

  test("the classification corpus covers every kind of source, internal navigation included", () => {
    const classifier = createClassifier({ siteDomains: [DATASET_SITE], ignoredReferrers: [] });
    const corpus = classificationCorpus(20_000);
    expect(corpus).toHaveLength(20_000);
    const channels = new Set(corpus.map((c) => classifier.classify(c).channel));
    for (const channel of ["Direct", "Organic Search", "Organic Social", "Paid Search", "Paid Social", "Email", "Referral", "AI Assistants"]) {
      expect(channels).toContain(channel);
    }
    const internal = corpus.filter((c) => c.referrer?.startsWith(`https://${DATASET_SITE}/`)).length;
    expect(internal / corpus.length).toBeGreaterThan(0.3);
  });

  test("ingested, every generated person is one person with its devices and its conversion", async () => {
    const p = testPipeline({ SITE_DOMAINS: DATASET_SITE });
    try {
      const persons = [...generatePersons({ persons: 1000, seed: 12, conversionRate: 0.1 })];
      for (const chunk of inChunks(persons.flatMap((x) => x.messages), 3000)) await ingest(p, chunk);
      const stats = await p.store.admin.stats();
      expect(stats.persons).toBe(1000);
      expect(stats.conversions).toBe(persons.filter((x) => x.converts).length);
      for (const person of persons) {
        const found = await findPerson(p.store, person.anonymousIds[0]!);
        expect(found).toBeDefined();
        const view = await personView(p.store, found!.personId);
        expect(view.device_count).toBe(person.anonymousIds.length);
        expect(view.conversions).toHaveLength(person.converts ? 1 : 0);
        expect(view.touchpoints.length).toBeGreaterThan(0);
      }
    } finally {
      await p.cleanup();
    }
  });

  test("recompute over 2k generated persons gives the same derived data as incremental ingest", async () => {
    const p = testPipeline({ SITE_DOMAINS: DATASET_SITE });
    try {
      for (const chunk of inChunks(generateMessages({ persons: 2000, seed: 13 }), 2500)) await ingest(p, chunk);
      // Incremental ingest credits Markov with the model in force; refit it as recompute does.
      await refitMarkov(p);
      const incremental = await derivedSnapshot(p);
      const summary = await recompute(p);
      expect(summary.messages).toBe((await p.store.admin.stats()).messages);
      expect(await derivedSnapshot(p)).toEqual(incremental);
    } finally {
      await p.cleanup();
    }
  }, 300_000); // two derivations of 2k persons: room to finish on a loaded machine (speed is benched, not tested)

  test("writeJsonLines writes one message per line", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, "export.jsonl");
      const messages = [...generateMessages({ persons: 200, seed: 14 })];
      const written = await writeJsonLines(file, messages);
      expect(written.messages).toBe(messages.length);
      const lines = readFileSync(file, "utf8").split("\n");
      expect(lines.pop()).toBe("");
      expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(messages);
      expect(written.bytes).toBe(Buffer.byteLength(readFileSync(file)));
    } finally {
      cleanup();
    }
  });
});
