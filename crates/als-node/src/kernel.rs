//! `kernelName() → string` (the SIMD kernel in use: "avx512", "avx2+fma" or "portable") and
//! `forceKernel(name | null) → string` (force one for the process, null = auto-detect; throws
//! if the CPU lacks it; returns the kernel now active).

use als::{kernel_name, Kernel};

use crate::env::Env;
use crate::error::{value_err, JsResult};
use crate::sys::{napi_callback_info, napi_value};

crate::js_callback!(js_kernel_name, "kernelName", current);
crate::js_callback!(js_force_kernel, "forceKernel", force);

fn current(env: &Env, _info: napi_callback_info) -> JsResult<napi_value> {
    env.string_value(kernel_name(Kernel::active()))
}

fn force(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([name], _) = env.args::<1>(info)?;
    let kernel = if env.is_nullish(name)? {
        None
    } else {
        let s = env.string(name, "name")?;
        let k = match s.as_str() {
            "avx512" => Kernel::Avx512,
            "avx2+fma" | "avx2" => Kernel::Avx2,
            "portable" | "scalar" => Kernel::Scalar,
            _ => return value_err(format!("name must be \"avx512\", \"avx2+fma\", \"portable\" or null, got \"{s}\"")),
        };
        if !k.supported() {
            return value_err(format!("this CPU does not support the {} kernel (best: {})", kernel_name(k), kernel_name(Kernel::detect())));
        }
        Some(k)
    };
    als::simd::force_kernel(kernel);
    env.string_value(kernel_name(Kernel::active()))
}
