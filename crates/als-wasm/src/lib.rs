//! `als-wasm`: the `als` core as a WebAssembly module with plain `extern "C"` exports (no
//! wasm-bindgen). This file only lists the modules; the ABI, one concern per module:
//!
//! - `mem`: `als_alloc` / `als_free` of byte buffers in linear memory (align 8).
//! - `status`: every call returns a status (0 ok, else an error code) and leaves a message that
//!   `als_error_ptr` / `als_error_len` read back; `als_init` installs the panic hook (a panic
//!   traps, its message is kept for JS) and the clock; `als_panic_for_test` panics on purpose.
//! - `host`: what the module imports from JS (`env.now_seconds`, `env.on_iteration`).
//! - `params`: `AlsParams` from a flat `f64` array (JS checked the keys and types).
//! - the exported groups `fit`, `topk` (top-k and similar items), `ease` (EASE's item-item
//!   weights), `foldin`, `synthetic`, `kernel`.
//! - `shard`: one worker's rows of a fit spread over several instances (JS runs one per thread).
//!
//! Results go to caller-allocated buffers (sizes are known in advance), except synthetic data,
//! whose buffers the module allocates and hands back through out-pointers. Single-threaded:
//! the core never spawns on wasm32.
//!
//! Every `unsafe` block says why it holds in a `// SAFETY:` comment (clippy enforces it).

#![deny(clippy::undocumented_unsafe_blocks)]

mod ease;
mod fit;
mod foldin;
mod host;
mod kernel;
mod mem;
mod params;
mod shard;
mod status;
mod synthetic;
mod topk;

#[cfg(test)]
mod tests;
