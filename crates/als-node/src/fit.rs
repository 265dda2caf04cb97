//! `fit(data, params?, onIteration?, withFactors?) → Promise<Model>`: trains ALS on a worker thread.
//! `onIteration({iteration, loss, seconds, elapsed})` runs on the JS thread after every
//! iteration while the worker waits; returning `false` stops training after that iteration.
//! With `withFactors` true the report also holds copies of the current `userFactors` and
//! `itemFactors` (Float32Arrays), for held-out metrics per iteration.
//! Training also stops after the current iteration when its JS environment goes away.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;

use als::{Control, Interactions, IterationReport, Model};

use crate::args::borrow_interactions;
use crate::async_work::{queue_promise_pinned, Pins, Settle};
use crate::env::Env;
use crate::error::{JsError, JsResult};
use crate::params::read_params;
use crate::progress::Progress;
use crate::shutdown::closing;
use crate::sys::{napi_callback_info, napi_value};

crate::js_callback!(js_fit, "fit", fit);

fn fit(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([data, params, callback, with_factors], _) = env.args::<4>(info)?;
    // The data are read in place (no copy) and pinned until the promise settles; an error
    // before the job is queued releases them.
    let mut pins = Pins::new();
    let prepared = (|| -> JsResult<_> {
        let with_factors = !env.is_nullish(with_factors)? && env.boolean(with_factors, "withFactors")?;
        let coo = borrow_interactions(env, data, "data", true, &mut pins)?;
        let params = read_params(env, params, "params")?;
        let progress =
            if env.is_nullish(callback)? { None } else { Some(Progress::new(env, env.function(callback, "onIteration")?, "als.fit.onIteration")?) };
        Ok((coo, params, progress, with_factors, closing(env)?))
    })();
    let (coo, params, progress, with_factors, closing) = match prepared {
        Ok(p) => p,
        Err(e) => {
            pins.release(env);
            return Err(e);
        }
    };
    let sender = progress.as_ref().map(Progress::sender);
    let work = move || -> JsResult<Settle> {
        coo.validate()?;
        let model = catch_unwind(AssertUnwindSafe(|| {
            // By user: the caller's arrays themselves when sorted by user; by item: built from it.
            let data = Interactions::from_coo(coo.n_users, coo.n_items, coo.users(), coo.items(), coo.values())?;
            let mut on_iteration = |report: &IterationReport, users: &[f32], items: &[f32]| -> Control {
                if closing.load(Ordering::SeqCst) {
                    return Control::Stop;
                }
                let Some(sender) = &sender else { return Control::Continue };
                let r = copy_report(report);
                let factors = with_factors.then(|| (users.to_vec(), items.to_vec()));
                if sender.send_and_wait(Box::new(move |env: &Env| Ok(vec![report_with_factors(env, &r, factors)?]))) {
                    Control::Continue
                } else {
                    Control::Stop
                }
            };
            als::fit_observed(&data, &params, &mut on_iteration)
        }))
        .map_err(JsError::from_panic)??;
        Ok(Box::new(move |env: &Env| model_value(env, model)))
    };
    queue_promise_pinned(env, "fit", progress, pins, Box::new(work))
}

fn copy_report(r: &IterationReport) -> IterationReport {
    IterationReport { iteration: r.iteration, loss: r.loss, seconds: r.seconds, elapsed: r.elapsed }
}

/// `{ iteration, loss: number | null, seconds, elapsed }`
fn report_value(env: &Env, r: &IterationReport) -> JsResult<napi_value> {
    report_with_factors(env, r, None)
}

/// The report, plus `userFactors` and `itemFactors` when copies were taken.
fn report_with_factors(env: &Env, r: &IterationReport, factors: Option<(Vec<f32>, Vec<f32>)>) -> JsResult<napi_value> {
    let loss = match r.loss {
        Some(l) => env.f64_value(l)?,
        None => env.null()?,
    };
    let mut props = vec![
        (c"iteration", env.f64_value(r.iteration as f64)?),
        (c"loss", loss),
        (c"seconds", env.f64_value(r.seconds)?),
        (c"elapsed", env.f64_value(r.elapsed)?),
    ];
    if let Some((users, items)) = factors {
        props.push((c"userFactors", env.typed_from_vec(users)?));
        props.push((c"itemFactors", env.typed_from_vec(items)?));
    }
    env.object_with(&props)
}

/// `{ rank, nUsers, nItems, userFactors, itemFactors, iterations, kernel }`
fn model_value(env: &Env, model: Model) -> JsResult<napi_value> {
    let iterations: Vec<napi_value> = model.iterations.iter().map(|r| report_value(env, r)).collect::<JsResult<_>>()?;
    env.object_with(&[
        (c"rank", env.f64_value(model.rank as f64)?),
        (c"nUsers", env.f64_value(model.n_users as f64)?),
        (c"nItems", env.f64_value(model.n_items as f64)?),
        (c"userFactors", env.typed_from_vec(model.user_factors)?),
        (c"itemFactors", env.typed_from_vec(model.item_factors)?),
        (c"iterations", env.array_of(&iterations)?),
        (c"kernel", env.string_value(als::kernel_name(model.kernel))?),
    ])
}
