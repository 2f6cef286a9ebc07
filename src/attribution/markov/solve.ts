/**
 * Solves A x = b by Gaussian elimination with partial pivoting (ties: the lowest row, so
 * the arithmetic, and its rounding, is the same on every run). A and b are copied, not
 * modified. The caller guarantees A is non-singular; a zero pivot throws, since it means a bug.
 */
export function solveLinearSystem(matrix: readonly (readonly number[])[], rhs: readonly number[]): number[] {
  const n = rhs.length;
  const a = matrix.map((row) => [...row]);
  const b = [...rhs];
  const rowOf = (i: number): number[] => {
    const row = a[i];
    if (row === undefined || row.length < n) throw new Error(`solveLinearSystem: row ${i} is not ${n} wide`);
    return row;
  };
  const rhsOf = (i: number): number => b[i] ?? 0;

  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let i = k + 1; i < n; i++) {
      if (Math.abs(rowOf(i)[k] ?? 0) > Math.abs(rowOf(pivot)[k] ?? 0)) pivot = i;
    }
    const pivotRow = rowOf(pivot);
    const pivotValue = pivotRow[k] ?? 0;
    if (pivotValue === 0) throw new Error("solveLinearSystem: singular matrix");
    if (pivot !== k) {
      a[pivot] = rowOf(k);
      a[k] = pivotRow;
      const pivotRhs = rhsOf(pivot);
      b[pivot] = rhsOf(k);
      b[k] = pivotRhs;
    }
    for (let i = k + 1; i < n; i++) {
      const row = rowOf(i);
      const factor = (row[k] ?? 0) / pivotValue;
      if (factor === 0) continue;
      row[k] = 0;
      for (let j = k + 1; j < n; j++) row[j] = (row[j] ?? 0) - factor * (pivotRow[j] ?? 0);
      b[i] = rhsOf(i) - factor * rhsOf(k);
    }
  }

  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    const row = rowOf(i);
    let sum = rhsOf(i);
    for (let j = i + 1; j < n; j++) sum -= (row[j] ?? 0) * (x[j] ?? 0);
    x[i] = sum / (row[i] ?? 1);
  }
  return x;
}
