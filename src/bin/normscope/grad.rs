//! `normscope grad`: the backward pass of the pure normalization, so a
//! hand derivation (e.g. of batch norm's backward) can be checked.
//!
//! ```text
//! normscope grad --norm batch --dy dy.npy --out dx.npy x.npy
//! ```
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use clap::Args;

use crate::io::{check_extension, display, read_capped, write_atomically, Progress, MAX_NPY_BYTES};
use crate::normalize::parse_kind;
use normscope::norm::normalization_backward;
use normscope::{norm::DEFAULT_EPS, NormConfig, NormKind, Result};

#[derive(Args)]
pub struct GradArgs {
    /// batch, instance, layer, group or batch-instance (training-mode statistics, no γ/β).
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    norm: NormKind,
    /// Number of groups G for group norm (must divide the channels).
    #[arg(long, value_name = "G")]
    groups: Option<usize>,
    /// Batch/instance mix ρ in [0, 1] for batch-instance norm.
    #[arg(long, value_name = "R")]
    rho: Option<f64>,
    /// Added to the variance before the square root.
    #[arg(long, value_name = "E", default_value_t = DEFAULT_EPS)]
    eps: f64,
    /// The upstream gradient ∂L/∂y: float32/float64 .npy with x's shape.
    #[arg(long, value_name = "DY.npy")]
    dy: PathBuf,
    /// Where to write ∂L/∂x (float32 .npy, x's shape).
    #[arg(long, value_name = "DX.npy")]
    out: PathBuf,
    /// The input batch x: float32/float64 N×C×H×W .npy.
    #[arg(value_name = "X.npy")]
    x: PathBuf,
}

fn load(path: &std::path::Path) -> Result<ndarray::Array4<f32>> {
    let name = display(path);
    let bytes = read_capped(path, MAX_NPY_BYTES)?;
    normscope::npy::read_npy(&bytes).map_err(|e| e.context(&name))
}

pub fn run(args: &GradArgs) -> Result<()> {
    check_extension(&args.out, &["npy"])?;
    let mut cfg = NormConfig::new(args.norm).with_eps(args.eps);
    if let Some(g) = args.groups {
        cfg = cfg.with_groups(g);
    }
    if let Some(r) = args.rho {
        cfg = cfg.with_rho(r);
    }
    let progress = Progress::new(3);
    progress.set_message("reading x");
    let x = load(&args.x)?;
    progress.inc();
    progress.set_message("reading dy");
    let dy = load(&args.dy)?;
    progress.inc();
    progress.set_message("backward pass");
    let dx = normalization_backward(x.view(), dy.view(), &cfg)?;
    progress.inc();
    progress.finish();
    write_atomically(&args.out, |w| normscope::npy::write_npy(w, &dx))
}
