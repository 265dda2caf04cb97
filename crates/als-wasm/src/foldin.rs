//! Fold-in handles: `als_fold_in_new` builds a core `FoldIn` (item factors copied in, Gram and
//! packed items precomputed) and writes an opaque handle; `als_fold_in_user_vector` and
//! `als_fold_in_recommend` use it; `als_fold_in_free` drops it.

use als::FoldIn;

use crate::mem::{slice, slice_mut};
use crate::params;
use crate::status::run;
use crate::topk::write_top;

/// # Safety
/// `item_factors` holds `n_items · rank` f32s, `params` `params::PARAMS` f64s, `out_handle` one usize.
#[no_mangle]
pub unsafe extern "C" fn als_fold_in_new(rank: usize, item_factors: *const f32, n_items: usize, params: *const f64, out_handle: *mut usize) -> i32 {
    run(|| {
        let p = params::read(params)?;
        let fold = FoldIn::new(slice(item_factors, n_items * rank).to_vec(), rank, &p)?;
        *out_handle = Box::into_raw(Box::new(fold)) as usize;
        Ok(())
    })
}

/// # Safety
/// `handle` came from `als_fold_in_new` and is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn als_fold_in_free(handle: usize) {
    if handle != 0 {
        drop(Box::from_raw(handle as *mut FoldIn));
    }
}

/// The user vector (rank f32s into `out_vector`) for `n` (item, value) interactions.
///
/// # Safety
/// `handle` is live; `items`/`values` hold `n` elements; `out_vector` room for rank f32s.
#[no_mangle]
pub unsafe extern "C" fn als_fold_in_user_vector(handle: usize, items: *const u32, values: *const f32, n: usize, out_vector: *mut f32) -> i32 {
    run(|| {
        let fold = &*(handle as *const FoldIn);
        let v = fold.user_vector(slice(items, n), slice(values, n))?;
        slice_mut(out_vector, v.len()).copy_from_slice(&v);
        Ok(())
    })
}

/// The user vector and its top-k (the given items excluded).
///
/// # Safety
/// As for `als_fold_in_user_vector`; `out_items`/`out_scores` room for `k` elements.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn als_fold_in_recommend(
    handle: usize,
    items: *const u32,
    values: *const f32,
    n: usize,
    k: usize,
    out_vector: *mut f32,
    out_items: *mut u32,
    out_scores: *mut f32,
) -> i32 {
    run(|| {
        let fold = &*(handle as *const FoldIn);
        let (v, top) = fold.recommend(slice(items, n), slice(values, n), k)?;
        slice_mut(out_vector, v.len()).copy_from_slice(&v);
        write_top(&top, out_items, out_scores);
        Ok(())
    })
}
