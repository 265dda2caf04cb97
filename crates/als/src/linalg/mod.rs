//! Small dense linear algebra in f64: Cholesky solves and nonnegative least squares for the
//! rank × rank normal equations of one row.

pub mod cholesky;
pub mod nnls;

pub use cholesky::cholesky_solve;
pub use nnls::nnls_solve;
