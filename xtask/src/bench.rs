//! `cargo xtask bench`: build pkg/, serve it with `bench/` and
//! `node_modules/` (the peers' files) next to the page, and run
//! `bench/run.mjs` in headless Chromium. It prints a table and writes
//! `bench/results.json`. With `--train` it runs the training benchmark
//! instead (`bench/train.mjs`: the native CLI and the wasm engine against
//! onnxruntime-web's on-device training, Burn, TensorFlow.js and ConvNetJS
//! in the same browser) and writes `bench/train-results.json`. For the
//! training peers it also makes, under `target/`:
//!
//! ```text
//! target/bench-ortvenv/   a venv with PyPI's onnxruntime-training + onnx (made once)
//! target/bench-onnx/      training artifacts by bench/onnx_artifacts.py  → /onnx-artifacts/
//! target/bench-burn/pkg/  bench/burn (Burn on wasm32) through wasm-bindgen → /burn-pkg/
//! ```
//! Benchmarks never pass or fail on a time; only
//! a broken set-up (no Chromium, no npm packages, a page error) is an error.

use std::net::TcpListener;
use std::thread;

use crate::pkgbuild;
use crate::pyvenv::venv_at;
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
    let mut peers = None;
    if train {
        // The native half of the training benchmark (same timing as the page).
        run(command(cargo()).args(["build", "--release", "--quiet", "--example", "train_speed"]))?;
        peers = Some(TrainingPeers::prepare()?);
    }
    tools::ensure_npm_packages()?;
    tools::ensure_chromium()?;
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| format!("cannot open a local port for the benchmark server ({e})"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read the benchmark server's address ({e})"))?
        .port();
    let mut extra = vec![
        ("bench", root().join("bench")),
        ("tasks", crate::util::tasks_dir()),
        ("node_modules", root().join("node_modules")),
    ];
    if let Some(p) = &peers {
        extra.push(("onnx-artifacts", p.onnx_dir.clone()));
        if let Ok(pkg) = &p.burn_pkg {
            extra.push(("burn-pkg", pkg.clone()));
        }
    }
    let site = Site {
        www: root().join("www"),
        pkg: pkgbuild::pkg_dir(),
        log: false,
        extra,
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
    if let Some(p) = &peers {
        cmd.arg("--python")
            .arg(&p.python)
            .arg("--onnx-dir")
            .arg(&p.onnx_dir);
        match &p.burn_pkg {
            Ok(_) => cmd.arg("--burn"),
            Err(e) => cmd.arg("--burn-refused").arg(e),
        };
    }
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

/// PyPI packages that make the onnxruntime-web peer's training artifacts,
/// pinned: onnxruntime-training 1.19.2 matches npm onnxruntime-web 1.19.2,
/// the last release with the `/training` entry; onnx 1.17 writes IR version
/// 10, the newest that onnxruntime 1.19 reads (onnx 1.23's optimizer model
/// does not load).
const ORT_TRAINING_TOOLS: &[&str] = &[
    "onnxruntime-training==1.19.2",
    "onnx==1.17.0",
    "numpy==2.4.6",
];

/// What the training benchmark's peers need besides npm: a Python that
/// makes the onnxruntime-web artifacts, and the Burn peer built for wasm32.
struct TrainingPeers {
    python: std::path::PathBuf,
    onnx_dir: std::path::PathBuf,
    /// The Burn peer's module, or why it could not be built (the other
    /// peers still run, and the printout shows the reason in its row).
    burn_pkg: std::result::Result<std::path::PathBuf, String>,
}

impl TrainingPeers {
    /// Install or build what is missing (each step is skipped when done).
    fn prepare() -> Result<Self> {
        let python = venv_at(&target_dir().join("bench-ortvenv"), ORT_TRAINING_TOOLS)?;
        let onnx_dir = target_dir().join("bench-onnx");
        std::fs::create_dir_all(&onnx_dir)
            .map_err(|e| format!("cannot make {} ({e})", onnx_dir.display()))?;
        Ok(Self {
            python,
            onnx_dir,
            burn_pkg: build_burn_peer().map_err(|e| {
                eprintln!("the Burn peer did not build, its rows will say so: {e}");
                e
            }),
        })
    }
}

/// Build bench/burn (a standalone crate, outside the root workspace) for
/// wasm32 and run wasm-bindgen on it; returns the directory of the module.
fn build_burn_peer() -> Result<std::path::PathBuf> {
    let target = target_dir().join("bench-burn");
    let version = tools::wasm_bindgen_crate_version()?;
    tools::ensure_wasm_bindgen(&version)?;
    tools::ensure_wasm_target()?;
    let manifest_dir = root().join("bench").join("burn");
    let lock = std::fs::read_to_string(manifest_dir.join("Cargo.lock")).unwrap_or_default();
    let burn_bindgen = tools::locked_versions(&lock, "wasm-bindgen");
    if burn_bindgen != [version.clone()] {
        return Err(format!(
            "bench/burn/Cargo.lock pins wasm-bindgen {burn_bindgen:?}, the project {version}: \
             the one wasm-bindgen CLI must match both (set `wasm-bindgen = \"={version}\"` in bench/burn/Cargo.toml)"
        ));
    }
    run(command(cargo())
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            "wasm32-unknown-unknown",
            "--manifest-path",
        ])
        .arg(manifest_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target))?;
    let pkg = target.join("pkg");
    run(command("wasm-bindgen")
        .args(["--target", "web", "--out-dir"])
        .arg(&pkg)
        .arg(
            target
                .join("wasm32-unknown-unknown")
                .join("release")
                .join("burn_peer.wasm"),
        ))?;
    Ok(pkg)
}
