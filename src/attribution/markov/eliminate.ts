/**
 * One transient state of an absorbing chain as the elimination sees it: transition
 * probabilities to other transient states, to itself, and straight into conversion.
 * Whatever is left of the row (1 − the sum) leaks to null.
 */
export interface SparseRow {
  to: Map<number, number>;
  self: number;
  conversion: number;
}

/**
 * P(absorption in conversion | `source`) of a sparse absorbing chain, solved exactly by state
 * elimination (Gaussian elimination of x = Qx + b one unknown at a time, in the graph form:
 * each eliminated state's transitions are folded into its predecessors). I − Q is an
 * M-matrix when every state can leak to absorption, so no pivoting is needed and every
 * intermediate value stays a probability (no cancellation). The dense solve in solve.ts
 * would cost (states)³ per removal; order-k chains have thousands of states, but few
 * transitions each. `rows` is consumed. The elimination order is fixed by the input
 * (fewest predecessors × successors first, ties by index), so the rounding is too.
 */
export function absorptionProbability(rows: Array<SparseRow | undefined>, source: number): number {
  const preds = rows.map(() => new Set<number>());
  rows.forEach((row, i) => {
    if (row === undefined) return;
    for (const j of row.to.keys()) preds[j]?.add(i);
  });
  const order: number[] = [];
  rows.forEach((row, i) => {
    if (row !== undefined && i !== source) order.push(i);
  });
  const cost = (i: number) => (preds[i]?.size ?? 0) * (rows[i]?.to.size ?? 0);
  order.sort((a, b) => cost(a) - cost(b) || a - b);

  for (const k of order) {
    const row = rows[k]!;
    const stay = 1 - row.self;
    for (const i of preds[k]!) {
      const pred = rows[i];
      if (pred === undefined || i === k) continue;
      const f = (pred.to.get(k) ?? 0) / stay;
      pred.to.delete(k);
      if (f === 0) continue;
      pred.conversion += f * row.conversion;
      for (const [j, q] of row.to) {
        if (j === i) pred.self += f * q;
        else {
          pred.to.set(j, (pred.to.get(j) ?? 0) + f * q);
          preds[j]!.add(i);
        }
      }
    }
    for (const j of row.to.keys()) preds[j]?.delete(k);
    rows[k] = undefined;
  }
  const start = rows[source];
  if (start === undefined) return 0;
  return start.conversion / (1 - start.self);
}
