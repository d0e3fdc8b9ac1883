//! `normscope normalize`: one kind of normalization over a batch of images
//! (or one .npy batch), saved as a float32 N×C×H×W .npy. Also the
//! normalization parameters every image command shares.
//!
//! ```text
//! normscope normalize --norm instance --out out.npy a.png b.jpg
//! normscope normalize --norm group --groups 3 --out out.npy batch.npy
//! ```
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use clap::Args;

use crate::io::{check_extension, load_batch, write_atomically, InputArgs, Progress};
use normscope::{norm::DEFAULT_EPS, NormConfig, NormKind, Result};

#[derive(Args)]
pub struct NormalizeArgs {
    /// batch, instance, layer, group or batch-instance.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub norm: NormKind,
    #[command(flatten)]
    pub params: NormParams,
    /// Where to write the float32 N×C×H×W result (.npy).
    #[arg(long, value_name = "OUT.npy")]
    pub out: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Parameters shared by every normalization kind.
#[derive(Args, Clone)]
pub struct NormParams {
    /// Number of groups G for group norm (must divide the 3 channels: 1 or 3).
    #[arg(long, value_name = "G")]
    pub groups: Option<usize>,
    /// Batch/instance mix ρ in [0, 1] for batch-instance norm.
    #[arg(long, value_name = "R")]
    pub rho: Option<f64>,
    /// Added to the variance before the square root.
    #[arg(long, value_name = "E", default_value_t = DEFAULT_EPS)]
    pub eps: f64,
}

impl NormParams {
    pub fn config(&self, kind: NormKind) -> NormConfig {
        let mut cfg = NormConfig::new(kind).with_eps(self.eps);
        if let Some(g) = self.groups {
            cfg = cfg.with_groups(g);
        }
        if let Some(r) = self.rho {
            cfg = cfg.with_rho(r);
        }
        cfg
    }
}

pub fn parse_kind(s: &str) -> std::result::Result<NormKind, String> {
    s.parse::<NormKind>().map_err(|e| e.to_string())
}

pub fn run(args: &NormalizeArgs) -> Result<()> {
    check_extension(&args.out, &["npy"])?;
    let cfg = args.params.config(args.norm);
    let progress = Progress::new(args.input.inputs.len() as u64 + 1);
    let (batch, _names) = load_batch(&args.input, &progress)?;
    cfg.validate(batch.shape()[1])?;
    progress.set_message("normalizing");
    let out = normscope::normalize(batch.view(), &cfg)?;
    progress.inc();
    progress.finish();
    write_atomically(&args.out, |w| normscope::npy::write_npy(w, &out))
}
