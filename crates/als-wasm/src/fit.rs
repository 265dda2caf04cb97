//! `als_fit`: trains ALS on COO triplets in linear memory and writes the factors to buffers JS
//! allocated (n_users × rank and n_items × rank f32). After every iteration the report goes to
//! the imported `env.on_iteration`, whose answer can stop training.

use als::{AlsParams, Interactions};

use crate::host::on_iteration;
use crate::mem::{slice, slice_mut};
use crate::params;
use crate::status::{run, Failure};

/// The parameters and the interactions of a fit, as `als_fit` and `als_shard_new` take them (their C-ABI parameter lists repeat on purpose: flat pointers and sizes, one per array).
///
/// # Safety
/// As for [`als_fit`]; the interactions may borrow the input arrays for `'a`, which the caller chooses.
pub unsafe fn input<'a>(
    n_users: usize,
    n_items: usize,
    nnz: usize,
    users: *const u32,
    items: *const u32,
    values: *const f32,
    params: *const f64,
) -> Result<(AlsParams, Interactions<'a>), Failure> {
    let p = params::read(params)?;
    let data = Interactions::from_coo(n_users, n_items, slice(users, nnz), slice(items, nnz), slice(values, nnz))?;
    Ok((p, data))
}

/// # Safety
/// `users`, `items`, `values` hold `nnz` elements; `params` `params::PARAMS` f64s; `out_users`
/// and `out_items` room for `n_users · rank` and `n_items · rank` f32s.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the C ABI: flat arguments, as in als_shard_new (deliberate repeat)
pub unsafe extern "C" fn als_fit(
    n_users: usize,
    n_items: usize,
    nnz: usize,
    users: *const u32,
    items: *const u32,
    values: *const f32,
    params: *const f64,
    out_users: *mut f32,
    out_items: *mut f32,
) -> i32 {
    run(|| {
        let (p, data) = input(n_users, n_items, nnz, users, items, values, params)?;
        let model = als::fit(&data, &p, &mut |r| on_iteration(r))?;
        slice_mut(out_users, model.user_factors.len()).copy_from_slice(&model.user_factors);
        slice_mut(out_items, model.item_factors.len()).copy_from_slice(&model.item_factors);
        Ok(())
    })
}
