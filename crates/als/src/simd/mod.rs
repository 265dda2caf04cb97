//! SIMD kernels chosen at run time: AVX-512, AVX2+FMA, or a portable fallback.
//!
//! Each backend implements the small [`Simd`] vector trait with intrinsics; the hot loops
//! (`ops`, and the solvers, Gram and top-k code) are written once, generic over it, and
//! instantiated inside a `#[target_feature]` entry point per backend by [`dispatch!`].

pub mod ops;
pub mod portable;
#[cfg(target_arch = "x86_64")]
pub mod avx2;
#[cfg(target_arch = "x86_64")]
pub mod avx512;

use std::sync::atomic::{AtomicU8, Ordering};

/// The vector operations every backend provides. All functions are `unsafe`: pointers must be
/// valid for `W` floats, and the caller must run on a CPU with the backend's features.
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    Avx512,
    Avx2,
    Scalar,
}

pub fn kernel_name(k: Kernel) -> &'static str {
    match k {
        Kernel::Avx512 => "avx512",
        Kernel::Avx2 => "avx2+fma",
        Kernel::Scalar => "portable",
    }
}

// 0 = detect, 1..=3 = forced kernel.
static FORCED: AtomicU8 = AtomicU8::new(0);

/// Forces a kernel for the whole process (tests and benchmarks compare kernels with it).
/// Forcing one the CPU lacks falls back to the best supported one.
pub fn force_kernel(k: Option<Kernel>) {
    let v = match k {
        None => 0,
        Some(Kernel::Avx512) => 1,
        Some(Kernel::Avx2) => 2,
        Some(Kernel::Scalar) => 3,
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
        Kernel::Scalar
    }

    pub fn supported(self) -> bool {
        match self {
            Kernel::Scalar => true,
            Kernel::Avx2 => matches!(Kernel::detect(), Kernel::Avx2 | Kernel::Avx512),
            Kernel::Avx512 => Kernel::detect() == Kernel::Avx512,
        }
    }

    /// The kernel in use: the forced one when supported, else the detected one.
    pub fn active() -> Kernel {
        let forced = match FORCED.load(Ordering::Relaxed) {
            1 => Some(Kernel::Avx512),
            2 => Some(Kernel::Avx2),
            3 => Some(Kernel::Scalar),
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
}

/// Runs `$f::<S>($args)` with the backend `S` for `$kernel`, inside a function compiled with
/// that backend's target features so the generic body is vectorised with them.
#[macro_export]
macro_rules! dispatch {
    ($kernel:expr, $f:ident ( $($arg:expr),* $(,)? )) => {{
        match $kernel {
            #[cfg(target_arch = "x86_64")]
            $crate::simd::Kernel::Avx512 => unsafe {
                $crate::simd::avx512::enter(|| $f::<$crate::simd::avx512::Avx512>($($arg),*))
            },
            #[cfg(target_arch = "x86_64")]
            $crate::simd::Kernel::Avx2 => unsafe {
                $crate::simd::avx2::enter(|| $f::<$crate::simd::avx2::Avx2>($($arg),*))
            },
            _ => $f::<$crate::simd::portable::Portable>($($arg),*),
        }
    }};
}
