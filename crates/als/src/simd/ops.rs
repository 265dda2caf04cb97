//! Vector operations on f32 slices, generic over the SIMD backend: dot product and axpy.
//! Inlined into the `#[target_feature]` entry points of their callers.

use super::Simd;

/// Σ a[i]·b[i] over the first `a.len()` elements (b must be at least as long).
#[inline(always)]
pub fn dot<S: Simd>(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    assert!(b.len() >= n);
    let w = S::W;
    let mut i = 0;
    // Safety: every load stays within `n` elements of both slices.
    unsafe {
        let (mut s0, mut s1) = (S::zero(), S::zero());
        while i + 2 * w <= n {
            s0 = S::fma(S::load(a.as_ptr().add(i)), S::load(b.as_ptr().add(i)), s0);
            s1 = S::fma(S::load(a.as_ptr().add(i + w)), S::load(b.as_ptr().add(i + w)), s1);
            i += 2 * w;
        }
        if i + w <= n {
            s0 = S::fma(S::load(a.as_ptr().add(i)), S::load(b.as_ptr().add(i)), s0);
            i += w;
        }
        let mut s = S::hsum(S::add(s0, s1));
        while i < n {
            s += a[i] * b[i];
            i += 1;
        }
        s
    }
}

/// y += alpha·x over the first `y.len()` elements.
#[inline(always)]
pub fn axpy<S: Simd>(alpha: f32, x: &[f32], y: &mut [f32]) {
    let n = y.len();
    assert!(x.len() >= n);
    let w = S::W;
    let mut i = 0;
    // Safety: every access stays within `n` elements of both slices.
    unsafe {
        let a = S::splat(alpha);
        while i + w <= n {
            let v = S::fma(a, S::load(x.as_ptr().add(i)), S::load(y.as_ptr().add(i)));
            S::store(y.as_mut_ptr().add(i), v);
            i += w;
        }
    }
    while i < n {
        y[i] += alpha * x[i];
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::{portable::Portable, Kernel};

    fn data(n: usize) -> (Vec<f32>, Vec<f32>) {
        ((0..n).map(|i| (i as f32 * 0.37).sin()).collect(), (0..n).map(|i| (i as f32 * 0.11).cos()).collect())
    }

    crate::multiversion! {
        fn run_dot(a: &[f32], b: &[f32]) -> f32 => dot;
    }

    fn half_axpy<S: Simd>(a: &[f32], y: &mut [f32]) {
        axpy::<S>(0.5, a, y)
    }

    crate::multiversion! {
        fn run_axpy(a: &[f32], y: &mut [f32]) => half_axpy;
    }

    #[test]
    fn every_kernel_agrees_with_scalar_arithmetic() {
        for n in [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 64, 100] {
            let (a, b) = data(n);
            let expect: f64 = a.iter().zip(&b).map(|(x, y)| *x as f64 * *y as f64).sum();
            for k in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
                if !k.supported() {
                    continue;
                }
                let got = run_dot(k, &a, &b);
                assert!((got as f64 - expect).abs() < 1e-4, "dot n={n} {k:?}: {got} vs {expect}");
                let mut y = b.clone();
                run_axpy(k, &a, &mut y);
                for i in 0..n {
                    assert!((y[i] - (b[i] + 0.5 * a[i])).abs() < 1e-6);
                }
            }
            assert!((dot::<Portable>(&a, &b) as f64 - expect).abs() < 1e-4);
        }
    }
}
