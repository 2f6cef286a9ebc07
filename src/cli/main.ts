import { ConfigError, loadConfig, type Config } from "../config/index.js";
import { loadDotEnv } from "../config/dotenv.js";
import { createLogger } from "../logging.js";
import { createSender, startServer, OUTBOX_BATCH, OUTBOX_LEASE_MS } from "../server.js";

/** Past this a shutdown is stuck: exit anyway, before a container's 10 s grace ends in SIGKILL. */
const SHUTDOWN_DEADLINE_MS = 9000;
import { openPipeline } from "../openPipeline.js";
import { flushOutbox } from "../feedback/index.js";
import { catchUp, recompute } from "../deriver/index.js";
import { StoreUnavailableError } from "../store/index.js";
import { importFiles } from "./importFiles.js";
import { replayRejected } from "../gateway/index.js";
import { migrateStore, MigrateError, parseMigrateArgs } from "./migrateStore.js";

const HELP: Record<string, string> = {
  main: `usage: npm run cli -- <command> [options]

commands:
  serve                 run the HTTP server (what npm start runs)
  import FILE...        replay Segment export files (JSON lines or JSON array, .gz too)
  recompute             rebuild everything derived from the raw data
  outbox flush          send what is due to Segment, then exit
  outbox retry-dead     put dead outbox rows back in the queue
  rejected replay       re-validate stored rejected messages; store those now valid
  migrate-store --from FILE
                        copy a SQLite database into the PostgreSQL of DATABASE_URL

Configuration comes from the environment (see .env.example). Run a command with --help for details.`,
  serve: "usage: npm run cli -- serve\n\nStarts the HTTP server on PORT with the scheduled jobs (outbox, Markov, repair, retention).",
  import:
    "usage: npm run cli -- import FILE...\n\nReplays Segment messages from JSON-lines or JSON-array files (Segment's archive\nexport; gzip too) through the same ingest path as the webhook, then derives them. Idempotent: messages\nalready stored count as duplicates. Bad lines are reported with file and line and\ncounted as rejected. Prints a JSON summary on stdout.",
  recompute:
    "usage: npm run cli -- recompute\n\nRebuilds identities, touchpoints, conversions, deals, credits, the Markov model and\ntraits from the raw messages and CRM hits, in one transaction (a running server goes\non deriving from where it ends). Idempotent.",
  "migrate-store":
    "usage: npm run cli -- migrate-store --from FILE [--force]\n\nCopies what is not derived from the SQLite database FILE into the PostgreSQL database of\nDATABASE_URL (raw messages and CRM hits in arrival order, rejected messages, unsent outbox\nrows, and what was last sent to Segment per identity), then rebuilds everything derived\nthere (recompute), so no data is lost and no feedback is sent again. Stop the service on\nFILE first. Refuses a PostgreSQL database that holds raw input already; --force then copies\nonly what is missing (a second run changes nothing). Prints a JSON summary on stdout.",
  rejected:
    "usage: npm run cli -- rejected replay\n\nRe-validates every stored rejected message with the current rules (after an upgrade\nor a config fix). Those now valid go through the same ingest path as the webhook (stored\nraw, then derived) and leave the rejected table; the rest stay as they are. Idempotent:\na second run finds nothing new. Prints a JSON summary on stdout.",
  outbox:
    "usage: npm run cli -- outbox flush | retry-dead\n\nflush: sends every due outbox row to Segment (SEGMENT_WRITE_KEY required); exits 1\nif some could not be sent.\nretry-dead: re-queues rows parked as dead after too many failed attempts.",
};

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${HELP.main}\n`);
    return command === undefined ? 1 : 0;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${HELP[command] ?? HELP.main}\n`);
    return HELP[command] ? 0 : 1;
  }
  let dotEnv: string | null = null;
  try {
    dotEnv = loadDotEnv();
  } catch (err) {
    fail(`cannot read .env: ${err instanceof Error ? err.message : String(err)}`);
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const log = createLogger(config.logLevel, command === "serve" ? undefined : process.stderr);
  if (dotEnv !== null) log.info({ file: dotEnv }, "read .env (variables set in the environment win)");

  switch (command) {
    case "serve": {
      const running = await startServer(config, log).catch((err: unknown) => fail(`cannot start: ${(err as Error).message}`));
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          log.warn({ signal }, "second signal during shutdown: exiting now");
          process.exit(1);
        }
        stopping = true;
        log.info({ signal }, "shutting down");
        setTimeout(() => {
          log.error({ ms: SHUTDOWN_DEADLINE_MS }, "shutdown did not finish in time: exiting");
          process.exit(1);
        }, SHUTDOWN_DEADLINE_MS).unref();
        running.close().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, "shutdown failed");
            process.exit(1);
          },
        );
      };
      process.on("SIGTERM", () => stop("SIGTERM"));
      process.on("SIGINT", () => stop("SIGINT"));
      return new Promise<number>(() => {});
    }
    case "import": {
      if (args.length === 0) fail("import: give at least one FILE (see --help)");
      const p = openPipeline(config);
      try {
        const summary = await importFiles(p, args, { progress: process.stderr.isTTY === true });
        const derived = await catchUp(p, log);
        for (const b of summary.badLines.slice(0, 20)) process.stderr.write(`${b.file}:${b.line}: ${b.error}\n`);
        if (summary.badLines.length > 20) process.stderr.write(`... and ${summary.badLines.length - 20} more bad lines\n`);
        const { badLines, ...counts } = summary;
        process.stdout.write(`${JSON.stringify({ ...counts, badLines: badLines.length, derived })}\n`);
        return 0;
      } catch (err) {
        fail(`import: ${(err as Error).message}`);
      } finally {
        await p.store.close();
      }
    }
    case "recompute": {
      const p = openPipeline(config);
      try {
        const started = performance.now();
        const summary = await recompute(p, log);
        process.stdout.write(`${JSON.stringify({ ...summary, ms: Math.round(performance.now() - started) })}\n`);
        return 0;
      } finally {
        await p.store.close();
      }
    }
    case "migrate-store": {
      try {
        const opts = parseMigrateArgs(args);
        const summary = await migrateStore(config, { ...opts, progress: process.stderr.isTTY === true, log });
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return 0;
      } catch (err) {
        if (err instanceof MigrateError || err instanceof StoreUnavailableError) fail(`migrate-store: ${err.message}`);
        throw err;
      }
    }
    case "rejected": {
      if (args[0] !== "replay") fail(HELP.rejected!);
      const p = openPipeline(config);
      try {
        const summary = await replayRejected(p.store);
        const derived = await catchUp(p, log);
        process.stdout.write(`${JSON.stringify({ ...summary, derived })}\n`);
        return 0;
      } finally {
        await p.store.close();
      }
    }
    case "outbox": {
      const p = openPipeline(config);
      try {
        if (args[0] === "retry-dead") {
          const n = await p.store.outbox.queue.requeueDead(Date.now());
          process.stdout.write(`${JSON.stringify({ requeued: n })}\n`);
          return 0;
        }
        if (args[0] !== "flush") fail(HELP.outbox!);
        const sender = createSender(config, log);
        if (!sender) fail("outbox flush: SEGMENT_WRITE_KEY is not set; nothing can be sent");
        const result = await flushOutbox(p.store.outbox.queue, sender, {
          now: Date.now,
          batchSize: OUTBOX_BATCH,
          leaseMs: OUTBOX_LEASE_MS,
          logger: log,
        });
        await sender.close();
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return result.failed + result.dead > 0 ? 1 : 0;
      } finally {
        await p.store.close();
      }
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP.main}\n`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => fail(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`),
);
