use als::synthetic::{generate, SyntheticSpec};
use als::*;
use std::time::Instant;
fn main() {
    let big = std::env::args().nth(1).as_deref() == Some("25m");
    let spec = if big { SyntheticSpec::ml_25m(42, false) } else { SyntheticSpec::ml_1m(42, false) };
    let t = Instant::now();
    let d = generate(&spec, 2).unwrap();
    println!("gen {} in {:.2}s", d.users.len(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let data = Interactions::from_coo(spec.n_users, spec.n_items, &d.users, &d.items, &d.values).unwrap();
    println!("csr {:.2}s kernel {:?}", t.elapsed().as_secs_f64(), simd::Kernel::active());
    let p = AlsParams {
        rank: 64,
        max_iter: if big { 3 } else { 15 },
        reg_param: 0.05,
        implicit_prefs: true,
        alpha: 1.0,
        solver: Solver::ConjugateGradient { steps: 3 },
        reg_scaling: RegScaling::Plain,
        confidence: Confidence::Linear,
        threads: 2,
        compute_loss: true,
        ..AlsParams::default()
    };
    let m = fit(&data, &p, &mut |r| {
        println!("iter {} loss {:?} {:.3}s", r.iteration, r.loss, r.seconds);
        Control::Continue
    })
    .unwrap();
    let t = Instant::now();
    let tk = top_k(&m.user_factors, &m.item_factors, 64, None, 10, Some(&data.by_user.pattern()), 2, &|_, _| {}).unwrap();
    println!("topk {:.2}s rows {}", t.elapsed().as_secs_f64(), tk.rows);
}
