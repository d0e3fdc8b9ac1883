//! `cargo xtask bench`: build pkg/, serve it with `bench/` and
//! `node_modules/` (the peers' files) next to the page, and run
//! `bench/run.mjs` in headless Chromium. It prints a table and writes
//! `bench/results.json`. With `--train` it runs the training benchmark
//! instead (`bench/train.mjs`: the native CLI and the wasm engine against
//! TensorFlow.js and ConvNetJS in the same browser) and writes
//! `bench/train-results.json`. Benchmarks never pass or fail on a time; only
//! a broken set-up (no Chromium, no npm packages, a page error) is an error.

use std::net::TcpListener;
use std::thread;

use crate::pkgbuild;
use crate::serve::{self, Site};
use crate::tools;
use crate::util::{cargo, command, root, run, target_dir, Result};

/// Build, serve on a free local port, and run the benchmark page.
///
/// # Errors
/// When the build, the npm install, Chromium or the runner script fails.
pub fn bench(quick: bool, build: bool, train: bool, shapes: &[String]) -> Result<()> {
    if build {
        pkgbuild::build()?;
    } else if !pkgbuild::pkg_dir().join("normscope.js").is_file() {
        return Err(
            "pkg/ has not been built yet: run `cargo xtask build`, or bench without --no-build"
                .into(),
        );
    }
    if train {
        // The native half of the training benchmark (same timing as the page).
        run(command(cargo()).args(["build", "--release", "--quiet", "--example", "train_speed"]))?;
    }
    tools::ensure_npm_packages()?;
    tools::ensure_chromium()?;
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| format!("cannot open a local port for the benchmark server ({e})"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read the benchmark server's address ({e})"))?
        .port();
    let site = Site {
        www: root().join("www"),
        pkg: pkgbuild::pkg_dir(),
        log: false,
        extra: vec![
            ("bench", root().join("bench")),
            ("tasks", crate::util::tasks_dir()),
            ("node_modules", root().join("node_modules")),
        ],
        // onnxruntime-web's second thread needs SharedArrayBuffer.
        isolated: true,
    };
    // The server thread ends with the process.
    thread::spawn(move || serve::run(listener, site));
    let (script, results) = if train {
        ("train.mjs", "train-results.json")
    } else {
        ("run.mjs", "results.json")
    };
    let mut cmd = command("node");
    cmd.arg(root().join("bench").join(script))
        .arg("--url")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("--out")
        .arg(root().join("bench").join(results));
    if train {
        cmd.arg("--native").arg(
            target_dir()
                .join("release")
                .join("examples")
                .join("train_speed"),
        );
    }
    if quick {
        cmd.arg("--quick");
    }
    for shape in shapes {
        cmd.arg("--shape").arg(shape);
    }
    run(&mut cmd)
}
