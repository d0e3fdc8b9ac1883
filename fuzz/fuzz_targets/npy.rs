//! Any bytes as a `.npy` batch, then every normalization kind on what
//! parses. Errors are fine; panics, hangs and out-of-memory are bugs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use normscope::norm::{normalize, NormConfig, NormKind};

fuzz_target!(|data: &[u8]| {
    let Ok(batch) = normscope::npy::read_npy(data) else {
        return;
    };
    if batch.len() > 1 << 20 {
        return;
    }
    for kind in NormKind::PAGE {
        let mut cfg = NormConfig::new(kind);
        if kind == NormKind::Group {
            cfg = cfg.with_groups(1);
        }
        if kind == NormKind::BatchInstance {
            cfg = cfg.with_rho(0.5);
        }
        let _ = normalize(batch.view(), &cfg);
    }
});
