/**
 * The store interface is asynchronous (Promise-returning) so that a client-server store
 * (PostgreSQL) can stand beside SQLite. better-sqlite3 is synchronous: each query module is
 * written synchronously and wrapped here, so a thrown error becomes a rejected promise.
 */
export type AsyncQueries<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

export function asyncify<T extends object>(queries: T): AsyncQueries<T> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(queries)) {
    out[name] =
      typeof value === "function"
        ? (...args: unknown[]) => {
            try {
              return Promise.resolve((value as (...a: unknown[]) => unknown)(...args));
            } catch (err) {
              return Promise.reject(err);
            }
          }
        : value;
  }
  return out as AsyncQueries<T>;
}
