//! `als_ease_weights`: EASE's item-item weights B (n_items × n_items, row-major f32) for the
//! (user, item) pairs given as COO (each pair counts once), into a JS-allocated buffer.

use als::Pattern;

use crate::mem::{slice, slice_mut};
use crate::status::run;

/// # Safety
/// `users` and `items` hold `nnz` u32s each; `out` has room for `n_items²` f32s.
#[no_mangle]
pub unsafe extern "C" fn als_ease_weights(
    n_users: usize,
    n_items: usize,
    nnz: usize,
    users: *const u32,
    items: *const u32,
    lambda: f64,
    out: *mut f32,
) -> i32 {
    run(|| {
        let x = Pattern::from_coo(n_users, n_items, slice(users, nnz), slice(items, nnz))?;
        let b = als::ease_weights(&x, lambda, 1)?;
        slice_mut(out, n_items * n_items).copy_from_slice(&b);
        Ok(())
    })
}
