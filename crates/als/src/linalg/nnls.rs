//! Nonnegative least squares on the normal equations (Lawson and Hanson's active-set method):
//! minimise ½·xᵀA·x − bᵀx subject to x ≥ 0, for symmetric positive definite A.

use super::cholesky::cholesky_solve;

/// Returns the exact minimiser, or None when a subproblem is not positive definite.
/// `a` is n×n row-major (full, symmetric), `b` has n entries.
pub fn nnls_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let tol = 1e-12 * (1.0 + b.iter().fold(0.0f64, |m, v| m.max(v.abs())));
    let mut x = vec![0.0; n];
    let mut passive = vec![false; n];
    let mut z = vec![0.0; n];
    let mut sub_a = Vec::with_capacity(n * n);
    let mut sub_b = Vec::with_capacity(n);
    let mut idx = Vec::with_capacity(n);
    for _outer in 0..3 * n + 10 {
        // Gradient of the negative objective: w = b − A·x.
        let (mut best, mut best_w) = (usize::MAX, tol);
        for j in 0..n {
            if passive[j] {
                continue;
            }
            let w = b[j] - (0..n).map(|k| a[j * n + k] * x[k]).sum::<f64>();
            if w > best_w {
                best_w = w;
                best = j;
            }
        }
        if best == usize::MAX {
            return Some(x);
        }
        passive[best] = true;
        loop {
            idx.clear();
            idx.extend((0..n).filter(|&j| passive[j]));
            let m = idx.len();
            sub_a.clear();
            sub_b.clear();
            for &r in &idx {
                for &c in &idx {
                    sub_a.push(a[r * n + c]);
                }
                sub_b.push(b[r]);
            }
            if !cholesky_solve(&mut sub_a, &mut sub_b, m) {
                return None;
            }
            z.iter_mut().for_each(|v| *v = 0.0);
            for (p, &j) in idx.iter().enumerate() {
                z[j] = sub_b[p];
            }
            if idx.iter().all(|&j| z[j] > 0.0) {
                x.copy_from_slice(&z);
                break;
            }
            // Step from x towards z until the first passive variable hits zero.
            let mut step = 1.0f64;
            for &j in &idx {
                if z[j] <= 0.0 {
                    let t = x[j] / (x[j] - z[j]);
                    if t < step {
                        step = t;
                    }
                }
            }
            for j in 0..n {
                x[j] += step * (z[j] - x[j]);
                if passive[j] && x[j] <= tol {
                    passive[j] = false;
                    x[j] = 0.0;
                }
            }
            if !passive.iter().any(|&p| p) {
                break;
            }
        }
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over every active set: the feasible stationary point with the least objective.
    fn brute(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
        let obj = |x: &[f64]| {
            let mut v = 0.0;
            for i in 0..n {
                for j in 0..n {
                    v += 0.5 * x[i] * a[i * n + j] * x[j];
                }
                v -= b[i] * x[i];
            }
            v
        };
        let mut best = vec![0.0; n];
        let mut best_v = obj(&best);
        for mask in 1u32..(1 << n) {
            let idx: Vec<usize> = (0..n).filter(|j| mask & (1 << j) != 0).collect();
            let m = idx.len();
            let mut sa: Vec<f64> = idx.iter().flat_map(|&r| idx.iter().map(move |&c| (r, c))).map(|(r, c)| a[r * n + c]).collect();
            let mut sb: Vec<f64> = idx.iter().map(|&r| b[r]).collect();
            if !cholesky_solve(&mut sa, &mut sb, m) || sb.iter().any(|&v| v < 0.0) {
                continue;
            }
            let mut x = vec![0.0; n];
            for (p, &j) in idx.iter().enumerate() {
                x[j] = sb[p];
            }
            let v = obj(&x);
            if v < best_v {
                best_v = v;
                best = x;
            }
        }
        best
    }

    #[test]
    fn matches_brute_force_on_random_problems() {
        let mut rng = crate::rng::SplitMix64::new(7);
        for _ in 0..200 {
            let n = 1 + rng.below(5) as usize;
            let m: Vec<f64> = (0..n * (n + 2)).map(|_| rng.next_gaussian()).collect();
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    a[i * n + j] = (0..n + 2).map(|k| m[k * n + i] * m[k * n + j]).sum::<f64>() + if i == j { 0.1 } else { 0.0 };
                }
            }
            let b: Vec<f64> = (0..n).map(|_| rng.next_gaussian()).collect();
            let got = nnls_solve(&a, &b, n).unwrap();
            let want = brute(&a, &b, n);
            for j in 0..n {
                assert!(got[j] >= 0.0);
                assert!((got[j] - want[j]).abs() < 1e-8, "n={n} got {got:?} want {want:?}");
            }
        }
    }
}
