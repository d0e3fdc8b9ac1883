//! `normscope stats`: per-image, per-channel statistics and how each kind
//! reacts to the adjustment, as a short summary or as JSON.
//!
//! ```text
//! normscope stats --contrast 0.5 --json a.png b.jpg
//! ```
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;

use clap::Args;

use crate::figure::ExplainArgs;
use crate::io::{load_batch, InputArgs, Progress};
use normscope::explain::{adjustment_label, stats_report, StatsReport};
use normscope::{Error, Result};

#[derive(Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub explain: ExplainArgs,
    /// Print the full report as JSON (default: a short readable summary).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(args: &StatsArgs) -> Result<()> {
    let opts = args.explain.options();
    opts.adjustment.validate()?;
    let progress = Progress::new(args.input.inputs.len() as u64 + 1);
    let (batch, names) = load_batch(&args.input, &progress)?;
    progress.set_message("computing statistics");
    let report = stats_report(batch.view(), &names, &opts)?;
    progress.inc();
    progress.finish();
    let text = if args.json {
        serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Internal(format!("writing JSON: {e}")))?
    } else {
        summary(&report)
    };
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        // `normscope stats | head` closing the pipe early is not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::BadInput(format!(
            "cannot write to standard output ({e})"
        ))),
        _ => Ok(()),
    }
}

/// The readable form of a report: the probe's change per kind, then
/// per-image channel means and standard deviations of the input.
fn summary(report: &StatsReport) -> String {
    let mut lines = Vec::new();
    let probe = report
        .images
        .get(report.probe)
        .map_or("?", |i| i.name.as_str());
    lines.push(format!(
        "probe: image {} ({probe}), {}",
        report.probe,
        adjustment_label(&report.adjustment)
    ));
    for inv in &report.invariance {
        lines.push(format!(
            "  {:<24} max |Δ| = {:<10.3e} rms Δ = {:<10.3e} {}",
            inv.kind,
            inv.difference.max_abs,
            inv.difference.rms,
            if inv.unchanged {
                "unchanged"
            } else {
                "changed"
            }
        ));
    }
    lines.push("input (mean ± std per channel):".into());
    for img in &report.images {
        let ch: Vec<String> = img
            .input
            .iter()
            .map(|c| format!("{:.3} ± {:.3}", c.mean, c.std))
            .collect();
        lines.push(format!(
            "  {:>3} {:<24} {}",
            img.index,
            img.name,
            ch.join("   ")
        ));
    }
    lines.join("\n")
}
