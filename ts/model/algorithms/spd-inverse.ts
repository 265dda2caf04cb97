// Owns the dense inverse of a symmetric positive-definite matrix by Cholesky factorisation
// (A = L·Lᵀ, W = L⁻¹, A⁻¹ = Wᵀ·W), in float64, every inner loop over contiguous rows. EASE needs
// the whole inverse of its Gram matrix; this is the TypeScript path (O(n³): about n³/2
// multiply-adds).

export class NotPositiveDefiniteError extends Error {
  override name = 'NotPositiveDefiniteError';
}

/**
 * The inverse of the n × n SPD matrix `a` (row-major; only its lower triangle is read). `a` is
 * overwritten (it holds L, then the result's scratch); the returned array is the full symmetric
 * inverse. `onRow(done, total)` reports progress over the three passes (3n rows).
 */
export function spdInverse(a: Float64Array, n: number, onRow?: (done: number, total: number) => void): Float64Array {
  if (a.length !== n * n) throw new Error(`spdInverse: ${a.length} values for a ${n} × ${n} matrix`);
  // 1. Cholesky, row by row: L[i][j] = (A[i][j] − Σ_{k<j} L[i][k]·L[j][k]) / L[j][j].
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      if (i === j) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(`the matrix is not positive definite (pivot ${i} is ${s})`);
        a[ri + i] = Math.sqrt(s);
      } else a[ri + j] = s / a[rj + j]!;
    }
    onRow?.(i + 1, 3 * n);
  }
  // 2. W = L⁻¹ (lower triangular), row by row: W[i] = (e_i − Σ_{k<i} L[i][k]·W[k]) / L[i][i].
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const l = a[ri + k]!;
      if (l === 0) continue;
      const rk = k * n;
      for (let c = 0; c <= k; c++) w[ri + c]! -= l * w[rk + c]!;
    }
    const d = 1 / a[ri + i]!;
    for (let c = 0; c < i; c++) w[ri + c]! *= d;
    w[ri + i] = d;
    onRow?.(n + i + 1, 3 * n);
  }
  // 3. A⁻¹ = Wᵀ·W, as a sum of rank-one updates over W's rows (lower triangle), then mirrored.
  const p = a;
  p.fill(0);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const wi = w[rk + i]!;
      if (wi === 0) continue;
      const ri = i * n;
      for (let c = 0; c <= i; c++) p[ri + c]! += wi * w[rk + c]!;
    }
    onRow?.(2 * n + k + 1, 3 * n);
  }
  for (let i = 0; i < n; i++) for (let c = 0; c < i; c++) p[c * n + i] = p[i * n + c]!;
  return p;
}
