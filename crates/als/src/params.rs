//! Training parameters, named like Spark MLlib's `ALS` (rank, maxIter, regParam, alpha, implicitPrefs,
//! nonnegative, seed) plus the solver options that Spark does not expose.

use crate::error::{invalid_arg, Result};

/// How each user's (or item's) least-squares problem is solved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Solver {
    /// Exact solve of the normal equations (Cholesky; active-set NNLS when `nonnegative`).
    Cholesky,
    /// Conjugate gradient, warm-started from the current factors (implicit feedback only;
    /// Takács et al. 2011, as in the `implicit` library).
    ConjugateGradient { steps: u32 },
    /// Block (subspace) coordinate descent, one sweep per half-step, warm-started: each block of
    /// `size` coordinates solved exactly with the others fixed (iALS++; Rendle et al. 2021).
    /// `size` = rank is the exact solve; small blocks cost O(nnz·rank·size) per sweep.
    Block { size: u32 },
}

/// How `reg_param` is scaled per row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RegScaling {
    /// λ·n, n the row's number of ratings (explicit) or positive interactions (implicit): Spark's ALS-WR.
    Spark,
    /// λ alone, the same for every row: the `implicit` library's convention.
    Plain,
    /// λ·(n + α0·N)^ν, N the number of columns of the other side (iALS as in Rendle, Krichene,
    /// Zhang, Koren 2022: ν = 1 with α0 = 0 is Spark's, ν = 0 is plain). Explicit: λ·n^ν.
    Frequency { exponent: f32 },
}

/// How an observed value r becomes a confidence c (implicit feedback). The preference is 1 when r > 0, else 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Confidence {
    /// c = 1 + α·|r| (Hu, Koren, Volinsky 2008; Spark).
    OnePlusAlpha,
    /// c = α·|r| (the `implicit` library: its input matrix holds confidences).
    Linear,
    /// c = 1 + α·ln(1 + |r|/ε) (Hu, Koren, Volinsky's log scaling).
    Log { epsilon: f32 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlsParams {
    pub rank: usize,
    pub max_iter: usize,
    pub reg_param: f32,
    pub implicit_prefs: bool,
    pub alpha: f32,
    pub nonnegative: bool,
    pub seed: u64,
    pub solver: Solver,
    pub reg_scaling: RegScaling,
    pub confidence: Confidence,
    /// α0: the weight of every unobserved (user, item) pair in implicit ALS (Hu et al.: 1; iALS
    /// uses small values). Observed pairs keep their confidence c.
    pub unobserved_weight: f32,
    /// Worker threads; 0 means all available cores. Results do not depend on it.
    pub threads: usize,
    /// Compute the training loss after every iteration (costs about one extra half-step).
    pub compute_loss: bool,
}

impl Default for AlsParams {
    /// Spark's defaults: rank 10, maxIter 10, regParam 0.1, alpha 1, explicit, Cholesky.
    fn default() -> Self {
        AlsParams {
            rank: 10,
            max_iter: 10,
            reg_param: 0.1,
            implicit_prefs: false,
            alpha: 1.0,
            nonnegative: false,
            seed: 0,
            solver: Solver::Cholesky,
            reg_scaling: RegScaling::Spark,
            confidence: Confidence::OnePlusAlpha,
            unobserved_weight: 1.0,
            threads: 0,
            compute_loss: true,
        }
    }
}

impl AlsParams {
    pub fn validate(&self) -> Result<()> {
        if self.rank == 0 || self.rank > 1024 {
            return Err(invalid_arg(format!("rank must be in 1..=1024, got {}", self.rank)));
        }
        if !(self.reg_param.is_finite() && self.reg_param >= 0.0) {
            return Err(invalid_arg(format!("regParam must be a finite number >= 0, got {}", self.reg_param)));
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(invalid_arg(format!("alpha must be a finite number >= 0, got {}", self.alpha)));
        }
        if let Solver::ConjugateGradient { steps } = self.solver {
            if !self.implicit_prefs {
                return Err(invalid_arg("the conjugate-gradient solver is for implicit feedback; use Cholesky for explicit ratings"));
            }
            if self.nonnegative {
                return Err(invalid_arg("nonnegative factors need the Cholesky (NNLS) solver, not conjugate gradient"));
            }
            if steps == 0 || steps > 1000 {
                return Err(invalid_arg(format!("cgSteps must be in 1..=1000, got {steps}")));
            }
        }
        if let Solver::Block { size } = self.solver {
            if !self.implicit_prefs {
                return Err(invalid_arg("the block solver is for implicit feedback; use Cholesky for explicit ratings"));
            }
            if self.nonnegative {
                return Err(invalid_arg("nonnegative factors need the Cholesky (NNLS) solver, not the block solver"));
            }
            if size == 0 || size > 1024 {
                return Err(invalid_arg(format!("blockSize must be in 1..=1024, got {size}")));
            }
        }
        if !(self.unobserved_weight.is_finite() && self.unobserved_weight > 0.0 && self.unobserved_weight <= 1e6) {
            return Err(invalid_arg(format!("unobservedWeight (alpha0) must be a finite number in (0, 1e6], got {}", self.unobserved_weight)));
        }
        if let RegScaling::Frequency { exponent } = self.reg_scaling {
            if !(exponent.is_finite() && (0.0..=4.0).contains(&exponent)) {
                return Err(invalid_arg(format!("the regularisation exponent (nu) must be in 0..=4, got {exponent}")));
            }
        }
        if let Confidence::Log { epsilon } = self.confidence {
            if !(epsilon.is_finite() && epsilon > 0.0) {
                return Err(invalid_arg(format!("the log-confidence epsilon must be > 0, got {epsilon}")));
            }
        }
        if self.threads > 1024 {
            return Err(invalid_arg(format!("threads must be in 0..=1024, got {}", self.threads)));
        }
        Ok(())
    }

    /// Confidence and preference of an observed value (implicit feedback).
    #[inline]
    pub fn confidence_of(&self, r: f32) -> (f32, f32) {
        let a = r.abs();
        let c = match self.confidence {
            Confidence::OnePlusAlpha => 1.0 + self.alpha * a,
            Confidence::Linear => self.alpha * a,
            Confidence::Log { epsilon } => 1.0 + self.alpha * (1.0 + a / epsilon).ln(),
        };
        (c, if r > 0.0 { 1.0 } else { 0.0 })
    }
}

/// Number of worker threads to use for a requested count (0 = all cores).
pub fn resolve_threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    }
}
