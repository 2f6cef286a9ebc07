import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { Pipeline } from "../pipeline/context.js";
import { applyNextRaw, derivePendingPersons, DEFAULT_UNIT, type UnitLimits } from "./deriveUnit.js";
import { bootstrapChunk, recreditChunk, repairDirtyPersons, startRefit, type PendingBootstrap } from "./refit.js";

/** Dirty report days re-summed per step (each step is one short transaction). */
const DAYS_PER_STEP = 50;

export interface DeriverStatus {
  running: boolean;
  /** The last error of the loop (a store error); null once a step succeeds again. */
  error: string | null;
  /** When the loop last completed a step (epoch ms). */
  lastStepAt: number;
  derived: number;
}

/** The deriver as the rest of the service sees it, in this thread or in a worker thread. */
export interface Deriver {
  start(): void;
  /** New raw input was committed: derive it soon. */
  notify(): void;
  /** Resolves once everything committed before the call is derived (and any re-credit done). */
  drain(): Promise<void>;
  /** Refits the Markov model now; resolves when the model is stored (the re-credit follows in chunks). */
  refit(): Promise<{ paths: number; solveMs: number }>;
  status(): DeriverStatus;
  stop(): Promise<void>;
}

export interface DeriverOptions {
  unit?: UnitLimits;
  /** How often to look for input committed by other processes (CLI import, other instances). */
  pollMs?: number;
  /** Pause between busy steps, so that other connections get the write lock. */
  yieldMs?: number;
  /** How often persons whose derivation failed are retried, and dirty report days re-summed. */
  maintenanceMs?: number;
  /** Time budget of one re-credit chunk after a Markov refit. */
  recreditChunkMs?: number;
  /** Fit the Markov model at start when there are conversions and no fit yet (default true). */
  fitAtStart?: boolean;
  /** How often SQLite's planner statistics are brought up to date (PRAGMA optimize). */
  optimizeMs?: number;
}

/**
 * The deriver loop: apply the next raw rows and derive the persons waiting longest; with
 * neither, do a chunk of a Markov re-credit; with none, maintenance (dirty report days, failed
 * persons); with none, sleep until notified or the poll interval passes. Each step is one
 * short transaction.
 */
export function createDeriver(p: Pipeline, log: Logger, opts: DeriverOptions = {}): Deriver {
  const unit = opts.unit ?? DEFAULT_UNIT;
  const pollMs = opts.pollMs ?? 250;
  const yieldMs = opts.yieldMs ?? 1;
  const maintenanceMs = opts.maintenanceMs ?? 10_000;
  const optimizeMs = opts.optimizeMs ?? 3_600_000;
  let fitChecked = !(opts.fitAtStart ?? true);
  let lastOptimize = Date.now();
  let running = false;
  let stopping = false;
  let loopDone: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let pass = 0;
  let lastMaintenance = 0;
  const drainers: Array<{ after: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  const refits: Array<{ resolve: (r: { paths: number; solveMs: number }) => void; reject: (e: unknown) => void }> = [];
  const status: DeriverStatus = { running: false, error: null, lastStepAt: 0, derived: 0 };
  // The bootstrap of the last refit, stepped when there is no new input (lost on a restart:
  // the next refit computes intervals again; until then the report's bounds are null).
  let pendingBootstrap: PendingBootstrap | null = null;

  const notify = () => {
    wake?.();
  };

  /** No Markov fit stored yet but conversions to fit on (a database from before, an import). */
  async function needsFirstFit(): Promise<boolean> {
    if (fitChecked) return false;
    fitChecked = true;
    if ((await p.store.derived.markovModel()) !== undefined) return false;
    return (await p.store.journeys.conversionCount({ from: null, to: null, conversion: null })) > 0;
  }

  async function step(): Promise<boolean> {
    if (await needsFirstFit()) {
      const { bootstrap, ...r } = await startRefit(p);
      pendingBootstrap = bootstrap;
      log.info(r, "no Markov fit yet: fitted it at start");
      return true;
    }
    const asked = refits.splice(0);
    if (asked.length > 0) {
      try {
        const { bootstrap, ...r } = await startRefit(p);
        pendingBootstrap = bootstrap;
        for (const a of asked) a.resolve(r);
      } catch (err) {
        for (const a of asked) a.reject(err);
        throw err;
      }
      return true;
    }
    // New raw rows and waiting persons take turns, so that neither starves under load.
    const u = await applyNextRaw(p, log, unit);
    status.derived += u.messages + u.hits;
    const persons = await derivePendingPersons(p, log, unit);
    if (u.messages + u.hits + persons > 0) return true;
    if (await recreditChunk(p, log, opts.recreditChunkMs)) return true;
    // Report aggregates are re-summed as soon as input is derived, not on a timer: a report
    // reads a dirty day from the credits, so the first report after a burst (or a refit's
    // re-credit) would otherwise sum whole days itself.
    // (0 re-summed: another instance holds those days; it sums them, this loop need not spin.)
    if ((await p.store.reports.dirtyDayCount()) > 0 && (await p.store.transaction(() => p.store.reports.refreshDirtyDays(DAYS_PER_STEP))) > 0) {
      return true;
    }
    if (pendingBootstrap) {
      if (await bootstrapChunk(p, log, pendingBootstrap)) pendingBootstrap = null;
      return true;
    }
    if (Date.now() - lastMaintenance >= maintenanceMs || drainers.length > 0) {
      lastMaintenance = Date.now();
      const repaired = drainers.length > 0 ? 0 : await repairDirtyPersons(p, log);
      if (repaired > 0) log.info({ repaired }, "re-derived persons whose derivation had failed");
      if (Date.now() - lastOptimize >= optimizeMs) {
        lastOptimize = Date.now();
        await p.store.transaction(() => p.store.reports.optimize());
      }
    }
    return false;
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      const started = ++pass;
      let busy: boolean;
      try {
        busy = await step();
        status.error = null;
        status.lastStepAt = Date.now();
        failures = 0;
      } catch (err) {
        failures++;
        status.error = err instanceof Error ? err.message : String(err);
        log.error({ err }, "derivation step failed; retrying");
        await sleep(Math.min(5000, 50 * 2 ** Math.min(failures, 7)));
        continue;
      }
      if (busy) {
        await sleep(yieldMs);
        continue;
      }
      // Idle: everything committed before this pass began is derived.
      for (let i = drainers.length - 1; i >= 0; i--) {
        if (drainers[i]!.after < started) drainers.splice(i, 1)[0]!.resolve();
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
        if (drainers.length > 0 || refits.length > 0) done();
      });
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = false;
      status.running = true;
      loopDone = loop().finally(() => {
        running = false;
        status.running = false;
        for (const d of drainers.splice(0)) d.reject(new Error("deriver stopped"));
        for (const r of refits.splice(0)) r.reject(new Error("deriver stopped"));
      });
    },
    notify,
    drain() {
      if (!running) return Promise.reject(new Error("deriver is not running"));
      return new Promise((resolve, reject) => {
        drainers.push({ after: pass, resolve, reject });
        notify();
      });
    },
    refit() {
      if (!running) return Promise.reject(new Error("deriver is not running"));
      return new Promise((resolve, reject) => {
        refits.push({ resolve, reject });
        notify();
      });
    },
    status: () => ({ ...status }),
    async stop() {
      stopping = true;
      notify();
      await loopDone;
    },
  };
}
