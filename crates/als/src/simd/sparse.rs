//! The sparse sum at the heart of implicit ALS: out += Σₙ (aₙ + bₙ·(yₙ·v))·yₙ over the rows yₙ
//! of a factor matrix picked by a CSR row. Gathering yₙ is the memory-bound part, so up to 64
//! lanes each yₙ is loaded once into registers for both its dot product and its update, the
//! accumulator stays in registers, and rows a few steps ahead are prefetched; larger ranks take
//! the items by groups of four (one pass over `out` per group).

use super::ops::{axpy, dot};
use super::Simd;

/// Rows prefetched ahead of use.
const AHEAD: usize = 6;

/// out += Σₙ (a[n] + b[n]·(y_cols[n]·v))·y_cols[n]; `a` absent means zeros.
#[inline(always)]
pub fn sparse_update<S: Simd>(fixed: &[f32], k: usize, cols: &[u32], a: Option<&[f32]>, b: &[f32], v: &[f32], out: &mut [f32]) {
    assert!(v.len() == k && out.len() == k && b.len() == cols.len() && a.is_none_or(|a| a.len() == cols.len()));
    if k % S::W == 0 {
        match k / S::W {
            1 => return registers::<S, 1>(fixed, cols, a, b, v, out),
            2 => return registers::<S, 2>(fixed, cols, a, b, v, out),
            3 => return registers::<S, 3>(fixed, cols, a, b, v, out),
            4 => return registers::<S, 4>(fixed, cols, a, b, v, out),
            6 => return registers::<S, 6>(fixed, cols, a, b, v, out),
            8 => return registers::<S, 8>(fixed, cols, a, b, v, out),
            // simd128's 4 lanes make rank 64 sixteen vectors; the register-resident loop still
            // beats dot + axpy there (spills stay in L1), by about a quarter in V8.
            #[cfg(target_arch = "wasm32")]
            16 => return registers::<S, 16>(fixed, cols, a, b, v, out),
            _ => {}
        }
    }
    grouped::<S>(fixed, k, cols, a, b, v, out);
}

/// Items taken together by [`grouped`].
const GROUP: usize = 4;

/// Any rank, too large for registers: the items go by groups of [`GROUP`]. Their dot products
/// with `v` run side by side (one load of `v` serves all, eight independent FMA chains), then one
/// pass adds all their terms to `out` (one load and store of `out` per group, not per item); the
/// group's rows, read twice, stay in L1. Leftover items and lanes go one by one.
#[inline(always)]
fn grouped<S: Simd>(fixed: &[f32], k: usize, cols: &[u32], a: Option<&[f32]>, b: &[f32], v: &[f32], out: &mut [f32]) {
    assert!(cols.iter().all(|&i| (i as usize + 1) * k <= fixed.len()));
    let w = S::W;
    let kv = k - k % w;
    let coef_of = |n: usize, d: f32| a.map_or(0.0, |a| a[n]) + b[n] * d;
    let groups = cols.len() / GROUP;
    let base = fixed.as_ptr();
    // Safety: every row index was checked against `fixed`; vector accesses stay below `kv` ≤ k
    // floats of a row, of `v` and of `out` (both k long).
    unsafe {
        for g in 0..groups {
            let n0 = g * GROUP;
            for &ahead in cols.iter().skip(n0 + 2 * GROUP).take(GROUP) {
                let p = base.add(ahead as usize * k);
                let mut off = 0;
                while off < k {
                    S::prefetch(p.add(off));
                    off += 16;
                }
            }
            let y: [*const f32; GROUP] = std::array::from_fn(|m| base.add(cols[n0 + m] as usize * k));
            let mut acc = [[S::zero(); 2]; GROUP];
            let mut c = 0;
            while c + 2 * w <= kv {
                let (v0, v1) = (S::load(v.as_ptr().add(c)), S::load(v.as_ptr().add(c + w)));
                for m in 0..GROUP {
                    acc[m][0] = S::fma(S::load(y[m].add(c)), v0, acc[m][0]);
                    acc[m][1] = S::fma(S::load(y[m].add(c + w)), v1, acc[m][1]);
                }
                c += 2 * w;
            }
            if c < kv {
                let v0 = S::load(v.as_ptr().add(c));
                for m in 0..GROUP {
                    acc[m][0] = S::fma(S::load(y[m].add(c)), v0, acc[m][0]);
                }
            }
            let coef: [f32; GROUP] = std::array::from_fn(|m| {
                let mut d = S::hsum(S::add(acc[m][0], acc[m][1]));
                for q in kv..k {
                    d += *y[m].add(q) * v[q];
                }
                coef_of(n0 + m, d)
            });
            let cv: [S::V; GROUP] = std::array::from_fn(|m| S::splat(coef[m]));
            let mut c = 0;
            while c < kv {
                let mut o = S::load(out.as_ptr().add(c));
                for m in 0..GROUP {
                    o = S::fma(cv[m], S::load(y[m].add(c)), o);
                }
                S::store(out.as_mut_ptr().add(c), o);
                c += w;
            }
            for q in kv..k {
                for m in 0..GROUP {
                    out[q] += coef[m] * *y[m].add(q);
                }
            }
        }
    }
    for (n, &i) in cols.iter().enumerate().skip(groups * GROUP) {
        let y = &fixed[i as usize * k..(i as usize + 1) * k];
        let coef = coef_of(n, dot::<S>(y, v));
        axpy::<S>(coef, y, out);
    }
}

/// The rank is NV vectors: everything lives in registers.
#[inline(always)]
fn registers<S: Simd, const NV: usize>(fixed: &[f32], cols: &[u32], a: Option<&[f32]>, b: &[f32], v: &[f32], out: &mut [f32]) {
    let (w, k) = (S::W, NV * S::W);
    assert!(cols.iter().all(|&i| (i as usize + 1) * k <= fixed.len()));
    // Safety: every row index was checked against `fixed`, and v/out hold k floats.
    unsafe {
        let mut vv = [S::zero(); NV];
        let mut acc = [S::zero(); NV];
        for j in 0..NV {
            vv[j] = S::load(v.as_ptr().add(j * w));
            acc[j] = S::load(out.as_ptr().add(j * w));
        }
        let base = fixed.as_ptr();
        for (n, &i) in cols.iter().enumerate() {
            if let Some(&ahead) = cols.get(n + AHEAD) {
                let p = base.add(ahead as usize * k);
                let mut off = 0;
                while off < k {
                    S::prefetch(p.add(off));
                    off += 16;
                }
            }
            let y = base.add(i as usize * k);
            let mut yv = [S::zero(); NV];
            let mut d = S::zero();
            for j in 0..NV {
                yv[j] = S::load(y.add(j * w));
                d = S::fma(yv[j], vv[j], d);
            }
            let coef = S::splat(a.map_or(0.0, |a| *a.get_unchecked(n)) + *b.get_unchecked(n) * S::hsum(d));
            for j in 0..NV {
                acc[j] = S::fma(coef, yv[j], acc[j]);
            }
        }
        for j in 0..NV {
            S::store(out.as_mut_ptr().add(j * w), acc[j]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Kernel;

    fn with_a<S: Simd>(fixed: &[f32], k: usize, cols: &[u32], a: &[f32], b: &[f32], v: &[f32], out: &mut [f32]) {
        sparse_update::<S>(fixed, k, cols, Some(a), b, v, out)
    }

    crate::multiversion! {
        fn run(fixed: &[f32], k: usize, cols: &[u32], a: &[f32], b: &[f32], v: &[f32], out: &mut [f32]) => with_a;
    }

    #[test]
    fn matches_the_definition_for_every_rank_and_kernel() {
        let mut rng = crate::rng::SplitMix64::new(5);
        for k in [1, 5, 8, 16, 24, 32, 48, 64, 80, 128, 130, 256, 259] {
            let n = 40;
            let fixed: Vec<f32> = (0..n * k).map(|_| rng.next_gaussian() as f32).collect();
            let cols: Vec<u32> = (0..27).map(|_| rng.below(n as u64) as u32).collect();
            let a: Vec<f32> = cols.iter().map(|_| rng.next_gaussian() as f32).collect();
            let b: Vec<f32> = cols.iter().map(|_| rng.next_gaussian() as f32).collect();
            let v: Vec<f32> = (0..k).map(|_| rng.next_gaussian() as f32).collect();
            let start: Vec<f32> = (0..k).map(|_| rng.next_gaussian() as f32).collect();
            let mut want: Vec<f64> = start.iter().map(|&x| x as f64).collect();
            for (m, &i) in cols.iter().enumerate() {
                let y = &fixed[i as usize * k..(i as usize + 1) * k];
                let s: f64 = y.iter().zip(&v).map(|(p, q)| *p as f64 * *q as f64).sum();
                let c = a[m] as f64 + b[m] as f64 * s;
                for j in 0..k {
                    want[j] += c * y[j] as f64;
                }
            }
            for kernel in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
                if !kernel.supported() {
                    continue;
                }
                let mut out = start.clone();
                run(kernel, &fixed, k, &cols, &a, &b, &v, &mut out);
                for j in 0..k {
                    assert!((out[j] as f64 - want[j]).abs() < 1e-3 * (1.0 + want[j].abs()), "k={k} {kernel:?} j={j}");
                }
            }
        }
    }
}
