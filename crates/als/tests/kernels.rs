//! Fits with each SIMD kernel agree to float tolerance. Its own test binary (process), because
//! forcing a kernel is process-wide and would disturb the other tests' determinism checks.

mod common;

use als::simd::{force_kernel, Kernel};
use als::{fit, AlsParams, Control, Solver};
use common::*;

fn run(p: &AlsParams, data: &als::Interactions) -> als::Model {
    fit(data, p, &mut |_| Control::Continue).unwrap()
}

#[test]
fn kernels_agree_to_float_tolerance() {
    let (data, _) = random_problem(300, 200, 0.05, false, 8);
    for solver in [Solver::ConjugateGradient { steps: 3 }, Solver::Block { size: 8 }] {
        let p = AlsParams { rank: 24, max_iter: 3, implicit_prefs: true, unobserved_weight: 0.5, solver, ..AlsParams::default() };
        agree(&p, &data);
    }
}

fn agree(p: &AlsParams, data: &als::Interactions) {
    let mut results = Vec::new();
    for k in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
        if k.supported() {
            force_kernel(Some(k));
            results.push((k, run(p, data)));
        }
    }
    force_kernel(None);
    let (_, base) = &results[0];
    for (k, m) in &results[1..] {
        assert!(max_abs_diff(&base.user_factors, &m.user_factors) < 1e-3, "{k:?}");
        assert!(max_abs_diff(&base.item_factors, &m.item_factors) < 1e-3, "{k:?}");
    }
}
