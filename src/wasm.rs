//! The browser skin: the only module that knows wasm-bindgen and web-sys.
