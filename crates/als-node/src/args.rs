//! Domain arguments shared by several functions: interaction triplets, factor matrices, index
//! lists. Readers type-check and length-check on the JS thread; interactions are read in place
//! (their arrays pinned until the job settles, so GC cannot free them under a worker), the
//! smaller arguments copied into Rust Vecs; the O(n) value checks (index ranges, finiteness) are
//! separate `validate` steps so async functions can run them on the worker thread. Messages
//! name the argument and position.

use crate::async_work::Pins;
use crate::env::{js_number, Env};
use crate::error::{value_err, JsResult};
use crate::sys::napi_value;

/// Interactions read in place from the caller's typed arrays (no copy: at 25M interactions a
/// copy is 300 MB). Valid while the [`Pins`] filled by [`borrow_interactions`] hold the arrays,
/// i.e. until the job that owns those pins settles; the caller must not transfer or resize the
/// arrays' buffers meanwhile (the engine's documentation says so).
pub struct BorrowedCoo {
    what: String,
    pub n_users: usize,
    pub n_items: usize,
    users: RawSlice<u32>,
    items: RawSlice<u32>,
    values: RawSlice<f32>,
}

struct RawSlice<T> {
    ptr: *const T,
    len: usize,
}

// Safety: the memory is a pinned typed array's, read-only for the job's lifetime.
unsafe impl<T> Send for RawSlice<T> {}

impl<T> RawSlice<T> {
    fn of(s: &[T]) -> Self {
        RawSlice { ptr: s.as_ptr(), len: s.len() }
    }

    fn get(&self) -> &[T] {
        if self.len == 0 {
            return &[];
        }
        // Safety: pinned and unchanged while the owning job runs (see BorrowedCoo).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl BorrowedCoo {
    pub fn users(&self) -> &[u32] {
        self.users.get()
    }
    pub fn items(&self) -> &[u32] {
        self.items.get()
    }
    pub fn values(&self) -> &[f32] {
        self.values.get()
    }

    /// Index ranges and finite values.
    pub fn validate(&self) -> JsResult<()> {
        validate_coo(&self.what, self.n_users, self.n_items, self.users(), self.items(), self.values())
    }
}

/// `{ nUsers, nItems, users: Uint32Array, items: Uint32Array, values?: Float32Array }` read in
/// place; the arrays are added to `pins`. `values` may be absent unless `values_required`.
pub fn borrow_interactions(env: &Env, v: napi_value, what: &str, values_required: bool, pins: &mut Pins) -> JsResult<BorrowedCoo> {
    let obj = env.object(v, what)?;
    let n_users = env.usize(env.get(obj, c"nUsers")?, &format!("{what}.nUsers"), 0, MAX_DIM)?;
    let n_items = env.usize(env.get(obj, c"nItems")?, &format!("{what}.nItems"), 0, MAX_DIM)?;
    let (u_name, i_name, v_name) = (format!("{what}.users"), format!("{what}.items"), format!("{what}.values"));
    let (uv, iv, vv) = (env.get(obj, c"users")?, env.get(obj, c"items")?, env.get(obj, c"values")?);
    let users = RawSlice::of(env.typed::<u32>(uv, &u_name)?);
    let items = RawSlice::of(env.typed::<u32>(iv, &i_name)?);
    let values = if values_required || !env.is_nullish(vv)? {
        let values = RawSlice::of(env.typed::<f32>(vv, &v_name)?);
        check_same_len(&[&u_name, &i_name, &v_name], &[users.len, items.len, values.len])?;
        pins.pin(env, vv)?;
        values
    } else {
        check_same_len(&[&u_name, &i_name], &[users.len, items.len])?;
        RawSlice::of(&[])
    };
    pins.pin(env, uv)?;
    pins.pin(env, iv)?;
    Ok(BorrowedCoo { what: what.to_string(), n_users, n_items, users, items, values })
}

/// Index ranges and finite values of COO triplets, named after `what`.
fn validate_coo(w: &str, n_users: usize, n_items: usize, users: &[u32], items: &[u32], values: &[f32]) -> JsResult<()> {
    check_indices(users, n_users, &format!("{w}.users"), &format!("{w}.nUsers"))?;
    check_indices(items, n_items, &format!("{w}.items"), &format!("{w}.nItems"))?;
    check_finite(values, &format!("{w}.values"))
}

/// Factor matrices (row-major, `rank` columns).
pub struct Factors {
    what: String,
    pub rank: usize,
    pub user_factors: Vec<f32>,
    pub item_factors: Vec<f32>,
}

const MAX_DIM: usize = u32::MAX as usize;

/// Every index is below `bound`: "{what}[i] = x is out of range ({bound_name} = bound)".
pub fn check_indices(indices: &[u32], bound: usize, what: &str, bound_name: &str) -> JsResult<()> {
    if let Some(i) = indices.iter().position(|&x| x as usize >= bound) {
        return value_err(format!("{what}[{i}] = {} is out of range ({bound_name} = {bound})", indices[i]));
    }
    Ok(())
}

/// Every value is finite: "{what}[i] is NaN".
pub fn check_finite(values: &[f32], what: &str) -> JsResult<()> {
    if let Some(i) = values.iter().position(|x| !x.is_finite()) {
        return value_err(format!("{what}[{i}] is {}; values must be finite numbers", js_number(values[i] as f64)));
    }
    Ok(())
}

/// Checks that parallel arrays have equal lengths.
pub fn check_same_len(names: &[&str], lens: &[usize]) -> JsResult<()> {
    if lens.windows(2).any(|w| w[0] != w[1]) {
        let got: Vec<String> = names.iter().zip(lens).map(|(n, l)| format!("{n} {l}")).collect();
        return value_err(format!("{} must have the same length (got {})", names.join(", "), got.join(", ")));
    }
    Ok(())
}

/// `{ rank, userFactors?: Float32Array, itemFactors: Float32Array }` (a fitted model will do).
pub fn read_factors(env: &Env, v: napi_value, what: &str, with_users: bool) -> JsResult<Factors> {
    let obj = env.object(v, what)?;
    let rank = env.usize(env.get(obj, c"rank")?, &format!("{what}.rank"), 1, 1024)?;
    let read = |name: &std::ffi::CStr| -> JsResult<Vec<f32>> {
        let label = format!("{what}.{}", name.to_string_lossy());
        let data = env.typed::<f32>(env.get(obj, name)?, &label)?;
        if data.len() % rank != 0 {
            return value_err(format!("{label} has length {}, not a multiple of rank {rank}", data.len()));
        }
        Ok(data.to_vec())
    };
    let item_factors = read(c"itemFactors")?;
    let user_factors = if with_users { read(c"userFactors")? } else { Vec::new() };
    Ok(Factors { what: what.to_string(), rank, user_factors, item_factors })
}

impl Factors {
    pub fn n_users(&self) -> usize {
        self.user_factors.len() / self.rank
    }

    pub fn n_items(&self) -> usize {
        self.item_factors.len() / self.rank
    }

    /// Finite factors.
    pub fn validate(&self) -> JsResult<()> {
        check_finite(&self.user_factors, &format!("{}.userFactors", self.what))?;
        check_finite(&self.item_factors, &format!("{}.itemFactors", self.what))
    }
}

/// An optional `threads` count (0 = all cores).
pub fn read_threads(env: &Env, v: Option<napi_value>, what: &str) -> JsResult<usize> {
    match v {
        Some(v) => env.usize(v, what, 0, 1024),
        None => Ok(0),
    }
}
