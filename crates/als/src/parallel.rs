//! Data-parallel loops over fixed-size chunks of rows with `std::thread::scope`.
//!
//! Chunks are fixed by the caller, never by the thread count, and per-chunk results are
//! combined in chunk order: every result is identical whatever the number of threads.
//! WebAssembly builds run every chunk on the calling thread (wasm32 has no `std::thread`).

use std::sync::Mutex;

/// Calls `f(chunk_index, first_row, rows)` for every chunk of `out` (each `chunk_rows * width`
/// values, the last one shorter), spread over `threads` workers. Returns the per-chunk results
/// in chunk order.
pub fn for_each_chunk<T, R, F>(out: &mut [T], width: usize, chunk_rows: usize, threads: usize, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(usize, usize, &mut [T]) -> R + Sync,
{
    assert!(width > 0 && chunk_rows > 0);
    let n_chunks = out.len().div_ceil(width * chunk_rows);
    if threads <= 1 || n_chunks <= 1 || cfg!(target_family = "wasm") {
        return out.chunks_mut(width * chunk_rows).enumerate().map(|(c, rows)| f(c, c * chunk_rows, rows)).collect();
    }
    let mut results: Vec<Option<R>> = (0..n_chunks).map(|_| None).collect();
    let work = Mutex::new(out.chunks_mut(width * chunk_rows).enumerate());
    let collected = Mutex::new(Vec::with_capacity(n_chunks));
    std::thread::scope(|s| {
        for _ in 0..threads.min(n_chunks) {
            s.spawn(|| loop {
                let next = work.lock().unwrap_or_else(|p| p.into_inner()).next();
                let Some((c, rows)) = next else { break };
                let r = f(c, c * chunk_rows, rows);
                collected.lock().unwrap_or_else(|p| p.into_inner()).push((c, r));
            });
        }
    });
    for (c, r) in collected.into_inner().unwrap_or_else(|p| p.into_inner()) {
        results[c] = Some(r);
    }
    results.into_iter().map(|r| r.expect("every chunk runs once")).collect()
}

/// Like [`for_each_chunk`] for work that writes nothing: `f(chunk_index, start, end)` over
/// `0..n` in chunks of `chunk` items.
pub fn map_ranges<R, F>(n: usize, chunk: usize, threads: usize, f: F) -> Vec<R>
where
    R: Send,
    F: Fn(usize, usize, usize) -> R + Sync,
{
    let n_chunks = n.div_ceil(chunk.max(1));
    let mut dummy = vec![(); n_chunks];
    for_each_chunk(&mut dummy, 1, 1, threads, |c, _, _| {
        let start = c * chunk;
        f(c, start, (start + chunk).min(n))
    })
}
