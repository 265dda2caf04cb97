//! Host-side tests of the ABI (the same code the wasm module runs, minus the JS imports):
//! buffers, status codes and messages, fit, top-k, fold-in handles, synthetic out-pointers.

use crate::fit::als_fit;
use crate::foldin::{als_fold_in_free, als_fold_in_new, als_fold_in_recommend};
use crate::mem::{als_alloc, als_free};
use crate::params::{als_validate_params, PARAMS};
use crate::status::{als_error_code, als_error_len, als_error_ptr, INVALID_ARGUMENT, INVALID_DATA, OK};
use crate::synthetic::als_generate_synthetic;
use crate::topk::als_top_k;

fn message() -> String {
    // SAFETY: the module's message buffer holds `als_error_len()` bytes until the next call.
    let bytes = unsafe { std::slice::from_raw_parts(als_error_ptr(), als_error_len()) };
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Spark defaults with the given rank and iterations.
fn params(rank: f64, max_iter: f64) -> [f64; PARAMS] {
    [rank, max_iter, 0.1, 0.0, 1.0, 0.0, 7.0, 0.0, 3.0, 32.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0]
}

#[test]
fn buffers_are_aligned_and_freed() {
    for size in [0, 1, 7, 4096] {
        let p = als_alloc(size);
        assert!(!p.is_null() && p as usize % 8 == 0);
        // SAFETY: `p` came from `als_alloc(size)` with the same size and is freed once.
        unsafe { als_free(p, size) };
    }
}

#[test]
fn reports_codes_and_messages() {
    let mut bad = params(2.0, 1.0);
    bad[7] = 1.0; // cg on explicit data
                  // SAFETY: `bad` holds PARAMS values.
    assert_eq!(unsafe { als_validate_params(bad.as_ptr()) }, INVALID_ARGUMENT);
    assert_eq!(als_error_code(), INVALID_ARGUMENT);
    assert!(message().contains("conjugate-gradient solver is for implicit feedback"), "{}", message());
    let p = params(2.0, 1.0);
    // SAFETY: `p` holds PARAMS values.
    assert_eq!(unsafe { als_validate_params(p.as_ptr()) }, OK);
    assert_eq!((als_error_code(), als_error_len()), (OK, 0));
    let mut out = [0f32; 4];
    // SAFETY: no interactions (n = 0) are read; `p` holds PARAMS values and `out` room for the 2×2 factors of
    // either side.
    let status = unsafe { als_fit(2, 2, 0, [].as_ptr(), [].as_ptr(), [].as_ptr(), p.as_ptr(), out.as_mut_ptr(), out.as_mut_ptr()) };
    assert_eq!(status, INVALID_DATA);
    assert_eq!(message(), "invalid data: there are no interactions to train on");
}

#[test]
fn fits_ranks_and_folds_in() {
    let (users, items, values) = ([0u32, 0, 1, 2, 2], [0u32, 1, 1, 0, 2], [5f32, 3.0, 4.0, 1.0, 2.0]);
    let p = params(2.0, 5.0);
    let (mut uf, mut itf) = ([0f32; 6], [0f32; 6]);
    // SAFETY: every pointer is a live local array or Vec of at least the length passed beside it (3 users ×
    // rank 2, 3 items × rank 2, 5 interactions).
    let s = unsafe { als_fit(3, 3, 5, users.as_ptr(), items.as_ptr(), values.as_ptr(), p.as_ptr(), uf.as_mut_ptr(), itf.as_mut_ptr()) };
    assert_eq!(s, OK, "{}", message());
    assert!(uf.iter().chain(&itf).all(|x| x.is_finite() && *x != 0.0));

    let (mut top_items, mut top_scores) = ([0u32; 6], [0f32; 6]);
    // SAFETY: every pointer is a live local array or Vec of at least the length passed beside it (2 users, 3
    // items, one exclusion, 2 × 3 results).
    let s = unsafe {
        let (eu, ei) = ([0u32], [1u32]);
        als_top_k(
            2,
            uf.as_ptr(),
            3,
            itf.as_ptr(),
            3,
            0,
            std::ptr::null(),
            0,
            2,
            1,
            eu.as_ptr(),
            ei.as_ptr(),
            1,
            top_items.as_mut_ptr(),
            top_scores.as_mut_ptr(),
        )
    };
    assert_eq!(s, OK, "{}", message());
    assert!(!top_items[..2].contains(&1), "user 0's seen item 1 is excluded: {top_items:?}");

    let mut handle = 0usize;
    // SAFETY: `itf` holds 3 items × rank 2, `p` PARAMS values, `handle` is a live out-pointer.
    assert_eq!(unsafe { als_fold_in_new(2, itf.as_ptr(), 3, p.as_ptr(), &mut handle) }, OK);
    let (mut v, mut ri, mut rs) = ([0f32; 2], [0u32; 2], [0f32; 2]);
    // SAFETY: `handle` is the live handle made above; every pointer is a live local array or Vec of at least
    // the length passed beside it.
    let s =
        unsafe { als_fold_in_recommend(handle, [0u32, 1].as_ptr(), [5f32, 3.0].as_ptr(), 2, 2, v.as_mut_ptr(), ri.as_mut_ptr(), rs.as_mut_ptr()) };
    assert_eq!(s, OK, "{}", message());
    for d in 0..2 {
        assert!((v[d] - uf[d]).abs() < 1e-4, "fold-in gives user 0 its trained vector: {v:?} vs {uf:?}");
    }
    assert_eq!(ri, [2, u32::MAX]);
    // SAFETY: `handle` is the live handle made above; every pointer is a live local array or Vec of at least
    // the length passed beside it.
    let s = unsafe { als_fold_in_recommend(handle, [3u32].as_ptr(), [1f32].as_ptr(), 1, 2, v.as_mut_ptr(), ri.as_mut_ptr(), rs.as_mut_ptr()) };
    assert_eq!(s, INVALID_DATA);
    assert!(message().contains("items[0] = 3 is out of range"), "{}", message());
    // SAFETY: `handle` came from `als_fold_in_new` and is freed once.
    unsafe { als_fold_in_free(handle) };
}

#[test]
fn synthetic_data_comes_back_through_out_pointers() {
    let spec = [50.0, 40.0, 600.0, 4.0, 1.0, 1.0, 3.0];
    let mut out = [0usize; 5];
    // SAFETY: `spec` holds the 7 spec values, `out` room for the 5 out-values.
    assert_eq!(unsafe { als_generate_synthetic(spec.as_ptr(), out.as_mut_ptr()) }, OK);
    let n = out[4];
    assert_eq!(n, 600);
    // SAFETY: `out[2]` is the module's buffer of `n` f32 values, alive until freed below.
    let values = unsafe { std::slice::from_raw_parts(out[2] as *const f32, n) };
    assert!(values.iter().all(|v| (1.0..=5.0).contains(v)));
    for p in &out[..4] {
        // SAFETY: the first four out-values are buffers of `n` 4-byte values the module allocated, each freed
        // once.
        unsafe { als_free(*p as *mut u8, n * 4) };
    }
}

/// Two shards, driven as wasm-pool.ts drives them (steps, then each side's rows gathered into
/// the other shard), give the factors and loss of a one-instance fit, bit for bit.
#[test]
fn shards_fit_what_one_instance_fits() {
    use crate::shard::{als_shard_factors, als_shard_free, als_shard_loss, als_shard_new, als_shard_step};
    let spec = [60.0, 45.0, 900.0, 4.0, 1.0, 0.0, 5.0];
    let mut out = [0usize; 5];
    // SAFETY: `spec` holds the 7 spec values, `out` room for the 5 out-values.
    assert_eq!(unsafe { als_generate_synthetic(spec.as_ptr(), out.as_mut_ptr()) }, OK);
    let n = out[4];
    let (u, i, v) = (out[0] as *const u32, out[1] as *const u32, out[2] as *const f32);
    // implicit, CG, rank 6, 4 iterations
    // params::PARAMS order: …, solver 1 (cg), cgSteps 3, blockSize 32, α0 1, ν 0, regScaling 0, confidence 0, ε 1, threads 0, computeLoss 1
    let p = [6.0, 4.0, 0.1, 1.0, 2.0, 0.0, 7.0, 1.0, 3.0, 32.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0];
    let (mut uf, mut itf) = (vec![0f32; 60 * 6], vec![0f32; 45 * 6]);
    // SAFETY: `u`, `i`, `v` are the module's `n` interactions; `p` holds PARAMS values; `uf` and `itf` have
    // room for 60 and 45 rows × rank 6.
    assert_eq!(unsafe { als_fit(60, 45, n, u, i, v, p.as_ptr(), uf.as_mut_ptr(), itf.as_mut_ptr()) }, OK, "{}", message());

    let parts = [((0, 23), (0, 30)), ((23, 60), (30, 45))];
    let shards: Vec<usize> = parts
        .iter()
        .enumerate()
        .map(|(s, &((ulo, uhi), (ilo, ihi)))| {
            let mut h = 0usize;
            // SAFETY: `u`, `i`, `v` are the module's `n` interactions, `p` holds PARAMS values, `h` is a live
            // out-pointer.
            let status = unsafe { als_shard_new(60, 45, n, u, i, v, p.as_ptr(), ulo, uhi, ilo, ihi, (s == 0) as u32, &mut h) };
            assert_eq!(status, OK, "{}", message());
            h
        })
        .collect();
    let gather = |side: u32, n_rows: usize, ranges: [(usize, usize); 2]| {
        let mut full = vec![0f32; n_rows * 6];
        for (&h, &(lo, hi)) in shards.iter().zip(&ranges) {
            // SAFETY: a live shard's factors of `side` are `n_rows` × rank 6 floats, and nothing writes them
            // meanwhile.
            let f = unsafe { std::slice::from_raw_parts(als_shard_factors(h, side), n_rows * 6) };
            full[lo * 6..hi * 6].copy_from_slice(&f[lo * 6..hi * 6]);
        }
        for &h in &shards {
            // SAFETY: as above; this is the only reference to those factors while it lives.
            unsafe { std::slice::from_raw_parts_mut(als_shard_factors(h, side), n_rows * 6) }.copy_from_slice(&full);
        }
        full
    };
    let (mut users, mut items) = (vec![], vec![]);
    for _ in 0..4 {
        for &h in &shards {
            // SAFETY: `h` is a live shard handle.
            assert_eq!(unsafe { als_shard_step(h, 1) }, OK, "{}", message());
        }
        items = gather(1, 45, [parts[0].1, parts[1].1]);
        for &h in &shards {
            // SAFETY: `h` is a live shard handle.
            assert_eq!(unsafe { als_shard_step(h, 0) }, OK, "{}", message());
        }
        users = gather(0, 60, [parts[0].0, parts[1].0]);
    }
    assert_eq!((users, items), (uf, itf));
    let mut loss = 0f64;
    // SAFETY: `shards[0]` is a live shard handle; `loss` is a live out-pointer.
    assert_eq!(unsafe { als_shard_loss(shards[0], &mut loss) }, OK, "{}", message());
    assert!(loss.is_finite() && loss > 0.0);
    // SAFETY: `shards[1]` is a live shard handle; `loss` is a live out-pointer.
    assert_eq!(unsafe { als_shard_loss(shards[1], &mut loss) }, crate::status::BAD_VALUE);
    for h in shards {
        // SAFETY: `h` came from `als_shard_new` and is freed once.
        unsafe { als_shard_free(h) };
    }
    for p in &out[..4] {
        // SAFETY: the first four out-values are buffers of `n` 4-byte values the module allocated, each freed
        // once.
        unsafe { als_free(*p as *mut u8, n * 4) };
    }
}
