/**
 * One transient state of an absorbing chain: transition probabilities to other transient
 * states, to itself, and straight into conversion. The rest of the row (1 − the sum) leaks to null.
 */
export interface SparseRow {
  to: Map<number, number>;
  self: number;
  conversion: number;
}

/** A guard against a bug (a chain that cannot leak): far beyond any real chain's sweep count. */
const MAX_SWEEPS = 1_000_000;

/**
 * P(absorption in conversion | `source`) of a large sparse absorbing chain: Gauss–Seidel on
 * x = Qx + b, self-loops solved in place (x_i = (b_i + Σ_{j≠i} q_ij x_j) / (1 − q_ii)), from
 * x = 0, sweeping the states in `order` (successors before predecessors converge fastest),
 * until a whole sweep changes no value at all. Every operand is non-negative and IEEE
 * rounding is monotone, so the iterates only grow and, being bounded by 1, stop at a bitwise
 * fixed point: the floating-point solution of the linear system (residual of the order of one
 * rounding), reached in finitely many sweeps. Deterministic, no sampling.
 *
 * Why not Gaussian elimination (solve.ts, used for order 1): the states of an order-k chain are the observed k-tuples,
 * and their transitions form a subgraph of a de Bruijn graph, which fills in almost completely
 * (order 3 on 100k journeys: one strongly connected block of 1,600 states, order 4: 3,900);
 * a direct solve then costs minutes per removal, a sweep costs one pass over the transitions.
 */
export function absorptionByFixedPoint(rows: ReadonlyArray<SparseRow | undefined>, source: number, order: readonly number[]): number {
  const live = order.filter((i) => rows[i] !== undefined);
  const n = rows.length;
  const x = new Float64Array(n);
  // CSR of the live rows, in sweep order.
  const start = new Int32Array(live.length + 1);
  let nnz = 0;
  for (const [k, i] of live.entries()) {
    nnz += rows[i]!.to.size;
    start[k + 1] = nnz;
  }
  const cols = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  const rhs = new Float64Array(live.length);
  const stay = new Float64Array(live.length);
  for (const [k, i] of live.entries()) {
    const row = rows[i]!;
    let at = start[k]!;
    // Fixed order of the sum: by target state.
    for (const [j, q] of [...row.to].sort((a, b) => a[0] - b[0])) {
      cols[at] = j;
      vals[at++] = q;
    }
    rhs[k] = row.conversion;
    stay[k] = 1 - row.self;
  }
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let changed = false;
    for (let k = 0; k < live.length; k++) {
      let sum = rhs[k]!;
      for (let at = start[k]!; at < start[k + 1]!; at++) sum += vals[at]! * x[cols[at]!]!;
      const value = sum / stay[k]!;
      const i = live[k]!;
      if (value !== x[i]) {
        x[i] = value;
        changed = true;
      }
    }
    if (!changed) return x[source]!;
  }
  throw new Error("absorptionByFixedPoint: no fixed point (a chain without leakage is a bug)");
}
