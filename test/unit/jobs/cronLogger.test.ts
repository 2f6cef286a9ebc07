import { Writable } from "node:stream";
import { createTask, setLogger } from "node-cron";
import { pino } from "pino";
import { afterEach, describe, expect, test, vi } from "vitest";
import { cronLogger, routeCronLogs } from "../../../src/jobs/index.js";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}

afterEach(() => {
  setLogger(undefined as never);
  vi.restoreAllMocks();
});

describe("node-cron's own messages go through pino", () => {
  test("cronLogger maps each level to a JSON line tagged node-cron", async () => {
    const { log, lines } = capture();
    const l = cronLogger(log);
    l.warn("task still running");
    l.error("Task failed with error!", new Error("boom"));
    await new Promise((r) => setImmediate(r));
    expect(lines.map((x) => [x.level, x.component, x.msg])).toEqual([
      [40, "node-cron", "task still running"],
      [50, "node-cron", "Task failed with error!"],
    ]);
    expect((lines[1]!.err as { message: string }).message).toBe("boom");
  });

  test("after routeCronLogs, a task's failure is a pino line, not console text", async () => {
    const { log, lines } = capture();
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => undefined);
    routeCronLogs(log);
    const task = createTask("0 0 1 1 *", () => {
      throw new Error("job blew up");
    });
    await task.execute().catch(() => undefined);
    await task.destroy();
    await new Promise((r) => setImmediate(r));
    expect(consoleError).not.toHaveBeenCalled();
    expect(lines.some((x) => x.component === "node-cron" && x.level === 50)).toBe(true);
  });
});
