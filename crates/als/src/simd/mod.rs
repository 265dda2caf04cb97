//! SIMD kernels chosen at run time: AVX-512, AVX2+FMA, or a portable fallback; on wasm32,
//! simd128 when compiled with that target feature (WebAssembly has no run-time detection).
//!
//! Each backend implements the small [`Simd`] vector trait with intrinsics; the hot loops
//! (`ops`, and the solvers, Gram and top-k code) are written once, generic over it, and
//! instantiated inside a `#[target_feature]` entry point per backend by [`dispatch!`].

#[cfg(target_arch = "x86_64")]
pub mod avx2;
#[cfg(target_arch = "x86_64")]
pub mod avx512;
pub mod lower_dots;
pub mod ops;
pub mod portable;
pub mod sparse;
pub mod symm;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod wasm128;

use std::sync::atomic::{AtomicU8, Ordering};

/// The vector operations every backend provides. All functions are `unsafe`: pointers must be
/// valid for `W` floats, and the caller must run on a CPU with the backend's features.
// That contract, stated once here, is every method's `# Safety` section.
#[allow(clippy::missing_safety_doc)]
pub trait Simd: Copy {
    type V: Copy;
    /// Lanes per vector.
    const W: usize;
    const KERNEL: Kernel;
    unsafe fn zero() -> Self::V;
    unsafe fn splat(x: f32) -> Self::V;
    unsafe fn load(p: *const f32) -> Self::V;
    unsafe fn store(p: *mut f32, v: Self::V);
    /// a * b + c
    unsafe fn fma(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn hsum(v: Self::V) -> f32;
    /// True when any lane of `v` is greater than the matching lane of `t`.
    unsafe fn any_gt(v: Self::V, t: Self::V) -> bool;
    /// Hints that the cache line at `p` will be read soon (no effect where unsupported).
    #[inline(always)]
    unsafe fn prefetch(p: *const f32) {
        #[cfg(target_arch = "x86_64")]
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
        #[cfg(not(target_arch = "x86_64"))]
        let _ = p;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    Avx512,
    Avx2,
    /// WebAssembly 128-bit SIMD (wasm32 builds with `target_feature = "simd128"` only).
    Simd128,
    Scalar,
}

pub fn kernel_name(k: Kernel) -> &'static str {
    match k {
        Kernel::Avx512 => "avx512",
        Kernel::Avx2 => "avx2+fma",
        Kernel::Simd128 => "simd128",
        Kernel::Scalar => "portable",
    }
}

// 0 = detect, 1..=4 = forced kernel.
static FORCED: AtomicU8 = AtomicU8::new(0);

/// Forces a kernel for the whole process (tests and benchmarks compare kernels with it).
/// Forcing one the CPU lacks falls back to the best supported one.
pub fn force_kernel(k: Option<Kernel>) {
    let v = match k {
        None => 0,
        Some(Kernel::Avx512) => 1,
        Some(Kernel::Avx2) => 2,
        Some(Kernel::Scalar) => 3,
        Some(Kernel::Simd128) => 4,
    };
    FORCED.store(v, Ordering::Relaxed);
}

impl Kernel {
    /// The best kernel this CPU supports.
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma") {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                return Kernel::Avx2;
            }
        }
        if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
            return Kernel::Simd128;
        }
        Kernel::Scalar
    }

    pub fn supported(self) -> bool {
        match self {
            Kernel::Scalar => true,
            Kernel::Avx2 => matches!(Kernel::detect(), Kernel::Avx2 | Kernel::Avx512),
            Kernel::Avx512 => Kernel::detect() == Kernel::Avx512,
            Kernel::Simd128 => Kernel::detect() == Kernel::Simd128,
        }
    }

    /// The kernel in use: the forced one when supported, else the detected one.
    pub fn active() -> Kernel {
        let forced = match FORCED.load(Ordering::Relaxed) {
            1 => Some(Kernel::Avx512),
            2 => Some(Kernel::Avx2),
            3 => Some(Kernel::Scalar),
            4 => Some(Kernel::Simd128),
            _ => None,
        };
        match forced {
            Some(k) if k.supported() => k,
            _ => Kernel::detect(),
        }
    }

    pub fn name(self) -> &'static str {
        kernel_name(self)
    }

    /// f32 lanes of the kernel's vectors.
    pub fn lanes(self) -> usize {
        match self {
            Kernel::Avx512 => 16,
            Kernel::Simd128 => 4,
            Kernel::Avx2 | Kernel::Scalar => 8,
        }
    }
}

/// Defines `fn $name(kernel: Kernel, args…)` that runs the generic `$body::<S>(args…)` with the
/// backend `S` for `kernel`, inside a function compiled with that backend's target features, so
/// the `#[inline(always)]` body and its intrinsics are compiled for them. An unsupported kernel
/// runs the portable backend. On wasm32 the simd128 backend is chosen at compile time: the whole
/// module is built with (or without) `simd128`, so it needs no `#[target_feature]` wrapper.
#[macro_export]
macro_rules! multiversion {
    ($(#[$m:meta])* $vis:vis fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) $(-> $ret:ty)? => $body:ident;) => {
        $(#[$m])*
        #[allow(clippy::too_many_arguments)]
        $vis fn $name(kernel: $crate::simd::Kernel, $($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx2,fma")]
            #[allow(clippy::too_many_arguments)]
            unsafe fn avx512($($arg: $ty),*) $(-> $ret)? {
                $body::<$crate::simd::avx512::Avx512>($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            #[allow(clippy::too_many_arguments)]
            unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                $body::<$crate::simd::avx2::Avx2>($($arg),*)
            }
            match kernel {
                // Safety: the CPU supports the kernel's features (checked).
                #[cfg(target_arch = "x86_64")]
                $crate::simd::Kernel::Avx512 if kernel.supported() => unsafe { avx512($($arg),*) },
                // Safety: as above, for AVX2 and FMA.
                #[cfg(target_arch = "x86_64")]
                $crate::simd::Kernel::Avx2 if kernel.supported() => unsafe { avx2($($arg),*) },
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                $crate::simd::Kernel::Simd128 => $body::<$crate::simd::wasm128::Simd128>($($arg),*),
                _ => $body::<$crate::simd::portable::Portable>($($arg),*),
            }
        }
    };
}
