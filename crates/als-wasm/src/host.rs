//! What the module imports from JS (module "env"): a monotonic clock and the per-iteration
//! callback of `fit`. Host (non-wasm) builds, used only by the unit tests, stub both.

use als::{Control, IterationReport};

#[cfg(target_family = "wasm")]
mod imports {
    #[link(wasm_import_module = "env")]
    extern "C" {
        /// Seconds from a monotonic clock (`performance.now() / 1000`).
        pub fn now_seconds() -> f64;
        /// Called after every training iteration; returns 0 to stop training, 1 to go on.
        pub fn on_iteration(iteration: u32, has_loss: u32, loss: f64, seconds: f64, elapsed: f64) -> i32;
    }
}

pub fn now_seconds() -> f64 {
    #[cfg(target_family = "wasm")]
    // Safety: a plain import with no arguments.
    return unsafe { imports::now_seconds() };
    #[cfg(not(target_family = "wasm"))]
    return 0.0;
}

/// Hands an iteration report to JS and returns what it wants next.
pub fn on_iteration(r: &IterationReport) -> Control {
    #[cfg(target_family = "wasm")]
    {
        let (has_loss, loss) = r.loss.map_or((0, 0.0), |l| (1, l));
        // Safety: a plain import taking numbers.
        let go_on = unsafe { imports::on_iteration(r.iteration as u32, has_loss, loss, r.seconds, r.elapsed) };
        if go_on != 0 {
            Control::Continue
        } else {
            Control::Stop
        }
    }
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = r;
        Control::Continue
    }
}
