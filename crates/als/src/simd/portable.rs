//! Portable backend: 8-lane arrays in plain Rust, for CPUs without AVX2 (and other architectures).
//! The compiler maps them onto whatever the baseline target offers (SSE2 on x86_64).

use super::{Kernel, Simd};

#[derive(Clone, Copy)]
pub struct Portable;

impl Simd for Portable {
    type V = [f32; 8];
    const W: usize = 8;
    const KERNEL: Kernel = Kernel::Scalar;
    #[inline(always)]
    unsafe fn zero() -> [f32; 8] {
        [0.0; 8]
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> [f32; 8] {
        [x; 8]
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> [f32; 8] {
        std::ptr::read_unaligned(p as *const [f32; 8])
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: [f32; 8]) {
        std::ptr::write_unaligned(p as *mut [f32; 8], v)
    }
    #[inline(always)]
    unsafe fn fma(a: [f32; 8], b: [f32; 8], c: [f32; 8]) -> [f32; 8] {
        let mut r = c;
        for i in 0..8 {
            r[i] += a[i] * b[i];
        }
        r
    }
    #[inline(always)]
    unsafe fn add(a: [f32; 8], b: [f32; 8]) -> [f32; 8] {
        let mut r = a;
        for i in 0..8 {
            r[i] += b[i];
        }
        r
    }
    #[inline(always)]
    unsafe fn hsum(v: [f32; 8]) -> f32 {
        ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))
    }
    #[inline(always)]
    unsafe fn any_gt(v: [f32; 8], t: [f32; 8]) -> bool {
        let mut any = false;
        for i in 0..8 {
            any |= v[i] > t[i];
        }
        any
    }
}
