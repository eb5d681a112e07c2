//! `cargo run -p uniffi-bindgen -- generate --library LIB --language kotlin|swift|python`:
//! uniffi's own generator, pinned to the library's uniffi version.

fn main() {
    uniffi::uniffi_bindgen_main()
}
