//! `als_top_k` (exact top-k items for many users, seen items excluded) and `als_similar_items`
//! (cosine neighbours of items). Results go to JS-allocated `rows × k` buffers of item indices
//! (u32, `u32::MAX` for an empty slot) and scores (f32, −∞ for an empty slot).

use als::{Pattern, TopK};

use crate::mem::{slice, slice_mut};
use crate::status::{run, Failure};

/// Copies a result into `rows × k` output buffers.
///
/// # Safety
/// The buffers have room for `top.rows · top.k` elements.
pub unsafe fn write_top(top: &TopK, out_items: *mut u32, out_scores: *mut f32) {
    slice_mut(out_items, top.items.len()).copy_from_slice(&top.items);
    slice_mut(out_scores, top.scores.len()).copy_from_slice(&top.scores);
}

/// Top-k for the users listed in `users` (`n_list` of them), or every row of the user factors
/// when `has_list` is 0. With `has_exclude`, the pairs (excl_users[n], excl_items[n]) are left out.
///
/// # Safety
/// Every pointer holds the number of elements its length argument says (factors: rows × rank);
/// outputs have room for `rows · k`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn als_top_k(
    rank: usize,
    user_factors: *const f32,
    n_user_rows: usize,
    item_factors: *const f32,
    n_items: usize,
    has_list: u32,
    users: *const u32,
    n_list: usize,
    k: usize,
    has_exclude: u32,
    excl_users: *const u32,
    excl_items: *const u32,
    excl_nnz: usize,
    out_items: *mut u32,
    out_scores: *mut f32,
) -> i32 {
    run(|| {
        let exclude = if has_exclude != 0 {
            Some(Pattern::from_coo(n_user_rows, n_items, slice(excl_users, excl_nnz), slice(excl_items, excl_nnz))?)
        } else {
            None
        };
        let list = (has_list != 0).then(|| slice(users, n_list));
        let top =
            als::top_k(slice(user_factors, n_user_rows * rank), slice(item_factors, n_items * rank), rank, list, k, exclude.as_ref(), 1, &|_, _| {})?;
        write_top(&top, out_items, out_scores);
        Ok::<(), Failure>(())
    })
}

/// The `k` most cosine-similar items to each of the `n` query items (the query excluded).
///
/// # Safety
/// `item_factors` holds `n_items · rank` f32s, `items` `n` u32s; outputs room for `n · k`.
#[no_mangle]
pub unsafe extern "C" fn als_similar_items(
    rank: usize,
    item_factors: *const f32,
    n_items: usize,
    items: *const u32,
    n: usize,
    k: usize,
    out_items: *mut u32,
    out_scores: *mut f32,
) -> i32 {
    run(|| {
        let top = als::similar_items(slice(item_factors, n_items * rank), rank, slice(items, n), k, 1)?;
        write_top(&top, out_items, out_scores);
        Ok(())
    })
}
