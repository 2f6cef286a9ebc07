/**
 * Fair turns at SQLite's one write lock between the threads of one process. SQLite's busy
 * handler polls with growing sleeps, so a thread that commits back to back (the deriver)
 * would take the lock again before a waiting one (the gateway) notices it is free. The
 * serving thread announces that it wants the lock in a shared counter; the background thread
 * checks it before each transaction and waits (bounded) until the serving thread is done.
 */
export interface WriteTurns {
  /** The shared memory to hand to the other thread (`workerData`). */
  readonly shared: SharedArrayBuffer;
  /** Serving side: about to take the lock / done with it. */
  want(): void;
  done(): void;
  /** Background side: wait (blocking this thread, at most maxMs) while the serving side wants the lock. */
  giveWay(maxMs: number): void;
}

export function createWriteTurns(shared: SharedArrayBuffer = new SharedArrayBuffer(4)): WriteTurns {
  const wanting = new Int32Array(shared);
  return {
    shared,
    want: () => void Atomics.add(wanting, 0, 1),
    done: () => {
      Atomics.sub(wanting, 0, 1);
      Atomics.notify(wanting, 0);
    },
    giveWay(maxMs) {
      const until = Date.now() + maxMs;
      for (let n = Atomics.load(wanting, 0); n > 0; n = Atomics.load(wanting, 0)) {
        const left = until - Date.now();
        if (left <= 0) return;
        Atomics.wait(wanting, 0, n, Math.min(left, 20));
      }
    },
  };
}
