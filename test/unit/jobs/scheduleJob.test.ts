import { pino } from "pino";
import { afterEach, describe, expect, test } from "vitest";
import { scheduleJob, type Job } from "../../../src/jobs/index.js";

const log = pino({ level: "silent" });
const jobs: Job[] = [];
afterEach(async () => {
  while (jobs.length > 0) await jobs.pop()!.stop();
});

describe("scheduled jobs over several instances", () => {
  test("two instances sharing a slot table run each scheduled slot exactly once", async () => {
    const claimed = new Set<string>();
    const claim = async (name: string, slotAt: number) => {
      const key = `${name}:${slotAt}`;
      if (claimed.has(key)) return false;
      claimed.add(key);
      return true;
    };
    const runs: string[] = [];
    for (const instance of ["a", "b"]) {
      const job = scheduleJob("refit", "* * * * * *", () => void runs.push(instance), log, claim);
      jobs.push(job);
      job.start();
    }
    while (claimed.size < 3) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(jobs.map((j) => j.stop()));
    // Every slot claimed was run once, by one of the two, and slots are whole scheduled seconds.
    expect(runs.length).toBe(claimed.size);
    for (const key of claimed) expect(Number(key.split(":")[1]) % 1000).toBe(0);
  });

  test("a slot whose claim fails is skipped, not run twice or thrown", async () => {
    let attempts = 0;
    let runs = 0;
    const job = scheduleJob("retention", "* * * * * *", () => void runs++, log, async () => {
      attempts++;
      throw new Error("database unreachable");
    });
    jobs.push(job);
    job.start();
    while (attempts < 2) await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(0);
  });
});
