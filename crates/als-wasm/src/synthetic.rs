//! `als_generate_synthetic`: synthetic interactions from a flat spec; the module allocates the
//! four result arrays and writes their pointers and the count to `out` (JS copies them out,
//! then frees each with `als_free(ptr, count · 4)`).

use als::synthetic::{generate, SyntheticSpec};

use crate::mem::{leak_copy, slice, slice_mut};
use crate::status::run;

/// spec: nUsers, nItems, nInteractions, latentRank, popularityExponent, explicit (0/1), seed.
pub const SPEC: usize = 7;

/// # Safety
/// `spec` points to `SPEC` f64s; `out` has room for 5 usizes: users, items, values and
/// timestamps pointers, then the number of interactions.
#[no_mangle]
pub unsafe extern "C" fn als_generate_synthetic(spec: *const f64, out: *mut usize) -> i32 {
    run(|| {
        let s = slice(spec, SPEC);
        let spec = SyntheticSpec {
            n_users: s[0] as usize,
            n_items: s[1] as usize,
            n_interactions: s[2] as usize,
            latent_rank: s[3] as usize,
            popularity_exponent: s[4],
            explicit: s[5] != 0.0,
            seed: s[6] as u64,
        };
        let d = generate(&spec, 1)?;
        let out = slice_mut(out, 5);
        out[0] = leak_copy(&d.users) as usize;
        out[1] = leak_copy(&d.items) as usize;
        out[2] = leak_copy(&d.values) as usize;
        out[3] = leak_copy(&d.timestamps) as usize;
        out[4] = d.users.len();
        Ok(())
    })
}
