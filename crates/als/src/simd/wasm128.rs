//! WebAssembly simd128 backend: 4 f32 lanes in a `v128`. Compiled only for wasm32 with
//! `target_feature = "simd128"` (WebAssembly has no run-time feature detection: a module
//! either uses these instructions or fails to validate). Baseline simd128 has no fused
//! multiply-add, so `fma` is a multiply then an add (results differ from native FMA in the
//! last bits); a build with `target_feature = "relaxed-simd"` uses `f32x4.relaxed_madd`, which
//! the engine fuses where the CPU has FMA (and rounds twice where it has not).

use super::{Kernel, Simd};
use core::arch::wasm32::*;

#[derive(Clone, Copy)]
pub struct Simd128;

impl Simd for Simd128 {
    type V = v128;
    const W: usize = 4;
    const KERNEL: Kernel = Kernel::Simd128;
    #[inline(always)]
    unsafe fn zero() -> v128 {
        f32x4_splat(0.0)
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> v128 {
        f32x4_splat(x)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> v128 {
        v128_load(p as *const v128)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: v128) {
        v128_store(p as *mut v128, v)
    }
    #[inline(always)]
    unsafe fn fma(a: v128, b: v128, c: v128) -> v128 {
        #[cfg(target_feature = "relaxed-simd")]
        return f32x4_relaxed_madd(a, b, c);
        #[cfg(not(target_feature = "relaxed-simd"))]
        return f32x4_add(f32x4_mul(a, b), c);
    }
    #[inline(always)]
    unsafe fn add(a: v128, b: v128) -> v128 {
        f32x4_add(a, b)
    }
    #[inline(always)]
    unsafe fn hsum(v: v128) -> f32 {
        // (v0 + v2) + (v1 + v3)
        let s = f32x4_add(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
        let s = f32x4_add(s, i32x4_shuffle::<1, 0, 3, 2>(s, s));
        f32x4_extract_lane::<0>(s)
    }
    #[inline(always)]
    unsafe fn any_gt(v: v128, t: v128) -> bool {
        v128_any_true(f32x4_gt(v, t))
    }
}
