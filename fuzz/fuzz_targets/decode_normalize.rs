//! Any bytes through the core's path: the page's judge of the file
//! (`file::check_file`, hand-written parsers), then decode with limits,
//! add to a session (shrink, crop, resize), normalize with every kind.
//! Errors are fine; panics, hangs and out-of-memory are bugs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use normscope::session::Session;
use normscope::file::{decode_image, LoadLimits};

fuzz_target!(|data: &[u8]| {
    // Tighter than the defaults so one input cannot take seconds: the
    // header checks are the same code, only the numbers are smaller.
    let limits = LoadLimits {
        max_side: 4096,
        max_pixels: 4_000_000,
        max_alloc: 64 << 20,
        ..LoadLimits::default()
    };
    let _ = normscope::file::check_file(data, &limits);
    let Ok(image) = decode_image(data, &limits) else {
        return;
    };
    let Ok(mut session) = Session::new(16) else {
        return;
    };
    if session.add_image("fuzz", image).is_ok() {
        let _ = session.compute();
        let _ = session.readout();
    }
});
