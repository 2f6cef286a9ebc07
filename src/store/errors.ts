/**
 * The store could not take the write lock in time (another process, e.g. a CLI recompute,
 * holds it). Retryable: the HTTP edge answers 503 with Retry-After, which Segment retries.
 */
export class StoreBusyError extends Error {
  readonly retryAfterSeconds = 2;
  constructor(message: string) {
    super(message);
    this.name = "StoreBusyError";
  }
}

/** The database cannot be reached (PostgreSQL down, file unreadable): retryable, 503. */
export class StoreUnavailableError extends Error {
  readonly retryAfterSeconds = 5;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
