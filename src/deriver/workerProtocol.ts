import type { DeriverStatus } from "./deriver.js";

/** Messages between the serving thread and the deriver thread. */
export type ToWorker = { kind: "notify" } | { kind: "drain"; id: number } | { kind: "refit"; id: number } | { kind: "stop" };

export type FromWorker =
  | { kind: "status"; status: DeriverStatus }
  | { kind: "done"; id: number; result: unknown }
  | { kind: "failed"; id: number; error: string }
  | { kind: "stopped" };
