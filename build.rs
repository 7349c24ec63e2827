//! Generates the C header from the doc-commented `extern "C"` functions in `src/ffi/`.
//!
//! The header is written to `$OUT_DIR/together_video.h` on every build; the committed
//! copies in `include/` and in the Go module are refreshed only when `TV_UPDATE_HEADER=1`
//! (`make header`), and the `header_is_current` test fails when they differ.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=TV_UPDATE_HEADER");
    let version = |name: &str| env::var(name).expect("cargo sets the version variables");

    // The shared library's SONAME, as cargo-c names it: lib<name>.so.<major>, or
    // .so.0.<minor> before 1.0 (where a minor release may break the ABI).
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let (major, minor) = (version("CARGO_PKG_VERSION_MAJOR"), version("CARGO_PKG_VERSION_MINOR"));
        let soversion = if major == "0" { format!("0.{minor}") } else { major };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtogether_video.so.{soversion}");
    }

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    config.after_includes = Some(format!(
        "\n#define TV_VERSION_MAJOR {}\n#define TV_VERSION_MINOR {}\n#define TV_VERSION_PATCH {}\n#define TV_VERSION_STRING \"{}\"",
        version("CARGO_PKG_VERSION_MAJOR"),
        version("CARGO_PKG_VERSION_MINOR"),
        version("CARGO_PKG_VERSION_PATCH"),
        version("CARGO_PKG_VERSION"),
    ));
    let bindings = cbindgen::Builder::new()
        // Only the FFI layer: the core's public items are not part of the C API.
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen can read src/ffi");
    bindings.write_to_file(out_dir.join("together_video.h"));
    if env::var_os("TV_UPDATE_HEADER").is_some_and(|v| v == "1") {
        bindings.write_to_file(crate_dir.join("include").join("together_video.h"));
        // The Go module's copy: cgo includes it from inside the module.
        bindings.write_to_file(crate_dir.join("bindings/go/togethervideo/together_video.h"));
    }
}
