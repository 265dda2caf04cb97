//! Similar items: the nearest items to each query item by cosine similarity of item factors.

use crate::error::{invalid_arg, Result};
use crate::pattern::Pattern;
use crate::topk::{top_k, TopK};

/// Each row scaled to unit length; zero rows stay zero.
pub fn normalize_rows(factors: &[f32], rank: usize) -> Vec<f32> {
    let mut out = factors.to_vec();
    for row in out.chunks_mut(rank) {
        let norm = row.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|v| *v = (*v as f64 / norm) as f32);
        }
    }
    out
}

/// The `k` items most similar to each item in `items` (cosine), the query item itself excluded.
pub fn similar_items(item_factors: &[f32], rank: usize, items: &[u32], k: usize, threads: usize) -> Result<TopK> {
    if rank == 0 || item_factors.len() % rank != 0 {
        return Err(invalid_arg(format!("item factors: length {} is not a multiple of rank {rank}", item_factors.len())));
    }
    let n = item_factors.len() / rank;
    let normed = normalize_rows(item_factors, rank);
    let identity = Pattern { n_rows: n, n_cols: n, indptr: (0..=n).collect(), indices: (0..n as u32).collect() };
    top_k(&normed, &normed, rank, Some(items), k, Some(&identity), threads, &|_, _| {})
}
