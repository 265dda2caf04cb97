//! Shared helpers for the integration tests: random problems and an independent dense solver.

#![allow(dead_code)]

use als::rng::SplitMix64;
use als::Interactions;

/// A random sparse problem: each (user, item) observed with probability `density`.
pub fn random_problem(n_users: usize, n_items: usize, density: f64, explicit: bool, seed: u64) -> (Interactions<'static>, Vec<(u32, u32, f32)>) {
    let mut rng = SplitMix64::new(seed);
    let mut triples = Vec::new();
    for u in 0..n_users {
        for i in 0..n_items {
            if rng.next_f64() < density {
                let v = if explicit { 1.0 + rng.below(5) as f32 } else { 1.0 + rng.below(4) as f32 };
                triples.push((u as u32, i as u32, v));
            }
        }
    }
    let us: Vec<u32> = triples.iter().map(|t| t.0).collect();
    let is: Vec<u32> = triples.iter().map(|t| t.1).collect();
    let vs: Vec<f32> = triples.iter().map(|t| t.2).collect();
    (Interactions::from_coo(n_users, n_items, &us, &is, &vs).unwrap().into_owned(), triples)
}

pub fn random_factors(n: usize, k: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(seed);
    (0..n * k).map(|_| (0.5 * rng.next_gaussian()) as f32).collect()
}

/// Solves A·x = b by Gaussian elimination with partial pivoting (independent of the crate's Cholesky).
pub fn gauss_solve(mut a: Vec<f64>, mut b: Vec<f64>, n: usize) -> Vec<f64> {
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs())).unwrap();
        if p != c {
            for j in 0..n {
                a.swap(c * n + j, p * n + j);
            }
            b.swap(c, p);
        }
        for r in c + 1..n {
            let f = a[r * n + c] / a[c * n + c];
            for j in c..n {
                a[r * n + j] -= f * a[c * n + j];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|j| a[r * n + j] * x[j]).sum();
        x[r] = (b[r] - s) / a[r * n + r];
    }
    x
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}
