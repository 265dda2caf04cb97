//! Reading JS values with type checks whose messages name the argument: numbers, integers in a
//! range, booleans, strings, objects and their properties, functions, and zero-copy views of
//! typed arrays.

use std::ffi::{c_void, CStr};
use std::ptr::null_mut;

use super::Env;
use crate::error::{type_err, value_err, JsResult};
use crate::sys::*;

/// A typed-array element type the binding reads and writes.
pub trait Element: Copy + Send + 'static {
    const KIND: napi_typedarray_type;
    const NAME: &'static str;
}
impl Element for u32 {
    const KIND: napi_typedarray_type = NAPI_UINT32_ARRAY;
    const NAME: &'static str = "Uint32Array";
}
impl Element for f32 {
    const KIND: napi_typedarray_type = NAPI_FLOAT32_ARRAY;
    const NAME: &'static str = "Float32Array";
}

/// Largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl Env {
    pub fn type_of(&self, v: napi_value) -> JsResult<napi_valuetype> {
        let mut t = NAPI_UNDEFINED;
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `t` is a
        // live out-pointer.
        self.check(unsafe { napi_typeof(self.0, v, &mut t) })?;
        Ok(t)
    }

    /// `undefined` or `null`.
    pub fn is_nullish(&self, v: napi_value) -> JsResult<bool> {
        Ok(matches!(self.type_of(v)?, NAPI_UNDEFINED | NAPI_NULL))
    }

    /// A short description of a value's type for error messages: "a string", "an Array", "a Float64Array".
    pub fn describe(&self, v: napi_value) -> String {
        let t = match self.type_of(v) {
            Ok(t) => t,
            Err(_) => return "an unknown value".into(),
        };
        let name = match t {
            NAPI_UNDEFINED => return "undefined".into(),
            NAPI_NULL => return "null".into(),
            NAPI_BOOLEAN => "boolean",
            NAPI_NUMBER => "number",
            NAPI_STRING => "string",
            NAPI_SYMBOL => "symbol",
            NAPI_FUNCTION => "function",
            NAPI_BIGINT => "bigint",
            NAPI_OBJECT => {
                let mut is = false;
                // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else);
                // `is` is a live out-pointer.
                if unsafe { napi_is_array(self.0, v, &mut is) } == NAPI_OK && is {
                    return "an Array".into();
                }
                if let Some(kind) = self.typed_array_kind(v) {
                    return format!("a {}", typed_array_name(kind));
                }
                "object"
            }
            _ => "external",
        };
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        format!("{article} {name}")
    }

    fn typed_array_kind(&self, v: napi_value) -> Option<napi_typedarray_type> {
        let mut is = false;
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `is` is a
        // live out-pointer.
        if unsafe { napi_is_typedarray(self.0, v, &mut is) } != NAPI_OK || !is {
            return None;
        }
        let mut kind = 0;
        let ok =
            // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); the
            // outputs not asked for are null, as Node-API allows.
            unsafe { napi_get_typedarray_info(self.0, v, &mut kind, null_mut(), null_mut(), null_mut(), null_mut()) };
        (ok == NAPI_OK).then_some(kind)
    }

    pub fn number(&self, v: napi_value, what: &str) -> JsResult<f64> {
        if self.type_of(v)? != NAPI_NUMBER {
            return type_err(format!("{what} must be a number, got {}", self.describe(v)));
        }
        let mut x = 0.0;
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `x` is a
        // live out-pointer.
        self.check(unsafe { napi_get_value_double(self.0, v, &mut x) })?;
        Ok(x)
    }

    /// A finite number, as f32 (parameters such as regParam).
    pub fn finite_f32(&self, v: napi_value, what: &str) -> JsResult<f32> {
        let x = self.number(v, what)?;
        if !x.is_finite() {
            return value_err(format!("{what} must be a finite number, got {}", js_number(x)));
        }
        Ok(x as f32)
    }

    /// A non-negative integer no larger than `max` (counts, sizes, indices, seeds).
    pub fn integer(&self, v: napi_value, what: &str, min: u64, max: u64) -> JsResult<u64> {
        let x = self.number(v, what)?;
        if !(x.is_finite() && x.fract() == 0.0 && x >= min as f64 && x <= (max as f64).min(MAX_SAFE_INTEGER)) {
            return value_err(format!("{what} must be an integer in {min}..={max}, got {}", js_number(x)));
        }
        Ok(x as u64)
    }

    pub fn usize(&self, v: napi_value, what: &str, min: usize, max: usize) -> JsResult<usize> {
        Ok(self.integer(v, what, min as u64, max as u64)? as usize)
    }

    pub fn boolean(&self, v: napi_value, what: &str) -> JsResult<bool> {
        if self.type_of(v)? != NAPI_BOOLEAN {
            return type_err(format!("{what} must be a boolean, got {}", self.describe(v)));
        }
        let mut b = false;
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `b` is a
        // live out-pointer.
        self.check(unsafe { napi_get_value_bool(self.0, v, &mut b) })?;
        Ok(b)
    }

    pub fn string(&self, v: napi_value, what: &str) -> JsResult<String> {
        if self.type_of(v)? != NAPI_STRING {
            return type_err(format!("{what} must be a string, got {}", self.describe(v)));
        }
        let mut len = 0usize;
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); a null
        // buffer asks for the length only.
        self.check(unsafe { napi_get_value_string_utf8(self.0, v, null_mut(), 0, &mut len) })?;
        let mut buf = vec![0u8; len + 1];
        let mut written = 0usize;
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `buf` has
        // room for `buf.len()` bytes, the length plus the NUL Node writes.
        self.check(unsafe { napi_get_value_string_utf8(self.0, v, buf.as_mut_ptr().cast(), buf.len(), &mut written) })?;
        buf.truncate(written);
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Checks that `v` is a (non-null, non-array) object.
    pub fn object(&self, v: napi_value, what: &str) -> JsResult<napi_value> {
        let mut is_array = false;
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else);
        // `is_array` is a live out-pointer.
        self.check(unsafe { napi_is_array(self.0, v, &mut is_array) })?;
        if self.type_of(v)? != NAPI_OBJECT || is_array {
            return type_err(format!("{what} must be an object, got {}", self.describe(v)));
        }
        Ok(v)
    }

    pub fn function(&self, v: napi_value, what: &str) -> JsResult<napi_value> {
        if self.type_of(v)? != NAPI_FUNCTION {
            return type_err(format!("{what} must be a function, got {}", self.describe(v)));
        }
        Ok(v)
    }

    /// `obj[name]` (may be `undefined`).
    pub fn get(&self, obj: napi_value, name: &CStr) -> JsResult<napi_value> {
        let mut v = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `name` is
        // NUL-terminated, `v` a live out-pointer.
        self.check(unsafe { napi_get_named_property(self.0, obj, name.as_ptr(), &mut v) })?;
        Ok(v)
    }

    /// `obj[name]`, or `None` when it is `undefined` or `null`.
    pub fn get_opt(&self, obj: napi_value, name: &CStr) -> JsResult<Option<napi_value>> {
        let v = self.get(obj, name)?;
        Ok(if self.is_nullish(v)? { None } else { Some(v) })
    }

    /// The object's own enumerable string keys.
    pub fn keys(&self, obj: napi_value) -> JsResult<Vec<String>> {
        let mut names = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `names`
        // is a live out-pointer.
        self.check(unsafe { napi_get_property_names(self.0, obj, &mut names) })?;
        let mut n = 0u32;
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `names`
        // is the array Node just returned.
        self.check(unsafe { napi_get_array_length(self.0, names, &mut n) })?;
        let mut out = Vec::with_capacity(n as usize);
        for i in 0..n {
            let mut key = null_mut();
            // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `i` <
            // the length Node just reported.
            self.check(unsafe { napi_get_element(self.0, names, i, &mut key) })?;
            if self.type_of(key)? == NAPI_STRING {
                out.push(self.string(key, "key")?);
            }
        }
        Ok(out)
    }

    /// A zero-copy view of a typed array's elements, valid for the current callback.
    pub fn typed<'e, T: Element>(&'e self, v: napi_value, what: &str) -> JsResult<&'e [T]> {
        match self.typed_array_kind(v) {
            Some(k) if k == T::KIND => {}
            _ => return type_err(format!("{what} must be a {}, got {}", T::NAME, self.describe(v))),
        }
        let (mut kind, mut len, mut data) = (0, 0usize, null_mut::<c_void>());
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `v` was
        // checked to be a typed array of `T` just above; the outputs are live locals.
        self.check(unsafe { napi_get_typedarray_info(self.0, v, &mut kind, &mut len, &mut data, null_mut(), null_mut()) })?;
        if len == 0 || data.is_null() {
            return Ok(&[]);
        }
        // SAFETY: Node reported `len` elements of `T` at `data`, aligned (a typed array's byteOffset is a
        // multiple of its element size). The slice borrows the Env, so it ends with the callback; the
        // callers do not call into JS while holding it, so nothing can detach the buffer meanwhile.
        Ok(unsafe { std::slice::from_raw_parts(data as *const T, len) })
    }
}

/// A number as JS prints it (NaN, Infinity, -Infinity, 1.5).
pub fn js_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format!("{x}")
    }
}

fn typed_array_name(kind: napi_typedarray_type) -> &'static str {
    match kind {
        NAPI_INT8_ARRAY => "Int8Array",
        NAPI_UINT8_ARRAY => "Uint8Array",
        NAPI_UINT8_CLAMPED_ARRAY => "Uint8ClampedArray",
        NAPI_INT16_ARRAY => "Int16Array",
        NAPI_UINT16_ARRAY => "Uint16Array",
        NAPI_INT32_ARRAY => "Int32Array",
        NAPI_UINT32_ARRAY => "Uint32Array",
        NAPI_FLOAT32_ARRAY => "Float32Array",
        NAPI_FLOAT64_ARRAY => "Float64Array",
        NAPI_BIGINT64_ARRAY => "BigInt64Array",
        NAPI_BIGUINT64_ARRAY => "BigUint64Array",
        _ => "typed array",
    }
}
