//! The `normscope` command-line tool: argument parsing and file I/O only,
//! one file per command.
//!
//! ```text
//! normscope normalize --norm instance --out out.npy a.png b.jpg   normalize.rs
//! normscope figure --contrast 0.5 --out fig.svg a.png b.jpg        figure.rs
//! normscope stats --contrast 0.5 --json a.png b.jpg                stats.rs
//! normscope grad --norm batch --dy dy.npy --out dx.npy x.npy       grad.rs
//! normscope train --norm batch --out run.json --svg run.svg        train.rs
//! normscope lab race --seeds 5 --out DIR                           lab.rs
//!                                       the shared file I/O         io.rs
//! ```
//!
//! Every failure prints one line on stderr naming the file and the reason,
//! exits non-zero and leaves no output file behind: results are written to a
//! temporary file in the destination directory and renamed into place only
//! when complete.
//!
//! A new command is a file with its `Args` struct and `pub fn run(&Args) ->
//! Result<()>`, a `mod` line below, a variant of `Command` and an arm in
//! `main`'s match.

// Each command file starts with `#![cfg(not(target_arch = "wasm32"))]`: the
// binary has nothing to do in a browser, and this keeps
// `cargo clippy --all-targets --target wasm32-unknown-unknown` building.
mod figure;
mod grad;
mod io;
mod lab;
mod normalize;
mod stats;
mod train;

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
use clap::{Parser, Subcommand};

#[cfg(not(target_arch = "wasm32"))]
#[derive(Parser)]
#[command(
    name = "normscope",
    version,
    about = "See on real photographs why instance normalization ignores contrast and batch normalization does not."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[cfg(not(target_arch = "wasm32"))]
#[derive(Subcommand)]
enum Command {
    /// Normalize a batch of images (or one .npy batch) and save it as a float32 N×C×H×W .npy.
    Normalize(normalize::NormalizeArgs),
    /// Draw the explainer figure (SVG or PNG): the probe image, original and adjusted, through each kind.
    Figure(figure::FigureArgs),
    /// Print per-image, per-channel statistics and how each kind reacts to the adjustment.
    Stats(stats::StatsArgs),
    /// Backward pass of the pure normalization: write dx (float32 .npy) for x and an upstream gradient dy.
    Grad(grad::GradArgs),
    /// Train the small convolutional network on a photo task and write its record (JSON) and figure.
    Train(train::TrainArgs),
    /// Record a lab experiment over several seeds: the page's JSON, an SVG chart and the conclusions.
    Lab(lab::LabArgs),
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    return std::process::ExitCode::SUCCESS;
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    return std::process::ExitCode::from(2);
                }
                _ => {}
            }
            // clap's message is followed by a usage block; keep the
            // promise of one line: its first paragraph, joined.
            let text = e.render().to_string();
            let first: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            eprintln!(
                "normscope: {} (see normscope --help)",
                first.join(" ").trim_start_matches("error: ")
            );
            return std::process::ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Normalize(args) => normalize::run(&args),
        Command::Figure(args) => figure::run(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Grad(args) => grad::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Lab(args) => lab::run(&args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("normscope: {}", e.to_string().replace(['\n', '\r'], " "));
            std::process::ExitCode::FAILURE
        }
    }
}
