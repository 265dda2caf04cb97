//! `als_shard_*`: one worker's share of a multi-threaded fit. wasm32 has no threads of its own,
//! so JS runs one instance per worker thread (each with its own linear memory), gives each the
//! whole COO data, its range of user rows and of item rows, and then, every half-step, the full
//! factors of the fixed side; each shard re-solves its rows against them and JS gathers the rows.
//! A row's solution does not depend on how the rows are split (the Gram matrix is computed whole,
//! in every shard), so the factors are those of a one-thread fit, bit for bit.

use als::gram::gram;
use als::init::{init_factors, ITEM_STREAM, USER_STREAM};
use als::loss::loss;
use als::solvers::half_step;
use als::{AlsError, AlsParams, Csr, Interactions, Kernel};

use crate::fit::input;
use crate::mem::slice_mut;
use crate::status::{bad_value, run, Failure};

/// Side codes: the rows a step re-solves.
const USERS: u32 = 0;
const ITEMS: u32 = 1;

struct Shard {
    params: AlsParams,
    /// This shard's rows [lo, hi) of the matrix by user and by item, each as a CSR of its own.
    users: (usize, Csr<'static>),
    items: (usize, Csr<'static>),
    user_factors: Vec<f32>,
    item_factors: Vec<f32>,
    /// The whole data, kept by the one shard that computes the loss.
    data: Option<Interactions<'static>>,
}

/// Rows [lo, hi) of `csr` as a CSR of their own (column indices unchanged).
fn rows(csr: &Csr<'_>, lo: usize, hi: usize) -> Result<Csr<'static>, Failure> {
    if lo > hi || hi > csr.n_rows {
        return bad_value(format!("shard rows {lo}..{hi} are outside 0..{}", csr.n_rows));
    }
    let (start, end) = (csr.indptr[lo], csr.indptr[hi]);
    Ok(Csr {
        n_rows: hi - lo,
        n_cols: csr.n_cols,
        indptr: csr.indptr[lo..=hi].iter().map(|p| p - start).collect(),
        indices: csr.indices[start..end].to_vec().into(),
        data: csr.data[start..end].to_vec().into(),
    })
}

/// # Safety
/// `users`, `items`, `values` hold `nnz` elements; `params` `params::PARAMS` f64s; `out` one usize.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the C ABI: flat arguments, as in als_fit (deliberate repeat)
pub unsafe extern "C" fn als_shard_new(
    n_users: usize,
    n_items: usize,
    nnz: usize,
    users: *const u32,
    items: *const u32,
    values: *const f32,
    params: *const f64,
    user_lo: usize,
    user_hi: usize,
    item_lo: usize,
    item_hi: usize,
    keep_data: u32,
    out: *mut usize,
) -> i32 {
    run(|| {
        let (p, data) = input(n_users, n_items, nnz, users, items, values, params)?;
        if data.by_user.nnz() == 0 {
            return Err(AlsError::InvalidData("there are no interactions to train on".into()).into());
        }
        let k = p.rank;
        let shard = Shard {
            users: (user_lo, rows(&data.by_user, user_lo, user_hi)?),
            items: (item_lo, rows(&data.by_item, item_lo, item_hi)?),
            user_factors: init_factors(n_users, k, p.seed, USER_STREAM, p.nonnegative),
            item_factors: init_factors(n_items, k, p.seed, ITEM_STREAM, p.nonnegative),
            // Kept across calls, after JS frees the input arrays: owned, not borrowed.
            data: (keep_data != 0).then(|| data.into_owned()),
            params: p,
        };
        slice_mut(out, 1)[0] = Box::into_raw(Box::new(shard)) as usize;
        Ok(())
    })
}

/// The shard's full factors of one side (n × rank f32s), for JS to read its rows or write the others.
///
/// # Safety
/// `handle` came from `als_shard_new` and was not freed.
#[no_mangle]
pub unsafe extern "C" fn als_shard_factors(handle: usize, side: u32) -> *mut f32 {
    let s = &mut *(handle as *mut Shard);
    if side == USERS {
        s.user_factors.as_mut_ptr()
    } else {
        s.item_factors.as_mut_ptr()
    }
}

/// Re-solves this shard's rows of `side` against the other side's factors (as JS left them).
///
/// # Safety
/// `handle` came from `als_shard_new` and was not freed.
#[no_mangle]
pub unsafe extern "C" fn als_shard_step(handle: usize, side: u32) -> i32 {
    let s = &mut *(handle as *mut Shard);
    run(|| {
        let (p, k, kernel) = (&s.params, s.params.rank, Kernel::active());
        let ((lo, csr), fixed, dst, name) = match side {
            USERS => (&s.users, &s.item_factors, &mut s.user_factors, "user"),
            ITEMS => (&s.items, &s.user_factors, &mut s.item_factors, "item"),
            _ => return bad_value(format!("unknown side {side}")),
        };
        let g = p.implicit_prefs.then(|| gram(fixed, k, 1));
        let rows = &mut dst[lo * k..(lo + csr.n_rows) * k];
        half_step(csr, fixed, rows, p, g.as_deref(), kernel, 1).map_err(|e| match e {
            AlsError::Numerical(m) => AlsError::Numerical(format!("{name} {m}")),
            other => other,
        })?;
        Ok(())
    })
}

/// The training loss of the factors as JS left them (the shard created with `keep_data` only).
///
/// # Safety
/// `handle` came from `als_shard_new` and was not freed; `out` has room for one f64.
#[no_mangle]
pub unsafe extern "C" fn als_shard_loss(handle: usize, out: *mut f64) -> i32 {
    let s = &*(handle as *const Shard);
    run(|| {
        let Some(data) = &s.data else { return bad_value("this shard does not hold the data for the loss") };
        let k = s.params.rank;
        let g = s.params.implicit_prefs.then(|| gram(&s.item_factors, k, 1));
        slice_mut(out, 1)[0] = loss(data, &s.user_factors, &s.item_factors, &s.params, g.as_deref(), Kernel::active(), 1);
        Ok(())
    })
}

/// # Safety
/// `handle` came from `als_shard_new` and is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn als_shard_free(handle: usize) {
    drop(Box::from_raw(handle as *mut Shard));
}
