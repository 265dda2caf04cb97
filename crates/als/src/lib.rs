//! `als`: alternating least squares for collaborative filtering, as pure math.
//!
//! No I/O, no FFI, no threads beyond `std::thread::scope`, no dependencies. The bindings
//! (`als-node`, `als-wasm`) are thin layers over the functions re-exported here.
//!
//! - [`Interactions`]: the sparse rating matrix, by user and by item.
//! - [`fit`]: explicit ALS with Spark MLlib's semantics, or implicit ALS (Hu, Koren, Volinsky).
//! - [`top_k`]: exact top-k for many users at once, seen items excluded.
//! - [`FoldIn`]: a user vector from a handful of interactions against fixed item factors.
//! - [`similar_items`]: nearest items by cosine.
//! - [`ease_weights`]: EASE's item-item weights (closed form, Cholesky inverse).
//! - [`synthetic`]: generators of realistic synthetic interaction data.

#![deny(clippy::undocumented_unsafe_blocks)]

pub mod clock;
pub mod csr;
pub mod ease;
pub mod error;
pub mod fit;
pub mod foldin;
pub mod gram;
pub mod init;
pub mod linalg;
pub mod loss;
pub mod parallel;
pub mod params;
pub mod pattern;
pub mod rng;
pub mod simd;
pub mod similar;
pub mod solvers;
pub mod synthetic;
pub mod topk;

pub use csr::{Csr, Interactions};
pub use ease::ease_weights;
pub use error::{AlsError, Result};
pub use fit::{fit, fit_observed, Control, IterationReport, Model};
pub use foldin::FoldIn;
pub use params::{AlsParams, Confidence, RegScaling, Solver};
pub use pattern::Pattern;
pub use simd::{kernel_name, Kernel};
pub use similar::{normalize_rows, similar_items};
pub use topk::{top_k, TopK};
