//! The SIMD kernel: `als_kernel()` → code of the active one, `als_force_kernel(code)` forces
//! one for the instance (0 = back to the default). Codes: 1 avx512, 2 avx2+fma, 3 portable,
//! 4 simd128. A simd128 build supports simd128 and portable; the other build only portable.

use als::Kernel;

use crate::status::{bad_value, run};

fn code(k: Kernel) -> u32 {
    match k {
        Kernel::Avx512 => 1,
        Kernel::Avx2 => 2,
        Kernel::Scalar => 3,
        Kernel::Simd128 => 4,
    }
}

#[no_mangle]
pub extern "C" fn als_kernel() -> u32 {
    code(Kernel::active())
}

#[no_mangle]
pub extern "C" fn als_force_kernel(kernel: u32) -> i32 {
    run(|| {
        let k = match kernel {
            0 => None,
            1 => Some(Kernel::Avx512),
            2 => Some(Kernel::Avx2),
            3 => Some(Kernel::Scalar),
            4 => Some(Kernel::Simd128),
            _ => return bad_value(format!("unknown kernel code {kernel}")),
        };
        if let Some(k) = k.filter(|k| !k.supported()) {
            return bad_value(format!("this WebAssembly build does not support the {} kernel (best: {})", k.name(), Kernel::detect().name()));
        }
        als::simd::force_kernel(k);
        Ok(())
    })
}
