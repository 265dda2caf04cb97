//! Raw Node-API declarations: only the types, constants and functions this addon calls.
//! Mirrors /usr/include/node/{js_native_api,node_api}{,_types}.h; the symbols resolve against
//! the node binary when the addon is loaded. Enums are plain integers so an unexpected value
//! from the runtime is never undefined behaviour.
#![allow(non_camel_case_types, dead_code)]

use std::ffi::{c_char, c_void};

macro_rules! opaque {
    ($($name:ident => $ptr:ident),* $(,)?) => {$(
        #[repr(C)]
        pub struct $name { _private: [u8; 0] }
        pub type $ptr = *mut $name;
    )*};
}

opaque! {
    napi_env__ => napi_env,
    napi_value__ => napi_value,
    napi_ref__ => napi_ref,
    napi_callback_info__ => napi_callback_info,
    napi_deferred__ => napi_deferred,
    napi_async_work__ => napi_async_work,
    napi_threadsafe_function__ => napi_threadsafe_function,
}

pub type napi_status = i32;
pub const NAPI_OK: napi_status = 0;
pub const NAPI_PENDING_EXCEPTION: napi_status = 10;
pub const NAPI_CLOSING: napi_status = 16;

pub type napi_valuetype = i32;
pub const NAPI_UNDEFINED: napi_valuetype = 0;
pub const NAPI_NULL: napi_valuetype = 1;
pub const NAPI_BOOLEAN: napi_valuetype = 2;
pub const NAPI_NUMBER: napi_valuetype = 3;
pub const NAPI_STRING: napi_valuetype = 4;
pub const NAPI_SYMBOL: napi_valuetype = 5;
pub const NAPI_OBJECT: napi_valuetype = 6;
pub const NAPI_FUNCTION: napi_valuetype = 7;
pub const NAPI_EXTERNAL: napi_valuetype = 8;
pub const NAPI_BIGINT: napi_valuetype = 9;

pub type napi_typedarray_type = i32;
pub const NAPI_INT8_ARRAY: napi_typedarray_type = 0;
pub const NAPI_UINT8_ARRAY: napi_typedarray_type = 1;
pub const NAPI_UINT8_CLAMPED_ARRAY: napi_typedarray_type = 2;
pub const NAPI_INT16_ARRAY: napi_typedarray_type = 3;
pub const NAPI_UINT16_ARRAY: napi_typedarray_type = 4;
pub const NAPI_INT32_ARRAY: napi_typedarray_type = 5;
pub const NAPI_UINT32_ARRAY: napi_typedarray_type = 6;
pub const NAPI_FLOAT32_ARRAY: napi_typedarray_type = 7;
pub const NAPI_FLOAT64_ARRAY: napi_typedarray_type = 8;
pub const NAPI_BIGINT64_ARRAY: napi_typedarray_type = 9;
pub const NAPI_BIGUINT64_ARRAY: napi_typedarray_type = 10;

pub type napi_property_attributes = i32;
pub const NAPI_DEFAULT: napi_property_attributes = 0;
pub const NAPI_ENUMERABLE: napi_property_attributes = 1 << 1;
pub const NAPI_DEFAULT_METHOD: napi_property_attributes = 1 | (1 << 2);

pub type napi_threadsafe_function_release_mode = i32;
pub const NAPI_TSFN_RELEASE: napi_threadsafe_function_release_mode = 0;
pub type napi_threadsafe_function_call_mode = i32;
pub const NAPI_TSFN_NONBLOCKING: napi_threadsafe_function_call_mode = 0;

pub type napi_callback = Option<unsafe extern "C" fn(env: napi_env, info: napi_callback_info) -> napi_value>;
pub type napi_finalize = Option<unsafe extern "C" fn(env: napi_env, data: *mut c_void, hint: *mut c_void)>;
pub type napi_async_execute_callback = Option<unsafe extern "C" fn(env: napi_env, data: *mut c_void)>;
pub type napi_async_complete_callback = Option<unsafe extern "C" fn(env: napi_env, status: napi_status, data: *mut c_void)>;
pub type napi_cleanup_hook = Option<unsafe extern "C" fn(arg: *mut c_void)>;
pub type napi_threadsafe_function_call_js =
    Option<unsafe extern "C" fn(env: napi_env, js_callback: napi_value, context: *mut c_void, data: *mut c_void)>;

#[repr(C)]
pub struct napi_property_descriptor {
    pub utf8name: *const c_char,
    pub name: napi_value,
    pub method: napi_callback,
    pub getter: napi_callback,
    pub setter: napi_callback,
    pub value: napi_value,
    pub attributes: napi_property_attributes,
    pub data: *mut c_void,
}

#[repr(C)]
pub struct napi_extended_error_info {
    pub error_message: *const c_char,
    pub engine_reserved: *mut c_void,
    pub engine_error_code: u32,
    pub error_code: napi_status,
}

extern "C" {
    pub fn napi_get_last_error_info(env: napi_env, result: *mut *const napi_extended_error_info) -> napi_status;
    pub fn napi_get_undefined(env: napi_env, result: *mut napi_value) -> napi_status;
    pub fn napi_get_null(env: napi_env, result: *mut napi_value) -> napi_status;
    pub fn napi_get_global(env: napi_env, result: *mut napi_value) -> napi_status;
    pub fn napi_get_boolean(env: napi_env, value: bool, result: *mut napi_value) -> napi_status;
    pub fn napi_create_object(env: napi_env, result: *mut napi_value) -> napi_status;
    pub fn napi_create_array_with_length(env: napi_env, length: usize, result: *mut napi_value) -> napi_status;
    pub fn napi_create_double(env: napi_env, value: f64, result: *mut napi_value) -> napi_status;
    pub fn napi_create_uint32(env: napi_env, value: u32, result: *mut napi_value) -> napi_status;
    pub fn napi_create_string_utf8(env: napi_env, s: *const c_char, len: usize, result: *mut napi_value) -> napi_status;
    pub fn napi_create_function(
        env: napi_env,
        name: *const c_char,
        len: usize,
        cb: napi_callback,
        data: *mut c_void,
        result: *mut napi_value,
    ) -> napi_status;
    pub fn napi_create_error(env: napi_env, code: napi_value, msg: napi_value, result: *mut napi_value) -> napi_status;
    pub fn napi_create_type_error(env: napi_env, code: napi_value, msg: napi_value, result: *mut napi_value) -> napi_status;
    pub fn napi_typeof(env: napi_env, value: napi_value, result: *mut napi_valuetype) -> napi_status;
    pub fn napi_get_value_double(env: napi_env, value: napi_value, result: *mut f64) -> napi_status;
    pub fn napi_get_value_bool(env: napi_env, value: napi_value, result: *mut bool) -> napi_status;
    pub fn napi_get_value_string_utf8(env: napi_env, value: napi_value, buf: *mut c_char, bufsize: usize, result: *mut usize) -> napi_status;
    pub fn napi_get_property_names(env: napi_env, object: napi_value, result: *mut napi_value) -> napi_status;
    pub fn napi_set_named_property(env: napi_env, object: napi_value, name: *const c_char, value: napi_value) -> napi_status;
    pub fn napi_get_named_property(env: napi_env, object: napi_value, name: *const c_char, result: *mut napi_value) -> napi_status;
    pub fn napi_set_element(env: napi_env, object: napi_value, index: u32, value: napi_value) -> napi_status;
    pub fn napi_get_element(env: napi_env, object: napi_value, index: u32, result: *mut napi_value) -> napi_status;
    pub fn napi_get_array_length(env: napi_env, value: napi_value, result: *mut u32) -> napi_status;
    pub fn napi_call_function(
        env: napi_env,
        recv: napi_value,
        func: napi_value,
        argc: usize,
        argv: *const napi_value,
        result: *mut napi_value,
    ) -> napi_status;
    pub fn napi_get_cb_info(
        env: napi_env,
        info: napi_callback_info,
        argc: *mut usize,
        argv: *mut napi_value,
        this_arg: *mut napi_value,
        data: *mut *mut c_void,
    ) -> napi_status;
    pub fn napi_get_new_target(env: napi_env, info: napi_callback_info, result: *mut napi_value) -> napi_status;
    pub fn napi_define_class(
        env: napi_env,
        name: *const c_char,
        len: usize,
        constructor: napi_callback,
        data: *mut c_void,
        property_count: usize,
        properties: *const napi_property_descriptor,
        result: *mut napi_value,
    ) -> napi_status;
    pub fn napi_wrap(
        env: napi_env,
        js_object: napi_value,
        native: *mut c_void,
        finalize: napi_finalize,
        hint: *mut c_void,
        result: *mut napi_ref,
    ) -> napi_status;
    pub fn napi_unwrap(env: napi_env, js_object: napi_value, result: *mut *mut c_void) -> napi_status;
    pub fn napi_create_reference(env: napi_env, value: napi_value, initial: u32, result: *mut napi_ref) -> napi_status;
    pub fn napi_delete_reference(env: napi_env, r: napi_ref) -> napi_status;
    pub fn napi_get_reference_value(env: napi_env, r: napi_ref, result: *mut napi_value) -> napi_status;
    pub fn napi_throw(env: napi_env, error: napi_value) -> napi_status;
    pub fn napi_is_exception_pending(env: napi_env, result: *mut bool) -> napi_status;
    pub fn napi_get_and_clear_last_exception(env: napi_env, result: *mut napi_value) -> napi_status;
    pub fn napi_create_arraybuffer(env: napi_env, len: usize, data: *mut *mut c_void, result: *mut napi_value) -> napi_status;
    pub fn napi_create_external_arraybuffer(
        env: napi_env,
        data: *mut c_void,
        len: usize,
        finalize: napi_finalize,
        hint: *mut c_void,
        result: *mut napi_value,
    ) -> napi_status;
    pub fn napi_is_array(env: napi_env, value: napi_value, result: *mut bool) -> napi_status;
    pub fn napi_is_typedarray(env: napi_env, value: napi_value, result: *mut bool) -> napi_status;
    pub fn napi_create_typedarray(
        env: napi_env,
        kind: napi_typedarray_type,
        length: usize,
        arraybuffer: napi_value,
        byte_offset: usize,
        result: *mut napi_value,
    ) -> napi_status;
    pub fn napi_get_typedarray_info(
        env: napi_env,
        typedarray: napi_value,
        kind: *mut napi_typedarray_type,
        length: *mut usize,
        data: *mut *mut c_void,
        arraybuffer: *mut napi_value,
        byte_offset: *mut usize,
    ) -> napi_status;
    pub fn napi_create_promise(env: napi_env, deferred: *mut napi_deferred, promise: *mut napi_value) -> napi_status;
    pub fn napi_resolve_deferred(env: napi_env, deferred: napi_deferred, value: napi_value) -> napi_status;
    pub fn napi_reject_deferred(env: napi_env, deferred: napi_deferred, value: napi_value) -> napi_status;
    pub fn napi_create_async_work(
        env: napi_env,
        resource: napi_value,
        resource_name: napi_value,
        execute: napi_async_execute_callback,
        complete: napi_async_complete_callback,
        data: *mut c_void,
        result: *mut napi_async_work,
    ) -> napi_status;
    pub fn napi_delete_async_work(env: napi_env, work: napi_async_work) -> napi_status;
    pub fn napi_queue_async_work(env: napi_env, work: napi_async_work) -> napi_status;
    pub fn napi_set_instance_data(env: napi_env, data: *mut c_void, finalize: napi_finalize, hint: *mut c_void) -> napi_status;
    pub fn napi_get_instance_data(env: napi_env, data: *mut *mut c_void) -> napi_status;
    pub fn napi_add_env_cleanup_hook(env: napi_env, hook: napi_cleanup_hook, arg: *mut c_void) -> napi_status;
    pub fn napi_create_threadsafe_function(
        env: napi_env,
        func: napi_value,
        resource: napi_value,
        resource_name: napi_value,
        max_queue_size: usize,
        initial_thread_count: usize,
        finalize_data: *mut c_void,
        finalize_cb: napi_finalize,
        context: *mut c_void,
        call_js: napi_threadsafe_function_call_js,
        result: *mut napi_threadsafe_function,
    ) -> napi_status;
    pub fn napi_call_threadsafe_function(func: napi_threadsafe_function, data: *mut c_void, mode: napi_threadsafe_function_call_mode) -> napi_status;
    pub fn napi_release_threadsafe_function(func: napi_threadsafe_function, mode: napi_threadsafe_function_release_mode) -> napi_status;
}
