//! What every exported function goes through: the panic boundary, argument checks,
//! out-parameter writes, and this thread's last error message.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use crate::error::{Error, ErrorKind};

/// The message of a caught panic.
pub const PANICKED: &str = "internal error: together-video caught a panic; please report it";

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Runs an export that cannot report an error: a panic yields `fallback`.
pub fn run_infallible<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        set_last_error(PANICKED);
        fallback
    })
}

pub fn set_last_error(message: &str) {
    let message = c_string(message);
    // `try_with` fails only while the thread is being torn down; then there is nobody to tell.
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = Some(message));
}

/// This thread's last error message, or NULL. Valid until the next failure on this thread.
pub fn last_error() -> *const c_char {
    LAST_ERROR
        .try_with(|slot| slot.borrow().as_ref().map_or(ptr::null(), |message| message.as_ptr()))
        .unwrap_or(ptr::null())
}

/// Text made safe for C: an interior NUL would cut the string short, so it is spelled out.
pub fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).expect("NUL bytes were replaced")
}

/// C strings kept for as long as the struct that points into them: a struct handed to C
/// (an event, a list) holds one beside its fields.
#[derive(Default)]
pub struct CStrings(Vec<CString>);

impl CStrings {
    /// `text` as a C string kept here, or NULL for `None`. The pointer stays valid while
    /// this lives, even when it moves (moving a CString moves only its pointer).
    pub fn keep(&mut self, text: Option<&str>) -> *const c_char {
        let Some(text) = text else { return ptr::null() };
        let kept = c_string(text);
        let pointer = kept.as_ptr();
        self.0.push(kept);
        pointer
    }
}

/// A borrowed, NUL-checked, UTF-8-checked string argument.
///
/// # Safety
/// `text`, when not NULL, must point to a NUL-terminated string that stays valid and
/// unmodified for `'a`.
pub unsafe fn str_arg<'a>(text: *const c_char, name: &str) -> Result<&'a str, Error> {
    if text.is_null() {
        return Err(Error::new(ErrorKind::InvalidArgument, format!("{name} is NULL")));
    }
    // SAFETY: non-NULL checked above; NUL termination and lifetime are the caller's contract.
    let bytes = unsafe { CStr::from_ptr(text) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|_| Error::new(ErrorKind::InvalidArgument, format!("{name} is not valid UTF-8")))
}

/// Like [`str_arg`], but NULL means "not set".
///
/// # Safety
/// As for [`str_arg`].
pub unsafe fn optional_str_arg<'a>(text: *const c_char, name: &str) -> Result<Option<&'a str>, Error> {
    if text.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract; non-NULL checked above.
    unsafe { str_arg(text, name) }.map(Some)
}

/// A shared reference to a handle the library created.
///
/// # Safety
/// `handle`, when not NULL, must be a live pointer returned by this library for type `T`,
/// not freed, and not mutated by another thread for `'a`.
pub unsafe fn handle<'a, T>(handle: *const T, name: &str) -> Result<&'a T, Error> {
    // SAFETY: forwarded contract; `as_ref` itself checks for NULL.
    unsafe { handle.as_ref() }.ok_or_else(|| Error::new(ErrorKind::InvalidArgument, format!("{name} is NULL")))
}

/// An exclusive reference to a handle the library created.
///
/// # Safety
/// As for [`handle`], and no other reference to it may be in use for `'a`.
pub unsafe fn handle_mut<'a, T>(handle: *mut T, name: &str) -> Result<&'a mut T, Error> {
    // SAFETY: forwarded contract; `as_mut` itself checks for NULL.
    unsafe { handle.as_mut() }.ok_or_else(|| Error::new(ErrorKind::InvalidArgument, format!("{name} is NULL")))
}

/// Sets a field from a setter's closure: `update(options, "options", |o| assign(&mut o.field, value?))`.
pub fn assign<T>(slot: &mut T, value: T) -> Result<(), Error> {
    *slot = value;
    Ok(())
}

/// Adds an item from a setter's closure: `update(params, "params", |p| append(&mut p.list, item?))`.
pub fn append<T>(list: &mut Vec<T>, item: T) -> Result<(), Error> {
    list.push(item);
    Ok(())
}

/// Frees a handle made by `Box::into_raw`, inside the panic boundary. NULL is fine.
///
/// # Safety
/// `handle` must be NULL or a pointer from `Box::into_raw(Box<T>)` not freed before.
pub unsafe fn free<T>(handle: *mut T) {
    run_infallible((), || {
        if !handle.is_null() {
            // SAFETY: forwarded contract.
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}

/// A caller's `void *user_data`, carried to the thread a callback runs on.
#[derive(Clone, Copy)]
pub struct UserData(pub *mut std::ffi::c_void);

impl UserData {
    /// The pointer. (A method, so that closures capture the whole `Send` wrapper.)
    pub fn get(self) -> *mut std::ffi::c_void {
        self.0
    }
}

// SAFETY: the library never dereferences it; it only hands it back to the caller's own
// callback, and every function taking one documents that the callback may run on a
// library thread, so making that safe is the caller's part of the contract.
unsafe impl Send for UserData {}

/// An out-parameter checked before any work is done, written once the work succeeded.
pub struct Out<T>(std::ptr::NonNull<T>);

impl<T> Out<T> {
    /// A required out-parameter: NULL is `InvalidArgument`, naming it.
    ///
    /// # Safety
    /// `out`, when not NULL, must point to writable storage for one `T` that stays valid
    /// until `write` (the shared contract of every function's out-parameters).
    pub unsafe fn new(out: *mut T, name: &str) -> Result<Out<T>, Error> {
        std::ptr::NonNull::new(out)
            .map(Out)
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, format!("{name} is NULL")))
    }

    /// An optional out-parameter: NULL means the caller does not want the value.
    ///
    /// # Safety
    /// As for [`Out::new`].
    pub unsafe fn optional(out: *mut T) -> Option<Out<T>> {
        std::ptr::NonNull::new(out).map(Out)
    }

    pub fn write(self, value: T) {
        // SAFETY: non-NULL, and writable for one `T` per the contract taken in `new`.
        unsafe { self.0.as_ptr().write(value) }
    }
}
