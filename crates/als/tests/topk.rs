//! Batch top-k and similar items against brute force.

mod common;

use als::rng::SplitMix64;
use als::simd::{force_kernel, Kernel};
use als::topk::{top_k_one, PackedItems};
use als::{similar_items, top_k, AlsParams, FoldIn, Pattern};
use common::*;

/// Every score, sorted by (score desc, item asc), seen items removed, cut at k.
fn brute(x: &[f32], items: &[f32], k: usize, rank: usize, seen: &[u32]) -> Vec<(u32, f32)> {
    let n = items.len() / rank;
    let mut all: Vec<(u32, f32)> =
        (0..n).filter(|i| !seen.contains(&(*i as u32))).map(|i| (i as u32, (0..rank).map(|f| x[f] * items[i * rank + f]).sum::<f32>())).collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(k);
    all
}

fn assert_same(got: (&[u32], &[f32]), want: &[(u32, f32)], ctx: &str) {
    assert_eq!(got.0.len(), want.len(), "{ctx}: length");
    for (j, &(wi, ws)) in want.iter().enumerate() {
        assert!((got.1[j] - ws).abs() < 1e-4, "{ctx}: score {j}: {} vs {ws}", got.1[j]);
        // Items may differ only where scores tie within rounding.
        if got.0[j] != wi {
            let other = want.iter().find(|e| e.0 == got.0[j]).map(|e| e.1);
            assert!(other.is_some_and(|s| (s - ws).abs() < 1e-4), "{ctx}: item {j}: {} vs {wi}", got.0[j]);
        }
    }
}

#[test]
fn matches_brute_force_with_exclusions_on_every_kernel() {
    let (n_users, n_items, rank) = (137, 1100, 13);
    let (data, _) = random_problem(n_users, n_items, 0.02, false, 21);
    let users = random_factors(n_users, rank, 1);
    let items = random_factors(n_items, rank, 2);
    for kernel in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
        if !kernel.supported() {
            continue;
        }
        force_kernel(Some(kernel));
        for k in [1, 10, 33] {
            let t = top_k(&users, &items, rank, None, k, Some(&data.by_user.pattern()), 2, &|_, _| {}).unwrap();
            for u in 0..n_users {
                let want = brute(&users[u * rank..(u + 1) * rank], &items, k, rank, data.by_user.row(u).0);
                assert_same(t.row(u), &want, &format!("{kernel:?} k={k} user {u}"));
            }
        }
    }
    force_kernel(None);
}

#[test]
fn a_subset_of_users_in_any_order() {
    let (users, items, rank) = (random_factors(50, 8, 3), random_factors(70, 8, 4), 8);
    let subset = [49u32, 0, 17, 17];
    let t = top_k(&users, &items, rank, Some(&subset), 5, None, 1, &|_, _| {}).unwrap();
    assert_eq!(t.rows, 4);
    for (r, &u) in subset.iter().enumerate() {
        let want = brute(&users[u as usize * rank..(u as usize + 1) * rank], &items, 5, rank, &[]);
        assert_same(t.row(r), &want, &format!("row {r}"));
    }
}

#[test]
fn ties_go_to_the_lower_item_index() {
    // Items 0..8 repeat four distinct vectors: scores tie in pairs.
    let rank = 2;
    let items: Vec<f32> = (0..8).flat_map(|i| [((i % 4) as f32), 1.0]).collect();
    let t = top_k(&[1.0, 0.0], &items, rank, None, 8, None, 1, &|_, _| {}).unwrap();
    assert_eq!(t.row(0).0, &[3, 7, 2, 6, 1, 5, 0, 4]);
}

#[test]
fn k_cutting_through_ties_across_blocks_keeps_the_lower_items_on_every_kernel() {
    // 1,500 items (three scoring blocks), scores exact small integers: ties everywhere, and k
    // ends inside a group of equal scores. The order must be exactly (score desc, item asc).
    let (n_items, rank) = (1500, 2);
    let items: Vec<f32> = (0..n_items).flat_map(|i| [((i * 7) % 13) as f32, 1.0]).collect();
    let x = [1.0f32, 0.0];
    let packed_seen: Vec<u32> = (0..n_items as u32).filter(|i| i % 5 == 0).collect();
    for kernel in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
        if !kernel.supported() {
            continue;
        }
        force_kernel(Some(kernel));
        for k in [1, 50, 117, 300] {
            let want: Vec<u32> = brute(&x, &items, k, rank, &[]).iter().map(|e| e.0).collect();
            let t = top_k(&x, &items, rank, None, k, None, 1, &|_, _| {}).unwrap();
            assert_eq!(t.row(0).0, &want[..], "{kernel:?} k={k} (batch)");
            let packed = PackedItems::new(&items, rank).unwrap();
            let want: Vec<u32> = brute(&x, &items, k, rank, &packed_seen).iter().map(|e| e.0).collect();
            let one = top_k_one(&packed, &x, k, &packed_seen).unwrap();
            assert_eq!(one.row(0).0, &want[..], "{kernel:?} k={k} (one user, every fifth item seen)");
        }
    }
    force_kernel(None);
}

#[test]
fn k_beyond_the_candidates_and_users_who_saw_everything() {
    let rank = 3;
    let users = random_factors(3, rank, 5);
    let items = random_factors(4, rank, 6);
    // User 0 saw items 1 and 3; user 1 saw everything; user 2 nothing.
    let seen = Pattern::from_coo(3, 4, &[0, 0, 1, 1, 1, 1], &[1, 3, 0, 1, 2, 3]).unwrap();
    let t = top_k(&users, &items, rank, None, 10, Some(&seen), 1, &|_, _| {}).unwrap();
    assert_eq!(t.row(0).0.len(), 2);
    assert!(t.row(0).0.iter().all(|i| [0, 2].contains(i)));
    assert_eq!(t.row(1).0.len(), 0);
    assert_eq!(t.items[10], u32::MAX);
    assert_eq!(t.scores[10], f32::NEG_INFINITY);
    assert_eq!(t.row(2).0.len(), 4);
}

#[test]
fn progress_reaches_the_total() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (users, items) = (random_factors(1000, 4, 1), random_factors(50, 4, 2));
    let last = AtomicUsize::new(0);
    top_k(&users, &items, 4, None, 3, None, 2, &|d, t| {
        assert_eq!(t, 1000);
        last.fetch_max(d, Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(last.load(Ordering::Relaxed), 1000);
}

#[test]
fn invalid_arguments_are_refused() {
    let f = random_factors(4, 2, 1);
    assert!(top_k(&f, &f, 2, Some(&[9]), 2, None, 1, &|_, _| {}).unwrap_err().to_string().contains("users[0] = 9"));
    assert!(top_k(&f, &f, 3, None, 2, None, 1, &|_, _| {}).unwrap_err().to_string().contains("multiple of rank"));
    assert!(top_k(&f, &f, 2, None, 0, None, 1, &|_, _| {}).unwrap_err().to_string().contains("k must be"));
}

#[test]
fn similar_items_match_brute_force_cosine() {
    let (n, rank) = (300, 6);
    let items = random_factors(n, rank, 9);
    let norm = |i: usize| (0..rank).map(|f| items[i * rank + f].powi(2)).sum::<f32>().sqrt();
    let queries = [0u32, 5, 299];
    let t = similar_items(&items, rank, &queries, 7, 2).unwrap();
    for (r, &q) in queries.iter().enumerate() {
        let q = q as usize;
        let mut all: Vec<(u32, f32)> = (0..n)
            .filter(|&i| i != q)
            .map(|i| (i as u32, (0..rank).map(|f| items[q * rank + f] * items[i * rank + f]).sum::<f32>() / (norm(q) * norm(i))))
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(7);
        assert_same(t.row(r), &all, &format!("query {q}"));
    }
}

#[test]
fn fold_in_recommendations_exclude_the_given_items_and_match_brute_force() {
    let (n_items, rank) = (2000, 16);
    let items = random_factors(n_items, rank, 10);
    let p = AlsParams { rank, implicit_prefs: true, reg_param: 0.1, ..AlsParams::default() };
    let f = FoldIn::new(items.clone(), rank, &p).unwrap();
    let mut rng = SplitMix64::new(4);
    let picks: Vec<u32> = (0..30).map(|_| rng.below(n_items as u64) as u32).collect();
    let mut seen = picks.clone();
    seen.sort();
    // k = 10 takes the running list, k = 100 and 2,000 (every candidate) the selection
    for k in [10, 100, 2000] {
        let (x, t) = f.recommend(&picks, &vec![1.0; picks.len()], k).unwrap();
        let want = brute(&x, &items, k, rank, &seen);
        assert_same(t.row(0), &want, &format!("fold-in k={k}"));
    }
}
