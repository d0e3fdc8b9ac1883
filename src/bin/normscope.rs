//! The `normscope` command-line tool: argument parsing and file I/O only.
//!
//! ```text
//! normscope normalize --norm instance --out out.npy a.png b.jpg
//! normscope normalize --norm group --groups 3 --out out.npy batch.npy
//! normscope figure --contrast 0.5 --norms batch,instance --out fig.svg a.png b.jpg
//! normscope stats --contrast 0.5 --json a.png b.jpg
//! normscope grad --norm batch --dy dy.npy --out dx.npy x.npy
//! normscope train --norm batch --out run.json --svg run.svg
//! ```
//!
//! Every failure prints one line on stderr naming the file and the reason,
//! exits non-zero and leaves no output file behind: results are written to a
//! temporary file in the destination directory and renamed into place only
//! when complete.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

// The binary has nothing to do in a browser; this keeps
// `cargo clippy --all-targets --target wasm32-unknown-unknown` building.
#[cfg(target_arch = "wasm32")]
fn main() {}

// The training engine's commands (src/bin/normscope/*.rs).
#[cfg(not(target_arch = "wasm32"))]
#[path = "normscope/grad.rs"]
mod grad;
#[cfg(not(target_arch = "wasm32"))]
#[path = "normscope/lab.rs"]
mod lab;
#[cfg(not(target_arch = "wasm32"))]
#[path = "normscope/train.rs"]
mod train;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::fs;
    use std::io::{BufWriter, IsTerminal, Write};
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;
    use std::time::{Duration, Instant};

    use clap::{Args, Parser, Subcommand};
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use ndarray::{Array4, Axis};

    use normscope::explain::{
        adjustment_label, render_figure, stats_report, ExplainOptions, FigureFormat, StatsReport,
    };
    use normscope::file::{decode_image, LoadLimits};
    use normscope::tensor::{fit_image, image_to_chw, Fit};
    use normscope::{norm::DEFAULT_EPS, Adjustment, Error, NormConfig, NormKind, Result};

    /// Largest f32 batch the CLI builds in memory (its normalized copy
    /// doubles this): 1 GiB, e.g. 100 images of 3×1024×896.
    const MAX_BATCH_BYTES: u64 = 1 << 30;
    /// Largest `.npy` input: a batch file is raw f32/f64, so bigger than a photo.
    pub(crate) const MAX_NPY_BYTES: u64 = 2 << 30;

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

    #[derive(Subcommand)]
    enum Command {
        /// Normalize a batch of images (or one .npy batch) and save it as a float32 N×C×H×W .npy.
        Normalize(NormalizeArgs),
        /// Draw the explainer figure (SVG or PNG): the probe image, original and adjusted, through each kind.
        Figure(FigureArgs),
        /// Print per-image, per-channel statistics and how each kind reacts to the adjustment.
        Stats(StatsArgs),
        /// Backward pass of the pure normalization: write dx (float32 .npy) for x and an upstream gradient dy.
        Grad(crate::grad::GradArgs),
        /// Train the small convolutional network on a photo task and write its record (JSON) and figure.
        Train(crate::train::TrainArgs),
        /// Record a lab experiment over several seeds: the page's JSON, an SVG chart and the conclusions.
        Lab(crate::lab::LabArgs),
    }

    /// What the explainer compares: the probe, its adjustment and the kinds.
    #[derive(Args, Clone)]
    struct ExplainArgs {
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
        fn options(&self) -> ExplainOptions {
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
    struct FigureArgs {
        #[command(flatten)]
        explain: ExplainArgs,
        /// Figure width in pixels.
        #[arg(long, value_name = "PX", default_value_t = 1600)]
        width: u32,
        /// Figure height in pixels.
        #[arg(long, value_name = "PX", default_value_t = 900)]
        height: u32,
        /// Where to write the figure: .svg or .png.
        #[arg(long, value_name = "FIG.svg|FIG.png")]
        out: PathBuf,
        #[command(flatten)]
        input: InputArgs,
    }

    #[derive(Args)]
    struct StatsArgs {
        #[command(flatten)]
        explain: ExplainArgs,
        /// Print the full report as JSON (default: a short readable summary).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        input: InputArgs,
    }

    /// Parameters shared by every normalization kind.
    #[derive(Args, Clone)]
    struct NormParams {
        /// Number of groups G for group norm (must divide the 3 channels: 1 or 3).
        #[arg(long, value_name = "G")]
        groups: Option<usize>,
        /// Batch/instance mix ρ in [0, 1] for batch-instance norm.
        #[arg(long, value_name = "R")]
        rho: Option<f64>,
        /// Added to the variance before the square root.
        #[arg(long, value_name = "E", default_value_t = DEFAULT_EPS)]
        eps: f64,
    }

    impl NormParams {
        fn config(&self, kind: NormKind) -> NormConfig {
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

    /// The batch to work on.
    #[derive(Args, Clone)]
    struct InputArgs {
        /// Resize every image to W×H (default: the first image's size). Images of the target size are never resampled.
        #[arg(long, value_name = "WxH", value_parser = parse_size)]
        size: Option<(u32, u32)>,
        /// Image files (PNG, JPEG, GIF, BMP, WebP), stacked in this order, or exactly one .npy batch (N×C×H×W).
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
    }

    #[derive(Args)]
    struct NormalizeArgs {
        /// batch, instance, layer, group or batch-instance.
        #[arg(long, value_name = "KIND", value_parser = parse_kind)]
        norm: NormKind,
        #[command(flatten)]
        params: NormParams,
        /// Where to write the float32 N×C×H×W result (.npy).
        #[arg(long, value_name = "OUT.npy")]
        out: PathBuf,
        #[command(flatten)]
        input: InputArgs,
    }

    fn parse_kind(s: &str) -> std::result::Result<NormKind, String> {
        s.parse::<NormKind>().map_err(|e| e.to_string())
    }

    fn parse_size(s: &str) -> std::result::Result<(u32, u32), String> {
        let bad = || format!("{s:?} is not a size; write it as WIDTHxHEIGHT, e.g. 512x384");
        let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
        let w: u32 = w.trim().parse().map_err(|_| bad())?;
        let h: u32 = h.trim().parse().map_err(|_| bad())?;
        if w == 0 || h == 0 {
            return Err(format!("{s:?}: width and height must be at least 1"));
        }
        let limits = LoadLimits::default();
        limits.check_dimensions(w, h).map_err(|e| e.to_string())?;
        Ok((w, h))
    }

    pub fn main() -> ExitCode {
        let cli = match Cli::try_parse() {
            Ok(cli) => cli,
            Err(e) => {
                use clap::error::ErrorKind;
                match e.kind() {
                    ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                        let _ = e.print();
                        return ExitCode::SUCCESS;
                    }
                    ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                        let _ = e.print();
                        return ExitCode::from(2);
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
                return ExitCode::from(2);
            }
        };
        let result = match cli.command {
            Command::Normalize(args) => normalize(&args),
            Command::Figure(args) => figure(&args),
            Command::Stats(args) => stats(&args),
            Command::Grad(args) => crate::grad::run(&args),
            Command::Train(args) => crate::train::run(&args),
            Command::Lab(args) => crate::lab::run(&args),
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("normscope: {}", e.to_string().replace(['\n', '\r'], " "));
                ExitCode::FAILURE
            }
        }
    }

    fn normalize(args: &NormalizeArgs) -> Result<()> {
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

    fn figure(args: &FigureArgs) -> Result<()> {
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

    fn stats(args: &StatsArgs) -> Result<()> {
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

    /// Display name of a path, for messages: control characters (a newline,
    /// a terminal escape) in a file name are shown escaped, so a hostile
    /// name can neither break the one-line message nor drive the terminal.
    pub(crate) fn display(path: &Path) -> String {
        let mut out = String::new();
        for c in path.display().to_string().chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        out
    }

    pub(crate) fn check_extension(path: &Path, allowed: &[&str]) -> Result<String> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if allowed.contains(&ext.as_str()) {
            Ok(ext)
        } else {
            Err(Error::BadInput(format!(
                "{}: the output file name must end in .{}",
                display(path),
                allowed.join(" or .")
            )))
        }
    }

    fn is_npy(path: &Path) -> bool {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    }

    /// Read a whole file, refusing one bigger than `max` before reading it.
    pub(crate) fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>> {
        let name = display(path);
        let io = |e: std::io::Error| Error::BadInput(format!("{name}: cannot read the file ({e})"));
        let meta = fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return Err(Error::BadInput(format!(
                "{name}: is a folder, not a file — name the image files inside it"
            )));
        }
        if meta.len() > max {
            return Err(Error::TooLarge(format!(
                "{name}: the file is {:.0} MB; normscope reads files up to {:.0} MB",
                meta.len() as f64 / 1e6,
                max as f64 / 1e6
            )));
        }
        fs::read(path).map_err(io)
    }

    /// Load the inputs into one N×3×H×W batch (or the .npy as stored), with
    /// one name per image for reports.
    fn load_batch(input: &InputArgs, progress: &Progress) -> Result<(Array4<f32>, Vec<String>)> {
        let paths = &input.inputs;
        if paths.iter().any(|p| is_npy(p)) {
            if paths.len() != 1 {
                return Err(Error::BadInput(
                    "give either image files or exactly one .npy batch, not a mix or several .npy files".into(),
                ));
            }
            let path = &paths[0];
            let name = display(path);
            if input.size.is_some() {
                return Err(Error::BadInput(format!(
                    "{name}: --size resizes images; a .npy batch is used as stored"
                )));
            }
            progress.set_message(format!("reading {name}"));
            let bytes = read_capped(path, MAX_NPY_BYTES)?;
            let batch = normscope::npy::read_npy(&bytes).map_err(|e| e.context(&name))?;
            progress.inc();
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.clone());
            let names = (1..=batch.shape()[0])
                .map(|i| format!("{stem}[{i}]"))
                .collect();
            return Ok((batch, names));
        }

        let limits = LoadLimits::default();
        let mut batch: Option<Array4<f32>> = None;
        let mut names = Vec::with_capacity(paths.len());
        for (i, path) in paths.iter().enumerate() {
            let name = display(path);
            progress.set_message(format!("loading {name}"));
            let bytes = read_capped(path, limits.max_file_bytes)?;
            let img = decode_image(&bytes, &limits).map_err(|e| e.context(&name))?;
            drop(bytes);
            let (w, h) = input.size.unwrap_or((img.width(), img.height()));
            let target = match &mut batch {
                Some(b) => b,
                None => {
                    let bytes_needed = paths.len() as u64 * 3 * u64::from(w) * u64::from(h) * 4;
                    if bytes_needed > MAX_BATCH_BYTES {
                        return Err(Error::TooLarge(format!(
                            "{name}: {} images of {w}×{h} would need {:.0} MB as float32; the limit is {:.0} MB — pass a smaller --size, e.g. --size 512x512",
                            paths.len(),
                            bytes_needed as f64 / 1e6,
                            MAX_BATCH_BYTES as f64 / 1e6
                        )));
                    }
                    batch.insert(Array4::zeros((paths.len(), 3, h as usize, w as usize)))
                }
            };
            // Resize in 8/16-bit space, then convert the small image to f32.
            let (bw, bh) = (target.shape()[3] as u32, target.shape()[2] as u32);
            let fitted = fit_image(&img, bw, bh, Fit::Stretch);
            drop(img);
            target
                .index_axis_mut(Axis(0), i)
                .assign(&image_to_chw(&fitted));
            names.push(
                path.file_name()
                    .map(|s| display(Path::new(s)))
                    .unwrap_or(name),
            );
            progress.inc();
        }
        let batch = batch.ok_or_else(|| Error::BadInput("no input files were given".into()))?;
        Ok((batch, names))
    }

    /// Write `path` all or nothing: into a temporary file next to it, then
    /// renamed over it. On any error the temporary file is deleted.
    pub(crate) fn write_atomically<F>(path: &Path, write: F) -> Result<()>
    where
        F: FnOnce(&mut BufWriter<&mut fs::File>) -> Result<()>,
    {
        let name = display(path);
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let io =
            |what: &str, e: std::io::Error| Error::BadInput(format!("{name}: cannot {what} ({e})"));
        let mut builder = tempfile::Builder::new();
        builder.prefix(".normscope-").suffix(".part");
        // tempfile creates files readable by the owner only; an exported
        // figure or tensor should get ordinary permissions (umask applies).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder
            .tempfile_in(&dir)
            .map_err(|e| io("create the output file in that folder", e))?;
        {
            let mut w = BufWriter::new(tmp.as_file_mut());
            write(&mut w).map_err(|e| e.context(&name))?;
            w.flush().map_err(|e| io("write the output file", e))?;
        }
        tmp.as_file()
            .sync_all()
            .map_err(|e| io("write the output file", e))?;
        tmp.persist(path)
            .map_err(|e| io("save the output file", e.error))?;
        Ok(())
    }

    /// A progress bar on stderr that appears only if the work takes more
    /// than a moment and stderr is a terminal.
    pub(crate) struct Progress {
        bar: ProgressBar,
        start: Instant,
        tty: bool,
    }

    impl Progress {
        const DELAY: Duration = Duration::from_millis(300);

        pub(crate) fn new(len: u64) -> Self {
            let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
                bar.set_style(style);
            }
            Progress {
                bar,
                start: Instant::now(),
                tty: std::io::stderr().is_terminal(),
            }
        }

        fn reveal_if_slow(&self) {
            if self.tty && self.bar.is_hidden() && self.start.elapsed() > Self::DELAY {
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
            }
        }

        pub(crate) fn set_message(&self, msg: impl Into<std::borrow::Cow<'static, str>>) {
            self.reveal_if_slow();
            self.bar.set_message(msg);
        }

        pub(crate) fn inc(&self) {
            self.bar.inc(1);
            self.reveal_if_slow();
        }

        pub(crate) fn finish(&self) {
            self.bar.finish_and_clear();
        }
    }

    impl Drop for Progress {
        // On an error path the bar must not stay drawn above the message.
        fn drop(&mut self) {
            self.bar.finish_and_clear();
        }
    }
}
