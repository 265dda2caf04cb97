//! Small dense linear algebra in f64: Cholesky solves and nonnegative least squares for the
//! rank × rank normal equations of one row, and the inverse of a large SPD matrix (EASE).

pub mod cholesky;
pub mod nnls;
#[cfg(test)]
pub mod reference;
pub mod spd_inverse;

pub use cholesky::cholesky_solve;
pub use nnls::nnls_solve;
pub use spd_inverse::spd_inverse;
