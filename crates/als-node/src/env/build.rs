//! Building JS values: primitives, plain objects and arrays, functions, and typed arrays that
//! take ownership of Rust Vecs without copying (external ArrayBuffers freed by a finalizer).

use std::ffi::{c_void, CStr};
use std::ptr::null_mut;

use super::{Element, Env};
use crate::error::JsResult;
use crate::sys::*;

impl Env {
    pub fn undefined(&self) -> JsResult<napi_value> {
        let mut v = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `v` is a
        // live out-pointer.
        self.check(unsafe { napi_get_undefined(self.0, &mut v) })?;
        Ok(v)
    }

    pub fn null(&self) -> JsResult<napi_value> {
        let mut v = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `v` is a
        // live out-pointer.
        self.check(unsafe { napi_get_null(self.0, &mut v) })?;
        Ok(v)
    }

    pub fn f64_value(&self, x: f64) -> JsResult<napi_value> {
        let mut v = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `v` is a
        // live out-pointer.
        self.check(unsafe { napi_create_double(self.0, x, &mut v) })?;
        Ok(v)
    }

    pub fn string_value(&self, s: &str) -> JsResult<napi_value> {
        let mut v = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); the
        // pointer and length are `s`'s UTF-8 bytes, read during the call only.
        self.check(unsafe { napi_create_string_utf8(self.0, s.as_ptr().cast(), s.len(), &mut v) })?;
        Ok(v)
    }

    /// A plain object with the given properties.
    pub fn object_with(&self, props: &[(&CStr, napi_value)]) -> JsResult<napi_value> {
        let mut obj = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `obj` is
        // a live out-pointer.
        self.check(unsafe { napi_create_object(self.0, &mut obj) })?;
        for (name, value) in props {
            // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `obj`
            // was just created and `name` is NUL-terminated.
            self.check(unsafe { napi_set_named_property(self.0, obj, name.as_ptr(), *value) })?;
        }
        Ok(obj)
    }

    pub fn array_of(&self, items: &[napi_value]) -> JsResult<napi_value> {
        let mut arr = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `arr` is
        // a live out-pointer.
        self.check(unsafe { napi_create_array_with_length(self.0, items.len(), &mut arr) })?;
        for (i, item) in items.iter().enumerate() {
            // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `arr`
            // was just created with room for every index written.
            self.check(unsafe { napi_set_element(self.0, arr, i as u32, *item) })?;
        }
        Ok(arr)
    }

    pub fn function_value(&self, name: &CStr, cb: napi_callback) -> JsResult<napi_value> {
        let mut f = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `name` is
        // NUL-terminated (and static for the call), `f` a live out-pointer.
        self.check(unsafe { napi_create_function(self.0, name.as_ptr(), usize::MAX, cb, null_mut(), &mut f) })?;
        Ok(f)
    }

    /// A typed array of `data`. A large one owns `data` without copying: an external ArrayBuffer
    /// whose finalizer drops the Vec (falling back to a copy where external buffers are not
    /// allowed). A small one (under COPY_BELOW bytes: a fold-in's list, a vector) is copied into
    /// an ordinary ArrayBuffer: an external buffer's finalizer, handle and wrapper cost far more
    /// than copying a few hundred bytes, and they were most of a fold-in call's overhead.
    pub fn typed_from_vec<T: Element>(&self, data: Vec<T>) -> JsResult<napi_value> {
        let len = data.len();
        let bytes = len * std::mem::size_of::<T>();
        let mut buffer = null_mut();
        if len > 0 && bytes < COPY_BELOW {
            let mut dst = null_mut::<c_void>();
            // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `dst`
            // and `buffer` are live out-pointers.
            self.check(unsafe { napi_create_arraybuffer(self.0, bytes, &mut dst, &mut buffer) })?;
            // SAFETY: `dst` is a fresh buffer of `bytes` bytes and `data` holds `bytes` bytes; they do not overlap.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr().cast::<u8>(), dst.cast::<u8>(), bytes) };
        } else if len > 0 {
            let boxed = Box::into_raw(Box::new(data));
            // SAFETY: `boxed` came from Box::into_raw just above and is not freed until the finalizer or the
            // fallback below.
            let ptr = unsafe { (*boxed).as_mut_ptr() }.cast::<c_void>();
            // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `ptr`
            // points to `bytes` bytes owned by the boxed Vec, which the finalizer `drop_vec::<T>` frees with
            // the same `boxed` as hint; Node calls it exactly once, when the buffer is collected.
            let status = unsafe { napi_create_external_arraybuffer(self.0, ptr, bytes, Some(drop_vec::<T>), boxed.cast(), &mut buffer) };
            if status != NAPI_OK {
                // Not created, so the finalizer will never run: take the Vec back and copy it.
                // SAFETY: creation failed, so Node never took `boxed`: this is its only owner.
                let data = unsafe { Box::from_raw(boxed) };
                let mut dst = null_mut::<c_void>();
                // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else);
                // `dst` and `buffer` are live out-pointers.
                self.check(unsafe { napi_create_arraybuffer(self.0, bytes, &mut dst, &mut buffer) })?;
                // SAFETY: `dst` is a fresh buffer of `bytes` bytes and `data` holds `bytes` bytes; they do
                // not overlap.
                unsafe { std::ptr::copy_nonoverlapping(data.as_ptr().cast::<u8>(), dst.cast::<u8>(), bytes) };
            }
        } else {
            let mut dst = null_mut::<c_void>();
            // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `dst`
            // and `buffer` are live out-pointers.
            self.check(unsafe { napi_create_arraybuffer(self.0, 0, &mut dst, &mut buffer) })?;
        }
        let mut array = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `buffer`
        // holds `len` elements of `T` from offset 0, which is aligned.
        self.check(unsafe { napi_create_typedarray(self.0, T::KIND, len, buffer, 0, &mut array) })?;
        Ok(array)
    }
}

/// Typed arrays smaller than this many bytes are copied into an ordinary ArrayBuffer (see `typed_from_vec`).
const COPY_BELOW: usize = 64 * 1024;

unsafe extern "C" fn drop_vec<T>(_env: napi_env, _data: *mut c_void, hint: *mut c_void) {
    drop(Box::from_raw(hint.cast::<Vec<T>>()));
}
