//! Properties of whole fits: monotone loss, thread-count independence, kernel agreement, and
//! fold-in reproducing training's own user vectors.

mod common;

use als::{fit, AlsParams, Control, FoldIn, Solver};
use common::*;

fn run(p: &AlsParams, data: &als::Interactions) -> als::Model {
    fit(data, p, &mut |_| Control::Continue).unwrap()
}

#[test]
fn explicit_loss_never_increases() {
    let (data, _) = random_problem(80, 60, 0.15, true, 1);
    for nonnegative in [false, true] {
        let p = AlsParams { rank: 5, max_iter: 12, reg_param: 0.05, nonnegative, seed: 3, ..AlsParams::default() };
        let m = run(&p, &data);
        let losses: Vec<f64> = m.iterations.iter().map(|r| r.loss.unwrap()).collect();
        for w in losses.windows(2) {
            assert!(w[1] <= w[0] * (1.0 + 1e-6), "loss rose: {losses:?}");
        }
    }
}

#[test]
fn implicit_exact_loss_never_increases() {
    let (data, _) = random_problem(60, 50, 0.1, false, 2);
    let p = AlsParams { rank: 6, max_iter: 10, reg_param: 0.1, implicit_prefs: true, alpha: 5.0, seed: 1, ..AlsParams::default() };
    let m = run(&p, &data);
    let losses: Vec<f64> = m.iterations.iter().map(|r| r.loss.unwrap()).collect();
    for w in losses.windows(2) {
        assert!(w[1] <= w[0] * (1.0 + 1e-6), "loss rose: {losses:?}");
    }
}

#[test]
fn one_and_two_threads_give_identical_factors() {
    let (data, _) = random_problem(700, 300, 0.05, false, 4);
    for solver in [Solver::Cholesky, Solver::ConjugateGradient { steps: 3 }] {
        let p = AlsParams { rank: 16, max_iter: 4, implicit_prefs: true, solver, threads: 1, ..AlsParams::default() };
        let a = run(&p, &data);
        let b = run(&AlsParams { threads: 2, ..p.clone() }, &data);
        assert_eq!(a.user_factors, b.user_factors, "{solver:?}");
        assert_eq!(a.item_factors, b.item_factors, "{solver:?}");
        assert_eq!(a.iterations[3].loss, b.iterations[3].loss);
    }
}

#[test]
fn early_stop_is_honoured() {
    let (data, _) = random_problem(50, 40, 0.2, true, 9);
    let p = AlsParams { max_iter: 10, ..AlsParams::default() };
    let m = fit(&data, &p, &mut |r| if r.iteration == 3 { Control::Stop } else { Control::Continue }).unwrap();
    assert_eq!(m.iterations.len(), 3);
}

#[test]
fn fold_in_of_a_training_user_equals_its_trained_vector() {
    // Training ends with a user half-step against the final item factors (Spark's order), so
    // folding a training user in against those factors must give back the same vector.
    let (data, _) = random_problem(60, 40, 0.2, true, 12);
    for implicit in [false, true] {
        let p = AlsParams { rank: 8, max_iter: 5, reg_param: 0.1, implicit_prefs: implicit, alpha: 3.0, ..AlsParams::default() };
        let m = run(&p, &data);
        let f = FoldIn::new(m.item_factors.clone(), p.rank, &p).unwrap();
        for u in [0usize, 7, 31, 59] {
            let (items, values) = data.by_user.row(u);
            let x = f.user_vector(items, values).unwrap();
            let trained = &m.user_factors[u * p.rank..(u + 1) * p.rank];
            assert!(max_abs_diff(&x, trained) < 1e-5, "user {u} implicit={implicit}: {x:?} vs {trained:?}");
        }
    }
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let (data, _) = random_problem(10, 10, 0.5, true, 1);
    let e = fit(&data, &AlsParams { rank: 0, ..AlsParams::default() }, &mut |_| Control::Continue).unwrap_err();
    assert!(e.to_string().contains("rank must be"), "{e}");
    let e =
        fit(&data, &AlsParams { solver: Solver::ConjugateGradient { steps: 3 }, ..AlsParams::default() }, &mut |_| Control::Continue).unwrap_err();
    assert!(e.to_string().contains("implicit feedback"), "{e}");
    let empty = als::Interactions::from_coo(3, 3, &[], &[], &[]).unwrap();
    let e = fit(&empty, &AlsParams::default(), &mut |_| Control::Continue).unwrap_err();
    assert!(e.to_string().contains("no interactions"), "{e}");
    let f = FoldIn::new(vec![0.5; 30], 3, &AlsParams { rank: 3, ..AlsParams::default() }).unwrap();
    assert!(f.user_vector(&[10], &[1.0]).unwrap_err().to_string().contains("items[0] = 10 is out of range"));
    assert!(f.user_vector(&[1], &[f32::NAN]).unwrap_err().to_string().contains("values[0]"));
}
