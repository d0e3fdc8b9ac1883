//! The CLI's file I/O, shared by its commands: the input batch (images or
//! one .npy), capped reads, all-or-nothing writes, names safe to print, and
//! a progress bar that shows only when the work is slow.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ndarray::{Array4, Axis};

use normscope::file::{decode_image, LoadLimits};
use normscope::tensor::{fit_image, image_to_chw, Fit};
use normscope::{Error, Result};

/// Largest f32 batch the CLI builds in memory (its normalized copy
/// doubles this): 1 GiB, e.g. 100 images of 3×1024×896.
const MAX_BATCH_BYTES: u64 = 1 << 30;
/// Largest `.npy` input: a batch file is raw f32/f64, so bigger than a photo.
pub const MAX_NPY_BYTES: u64 = 2 << 30;

/// The batch to work on.
#[derive(Args, Clone)]
pub struct InputArgs {
    /// Resize every image to W×H (default: the first image's size). Images of the target size are never resampled.
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
    /// Image files (PNG, JPEG, GIF, BMP, WebP), stacked in this order, or exactly one .npy batch (N×C×H×W).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
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

/// Display name of a path, for messages: control characters (a newline,
/// a terminal escape) in a file name are shown escaped, so a hostile
/// name can neither break the one-line message nor drive the terminal.
pub fn display(path: &Path) -> String {
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

pub fn check_extension(path: &Path, allowed: &[&str]) -> Result<String> {
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
pub fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>> {
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
pub fn load_batch(input: &InputArgs, progress: &Progress) -> Result<(Array4<f32>, Vec<String>)> {
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
pub fn write_atomically<F>(path: &Path, write: F) -> Result<()>
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
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    tty: bool,
}

impl Progress {
    const DELAY: Duration = Duration::from_millis(300);

    pub fn new(len: u64) -> Self {
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

    pub fn set_message(&self, msg: impl Into<std::borrow::Cow<'static, str>>) {
        self.reveal_if_slow();
        self.bar.set_message(msg);
    }

    pub fn inc(&self) {
        self.bar.inc(1);
        self.reveal_if_slow();
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    // On an error path the bar must not stay drawn above the message.
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
