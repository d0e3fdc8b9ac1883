//! `normscope figure`: the explainer figure (SVG or PNG): the probe image,
//! original and adjusted, through each kind. Also the explainer's
//! arguments, which `normscope stats` shares.
//!
//! ```text
//! normscope figure --contrast 0.5 --norms batch,instance --out fig.svg a.png b.jpg
//! ```
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::io::{check_extension, load_batch, write_atomically, InputArgs, Progress};
use crate::normalize::{parse_kind, NormParams};
use normscope::explain::{render_figure, ExplainOptions, FigureFormat};
use normscope::{Adjustment, Error, NormKind, Result};

/// What the explainer compares: the probe, its adjustment and the kinds.
#[derive(Args, Clone)]
pub struct ExplainArgs {
    /// Index of the image to adjust, counting from 0 in argument order.
    #[arg(long, value_name = "K", default_value_t = 0)]
    probe: usize,
    /// Contrast a > 0 around mid-grey: x ← a·(x − 0.5) + 0.5 + b.
    #[arg(long, value_name = "A", default_value_t = 1.0)]
    contrast: f32,
    /// Brightness b added after the contrast.
    #[arg(
        long,
        value_name = "B",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    brightness: f32,
    /// Gamma γ > 0 applied first: x ← x^γ.
    #[arg(long, value_name = "G", default_value_t = 1.0)]
    gamma: f32,
    /// Clamp the adjusted image to [0, 1], as a camera sensor saturates.
    #[arg(long)]
    clip: bool,
    /// Kinds to compare, comma-separated: batch, instance, layer, group, batch-instance.
    #[arg(long, value_name = "KINDS", value_delimiter = ',', value_parser = parse_kind, default_values = ["batch", "instance"])]
    norms: Vec<NormKind>,
    #[command(flatten)]
    params: NormParams,
}

impl ExplainArgs {
    pub fn options(&self) -> ExplainOptions {
        ExplainOptions {
            probe: self.probe,
            adjustment: Adjustment {
                contrast: self.contrast,
                brightness: self.brightness,
                gamma: self.gamma,
                clip: self.clip,
            },
            norms: self.norms.iter().map(|&k| self.params.config(k)).collect(),
            ..ExplainOptions::default()
        }
    }
}

#[derive(Args)]
pub struct FigureArgs {
    #[command(flatten)]
    pub explain: ExplainArgs,
    /// Figure width in pixels.
    #[arg(long, value_name = "PX", default_value_t = 1600)]
    pub width: u32,
    /// Figure height in pixels.
    #[arg(long, value_name = "PX", default_value_t = 900)]
    pub height: u32,
    /// Where to write the figure: .svg or .png.
    #[arg(long, value_name = "FIG.svg|FIG.png")]
    pub out: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(args: &FigureArgs) -> Result<()> {
    let format = match check_extension(&args.out, &["svg", "png"])?.as_str() {
        "png" => FigureFormat::Png,
        _ => FigureFormat::Svg,
    };
    let opts = args.explain.options();
    // Cheap checks before any decoding.
    opts.adjustment.validate()?;
    let progress = Progress::new(args.input.inputs.len() as u64 + 1);
    let (batch, names) = load_batch(&args.input, &progress)?;
    progress.set_message("drawing");
    let bytes = render_figure(batch.view(), &names, &opts, format, args.width, args.height)?;
    progress.inc();
    progress.finish();
    write_atomically(&args.out, |w| {
        w.write_all(&bytes)
            .map_err(|e| Error::BadInput(format!("cannot write the figure ({e})")))
    })
}
