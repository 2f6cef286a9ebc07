import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/**
 * Lowers the calling thread's scheduling priority (its nice value), so that when the cores are
 * busy the serving thread gets them first and the deriver works in what is left; when they are
 * idle, the deriver runs at full speed. On Linux, setpriority(2) on a thread id changes that
 * thread only. Elsewhere (or when not permitted) nothing changes; returns whether it did.
 */
export function lowerThreadPriority(nice: number): boolean {
  try {
    const link = readlinkSync("/proc/thread-self"); // "<pid>/task/<tid>"
    const tid = Number(link.split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
