//! Byte buffers in linear memory for JS to fill and read: `als_alloc(size)` / `als_free(ptr,
//! size)`, 8-byte aligned so any f32/u32/f64 array fits; and views of them as Rust slices.

use std::alloc::{alloc, dealloc, Layout};

const ALIGN: usize = 8;

fn layout(size: usize) -> Layout {
    Layout::from_size_align(size.max(1), ALIGN).expect("buffer size overflows")
}

/// A buffer of `size` bytes (uninitialised), or 0 when memory is exhausted.
#[no_mangle]
pub extern "C" fn als_alloc(size: usize) -> *mut u8 {
    // Safety: the layout has a non-zero size.
    unsafe { alloc(layout(size)) }
}

/// Frees a buffer from `als_alloc` with the same `size`. Null is ignored.
///
/// # Safety
/// `ptr` came from `als_alloc(size)` and is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn als_free(ptr: *mut u8, size: usize) {
    if !ptr.is_null() {
        dealloc(ptr, layout(size));
    }
}

/// Allocates and fills a buffer with `data` (ownership passes to JS, which frees it with
/// `als_free(ptr, size_of_val(data))`).
pub fn leak_copy<T: Copy>(data: &[T]) -> *mut T {
    let bytes = std::mem::size_of_val(data);
    let p = als_alloc(bytes) as *mut T;
    assert!(!p.is_null(), "out of memory ({bytes} bytes)");
    // Safety: p holds `bytes` bytes, aligned for T (align 8 >= align of f32/u32).
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
    p
}

/// `len` elements at `ptr`; any pointer (even null) for `len == 0`.
///
/// # Safety
/// When `len > 0`, `ptr` is valid and aligned for `len` elements for the lifetime `'a`.
pub unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

/// The mutable counterpart of [`slice`].
///
/// # Safety
/// As for [`slice`], and nothing else aliases the buffer during `'a`.
pub unsafe fn slice_mut<'a, T>(ptr: *mut T, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        std::slice::from_raw_parts_mut(ptr, len)
    }
}
