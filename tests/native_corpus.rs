#![cfg(not(target_arch = "wasm32"))]
// The counting allocator below is the only unsafe code: it forwards to the
// system allocator and records the largest request, to prove that hostile
// headers are refused without allocating for the size they claim.
#![allow(unsafe_code)]
//! The bad-input corpus (`tests/corpus/`) through the core door: the
//! session's `add_encoded` (what the page's decoding amounts to),
//! `file::decode_image`, and `npy::read_npy` for `.npy` files; and the
//! page's judge, `file::check_file`, against each file's page outcome.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Instant;

use normscope::file::check_file;
use normscope::file::{decode_image, pixel_decodes_started, LoadLimits};
use normscope::session::Session;
use normscope::Error;
use serde_json::Value;

// ---- an allocator that remembers the largest request on this thread ----

struct Counting;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| {
        if size > l.get() {
            l.set(size);
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The largest single allocation made on this thread while `f` ran.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    let out = f();
    (out, LARGEST.with(Cell::get))
}

// ---- the manifest ----

struct Entry {
    file: String,
    npy: bool,
    core: String,
    says: Vec<String>,
    size: Option<(u32, u32)>,
    header_only: bool,
    /// What the page does (it judges with `file::check_file`, then the browser decodes).
    page: String,
    page_says: Vec<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(corpus_dir().join("manifest.json")).expect("manifest");
    let v: Value = serde_json::from_str(&text).expect("manifest is JSON");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    v.as_array()
        .expect("manifest is a list")
        .iter()
        .map(|e| Entry {
            file: e["file"].as_str().expect("file").to_string(),
            npy: e["kind"] == "npy",
            core: e["core"].as_str().expect("core").to_string(),
            says: strings(&e["says"]),
            size: e["size"].as_array().map(|s| {
                (
                    s[0].as_u64().unwrap_or(0) as u32,
                    s[1].as_u64().unwrap_or(0) as u32,
                )
            }),
            header_only: e["header_only"].as_bool().unwrap_or(false),
            page: e["page"].as_str().expect("page").to_string(),
            page_says: strings(&e["page_says"]),
        })
        .collect()
}

fn bytes_of(e: &Entry) -> Vec<u8> {
    std::fs::read(corpus_dir().join(&e.file)).expect("corpus file")
}

fn kind(e: &Error) -> &'static str {
    match e {
        Error::BadInput(_) => "BadInput",
        Error::TooLarge(_) => "TooLarge",
        Error::Unsupported(_) => "Unsupported",
        Error::Internal(_) => "Internal",
    }
}

/// The message is one line, names the file, and says the listed words.
fn check_message(e: &Entry, err: &Error) -> Result<(), String> {
    let m = err.to_string();
    let lower = m.to_lowercase();
    if kind(err) != e.core {
        return Err(format!("{}: expected {}, got {err:?}", e.file, e.core));
    }
    if !m.starts_with(&format!("{}: ", e.file)) {
        return Err(format!(
            "{}: message does not start with the file name: {m}",
            e.file
        ));
    }
    if m.contains('\n') || m.contains('\r') {
        return Err(format!("{}: message spans lines: {m:?}", e.file));
    }
    for w in &e.says {
        if !lower.contains(w.as_str()) {
            return Err(format!("{}: message lacks {w:?}: {m}", e.file));
        }
    }
    Ok(())
}

#[test]
fn the_corpus_has_at_least_forty_files_and_all_exist() {
    let entries = manifest();
    assert!(entries.len() >= 40, "only {} corpus files", entries.len());
    for e in &entries {
        assert!(
            corpus_dir().join(&e.file).is_file(),
            "{} is missing",
            e.file
        );
    }
    // Every outcome is exercised.
    for outcome in ["ok", "BadInput", "TooLarge", "Unsupported"] {
        assert!(
            entries.iter().any(|e| e.core == outcome),
            "no {outcome} file"
        );
    }
}

#[test]
fn every_image_file_gets_its_outcome_and_the_batch_keeps_the_rest() {
    let mut failures = Vec::new();
    for e in manifest().iter().filter(|e| !e.npy) {
        let bytes = bytes_of(e);
        // A batch of two good images, then the corpus file.
        let mut session = Session::new(64).expect("session");
        session
            .add_encoded("a.png", &bytes_of_named("ok-rgb.png"))
            .expect("good image");
        session
            .add_encoded("b.jpg", &bytes_of_named("ok-baseline.jpg"))
            .expect("good image");
        match (e.core.as_str(), session.add_encoded(&e.file, &bytes)) {
            ("ok", Ok(i)) => {
                if i != 2 || session.len() != 3 {
                    failures.push(format!("{}: added at {i}, batch {}", e.file, session.len()));
                }
                // Centre-cropped and resized to the working size.
                match session.input_rgba(i) {
                    Ok(px) if px.len() == 64 * 64 * 4 => {}
                    other => failures.push(format!("{}: input pixels {other:?}", e.file)),
                }
            }
            ("ok", Err(err)) => failures.push(format!("{}: expected ok, got {err:?}", e.file)),
            (_, Ok(_)) => failures.push(format!("{}: expected {}, was accepted", e.file, e.core)),
            (_, Err(err)) => {
                if let Err(f) = check_message(e, &err) {
                    failures.push(f);
                }
                if session.len() != 2 {
                    failures.push(format!(
                        "{}: the batch lost images ({} left)",
                        e.file,
                        session.len()
                    ));
                }
            }
        }
        // The rest of the batch still computes.
        if let Err(err) = session.compute() {
            failures.push(format!("{}: the batch no longer computes: {err:?}", e.file));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn bytes_of_named(name: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(name)).expect("corpus file")
}

#[test]
fn accepted_images_decode_upright_at_their_full_size() {
    for e in manifest().iter().filter(|e| !e.npy && e.core == "ok") {
        let img = decode_image(&bytes_of(e), &LoadLimits::default())
            .unwrap_or_else(|err| panic!("{}: {err:?}", e.file));
        let want = e
            .size
            .unwrap_or_else(|| panic!("{}: no size in the manifest", e.file));
        assert_eq!((img.width(), img.height()), want, "{}", e.file);
    }
}

#[test]
fn hostile_headers_are_refused_before_decoding_without_allocating_their_size() {
    let mut seen = 0;
    for e in manifest().iter().filter(|e| e.header_only) {
        let bytes = bytes_of(e);
        let before = pixel_decodes_started();
        let started = Instant::now();
        let (result, largest) = largest_allocation(|| decode_image(&bytes, &LoadLimits::default()));
        let took = started.elapsed();
        let err = match result {
            Err(err) => err.context(&e.file),
            Ok(img) => panic!("{}: decoded {}×{}", e.file, img.width(), img.height()),
        };
        check_message(e, &err).unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(
            pixel_decodes_started(),
            before,
            "{}: the pixel decoder ran before the refusal",
            e.file
        );
        // The claimed sizes are gigabytes; a header read needs kilobytes
        // (the file itself is copied at most once, plus zlib's window).
        assert!(
            largest < (1 << 20).max(bytes.len() * 2),
            "{}: allocated {largest} bytes at once",
            e.file
        );
        eprintln!(
            "{}: refused in {:.2} ms, largest allocation {largest} bytes",
            e.file,
            took.as_secs_f64() * 1e3
        );
        seen += 1;
    }
    assert!(seen >= 8, "only {seen} hostile-header files");
}

#[test]
fn a_good_image_does_run_the_decoder() {
    // The counter the test above relies on does move for a real decode.
    let before = pixel_decodes_started();
    decode_image(&bytes_of_named("ok-rgb.png"), &LoadLimits::default()).expect("decodes");
    assert_eq!(pixel_decodes_started(), before + 1);
}

#[test]
fn every_npy_file_gets_its_outcome() {
    let mut failures = Vec::new();
    for e in manifest().iter().filter(|e| e.npy) {
        let result = normscope::npy::read_npy(&bytes_of(e)).map_err(|err| err.context(&e.file));
        match (e.core.as_str(), result) {
            ("ok", Ok(a)) => {
                if a.ndim() != 4 || a.iter().any(|v| !v.is_finite()) {
                    failures.push(format!("{}: bad array {:?}", e.file, a.shape()));
                }
            }
            ("ok", Err(err)) => failures.push(format!("{}: expected ok, got {err:?}", e.file)),
            (_, Ok(a)) => failures.push(format!(
                "{}: expected {}, read {:?}",
                e.file,
                e.core,
                a.shape()
            )),
            (_, Err(err)) => {
                if let Err(f) = check_message(e, &err) {
                    failures.push(f);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn npy_with_a_lying_header_is_refused_without_allocating_its_claim() {
    let e = manifest()
        .into_iter()
        .find(|e| e.file == "npy-lying-header.npy")
        .expect("in the manifest");
    let bytes = bytes_of(&e);
    // The header claims 1000×3×1000×1000 float32 values: 12 GB.
    let (result, largest) = largest_allocation(|| normscope::npy::read_npy(&bytes));
    assert!(matches!(result, Err(Error::BadInput(_))), "{result:?}");
    assert!(largest < 1 << 20, "allocated {largest} bytes at once");
}

#[test]
fn the_page_check_gives_every_file_its_page_outcome_from_the_header_first() {
    let mut failures = Vec::new();
    for e in manifest() {
        let bytes = bytes_of(&e);
        let (result, largest) = largest_allocation(|| check_file(&bytes, &LoadLimits::default()));
        match (e.page.as_str(), result) {
            ("ok", Ok(info)) => {
                // The header's size is the decoded size, before EXIF rotation.
                if let Some((w, h)) = e.size {
                    let got = (info.width, info.height);
                    if got != (w, h) && got != (h, w) {
                        failures.push(format!("{}: header says {}×{}", e.file, got.0, got.1));
                    }
                }
            }
            ("ok", Err(err)) => failures.push(format!("{}: expected ok, got {err:?}", e.file)),
            (want, Ok(_)) => failures.push(format!("{}: expected {want}, was accepted", e.file)),
            (_, Err(err)) => {
                let as_page = Entry {
                    file: e.file.clone(),
                    npy: e.npy,
                    core: e.page.clone(),
                    says: e.page_says.clone(),
                    size: e.size,
                    header_only: e.header_only,
                    page: e.page.clone(),
                    page_says: e.page_says.clone(),
                };
                if let Err(f) = check_message(&as_page, &err.context(&e.file)) {
                    failures.push(f);
                }
            }
        }
        // A hostile header costs no allocation of the size it claims; the
        // check never copies the file (PNG keeps a list of its IDAT chunks).
        if e.header_only && largest >= 1 << 20 {
            failures.push(format!("{}: allocated {largest} bytes at once", e.file));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn both_doors_give_the_same_verdict_on_the_same_bytes() {
    // The page judges with `check_file` and lets the browser decode; the CLI
    // decodes with `decode_image`. Same bytes, same verdict: the same
    // outcome, and for a refusal the same message.
    let mut failures = Vec::new();
    let limits = LoadLimits::default();
    for e in manifest().iter().filter(|e| !e.npy) {
        let bytes = bytes_of(e);
        let page = check_file(&bytes, &limits).map(|info| (info.width, info.height));
        let cli = decode_image(&bytes, &limits).map(|img| (img.width(), img.height()));
        match (page, cli) {
            (Ok(_), Ok(_)) => {}
            (Err(p), Err(c)) if p.to_string() == c.to_string() && kind(&p) == kind(&c) => {}
            (p, c) => failures.push(format!("{}: page {p:?}, CLI {c:?}", e.file)),
        }
        if e.core != e.page || e.says != e.page_says {
            failures.push(format!(
                "{}: the manifest gives the doors different outcomes",
                e.file
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
