#![cfg(not(target_arch = "wasm32"))]
//! Charts and the explainer figure, drawn natively to SVG and PNG.

use ndarray::Array4;
use normscope::chart::{draw_histograms, draw_running_stats, render_png, render_svg};
use normscope::explain::{min_figure_size, render_figure, ExplainOptions, FigureFormat};
use normscope::norm::RunningPoint;
use normscope::stats::{channel_histograms, channel_moments};
use normscope::{Adjustment, Error, NormConfig, NormKind};
use plotters::prelude::*;

const FIXTURES: [&str; 4] = ["chelsea.png", "coffee.png", "rocket.jpg", "camera.png"];

/// Decode the fixture photos as RGB, resized to `side`×`side`, into an
/// N×3×H×W batch with values in [0, 1] (the loader in src/file/ and src/tensor.rs is
/// tested separately).
fn photo_batch(side: u32) -> (Array4<f32>, Vec<String>) {
    let s = side as usize;
    let mut batch = Array4::<f32>::zeros((FIXTURES.len(), 3, s, s));
    for (n, name) in FIXTURES.iter().enumerate() {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let img = image::open(&path).expect("fixture decodes").to_rgb8();
        let img = image::imageops::resize(&img, side, side, image::imageops::FilterType::Triangle);
        for (x, y, p) in img.enumerate_pixels() {
            for c in 0..3 {
                batch[[n, c, y as usize, x as usize]] = p[c] as f32 / 255.0;
            }
        }
    }
    (batch, FIXTURES.iter().map(|s| s.to_string()).collect())
}

fn options() -> ExplainOptions {
    ExplainOptions {
        probe: 0,
        adjustment: Adjustment {
            contrast: 0.5,
            brightness: 0.1,
            ..Adjustment::default()
        },
        ..ExplainOptions::default()
    }
}

fn attribute(svg: &str, name: &str) -> Option<String> {
    let tag_end = svg.find('>')?;
    let tag = &svg[..tag_end];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(tag[start..start + len].to_string())
}

/// Decode standard base64 (test helper, to check embedded PNGs).
fn unbase64(text: &str) -> Vec<u8> {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for b in text.bytes().take_while(|&b| b != b'=') {
        let v = ABC.iter().position(|&a| a == b).expect("base64 character") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn histogram_chart_has_labelled_axes_and_the_moments() {
    let (batch, _) = photo_batch(32);
    let image = batch.index_axis(ndarray::Axis(0), 1);
    let hists = channel_histograms(image, 0.0, 1.0, 32).expect("valid");
    let moments = channel_moments(image);
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (640, 360)).into_drawing_area();
        draw_histograms(&area, &hists, Some(&moments), "coffee.png input").expect("draws");
    }
    for text in ["value", "count", "coffee.png input", "R ", "G ", "B "] {
        assert!(svg.contains(text), "missing {text:?}");
    }
    let mean_r = format!("{:.3} ± {:.3}", moments[0].mean, moments[0].std());
    assert!(svg.contains(&mean_r), "missing {mean_r:?}");
    // The Okabe–Ito colours of R, G, B are used.
    for colour in ["#D55E00", "#009E73", "#0072B2"] {
        assert!(svg.contains(colour), "missing {colour}");
    }
}

#[test]
fn histogram_chart_refuses_mismatched_input() {
    let mut svg = String::new();
    let area = SVGBackend::with_string(&mut svg, (200, 100)).into_drawing_area();
    assert!(matches!(
        draw_histograms(&area, &[], None, ""),
        Err(Error::BadInput(_))
    ));
    let (batch, _) = photo_batch(8);
    let image = batch.index_axis(ndarray::Axis(0), 0);
    let hists = channel_histograms(image, 0.0, 1.0, 8).expect("valid");
    let moments = channel_moments(image);
    assert!(matches!(
        draw_histograms(&area, &hists, Some(&moments[..2]), ""),
        Err(Error::BadInput(_))
    ));
}

#[test]
fn running_stats_chart_draws_both_panels() {
    let history: Vec<RunningPoint> = (0..20u64)
        .map(|step| RunningPoint {
            step,
            mean: vec![0.5 * (1.0 - 0.9f64.powi(step as i32)); 3],
            var: vec![1.0 - 0.05 * step as f64; 3],
        })
        .collect();
    let svg = render_svg(600, 400, |area| {
        draw_running_stats(area, &history, "batch norm running statistics")
    })
    .expect("draws");
    for text in [
        "running mean",
        "running variance",
        "training step",
        "R",
        "B",
    ] {
        assert!(svg.contains(text), "missing {text:?}");
    }
    let empty = render_svg(600, 400, |area| draw_running_stats(area, &[], ""));
    assert!(matches!(empty, Err(Error::BadInput(_))));
}

#[test]
fn explainer_svg_has_the_requested_size_and_embedded_panels() {
    let (batch, names) = photo_batch(96);
    let svg = render_figure(
        batch.view(),
        &names,
        &options(),
        FigureFormat::Svg,
        900,
        640,
    )
    .expect("renders");
    let svg = String::from_utf8(svg).expect("SVG is UTF-8");
    assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(attribute(&svg, "width").as_deref(), Some("900"));
    assert_eq!(attribute(&svg, "height").as_deref(), Some("640"));
    for text in [
        "chelsea.png",
        "batch norm",
        "instance norm",
        "changed",
        "unchanged",
    ] {
        assert!(svg.contains(text), "missing {text:?}");
    }
    // Six image panels (2 rows × input, batch, instance), each an embedded
    // PNG of at most 160 px a side rather than thousands of <rect>s.
    let images: Vec<&str> = svg
        .split("href=\"data:image/png;base64,")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').expect("closing quote")])
        .collect();
    assert_eq!(images.len(), 6);
    for b64 in images {
        let png = image::load_from_memory(&unbase64(b64)).expect("embedded PNG decodes");
        assert!(png.width() <= 160 && png.height() <= 160 && png.width() > 16);
    }
    assert!(svg.len() < 1_000_000, "SVG is {} bytes", svg.len());
}

#[test]
fn explainer_png_decodes_at_the_requested_size_and_is_not_blank() {
    let (batch, names) = photo_batch(96);
    let png = render_figure(
        batch.view(),
        &names,
        &options(),
        FigureFormat::Png,
        1000,
        700,
    )
    .expect("renders");
    let img = image::load_from_memory(&png)
        .expect("PNG decodes")
        .to_rgb8();
    assert_eq!(img.dimensions(), (1000, 700));
    let colours: std::collections::HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 2000, "only {} colours", colours.len());
}

#[test]
fn explainer_draws_a_grey_batch_and_any_kind_list() {
    let (batch, names) = photo_batch(40);
    // One channel: the camera image's grey values only.
    let grey = batch.slice(ndarray::s![.., 0..1, .., ..]).to_owned();
    let opts = ExplainOptions {
        probe: 3,
        norms: vec![
            NormConfig::new(NormKind::Layer),
            NormConfig::new(NormKind::BatchInstance).with_rho(0.5),
            NormConfig::new(NormKind::Instance),
        ],
        bins: 16,
        adjustment: Adjustment {
            gamma: 2.0,
            ..Adjustment::default()
        },
    };
    let svg =
        render_figure(grey.view(), &names, &opts, FigureFormat::Svg, 1200, 600).expect("renders");
    let svg = String::from_utf8(svg).expect("UTF-8");
    for text in [
        "camera.png",
        "layer norm",
        "batch-instance (ρ=0.5) norm",
        "grey",
    ] {
        assert!(svg.contains(text), "missing {text:?}");
    }
}

#[test]
fn explainer_refuses_bad_options_and_sizes() {
    let (batch, names) = photo_batch(16);
    let bad = [
        ExplainOptions {
            probe: 4,
            ..ExplainOptions::default()
        },
        ExplainOptions {
            norms: vec![],
            ..ExplainOptions::default()
        },
        ExplainOptions {
            bins: 0,
            ..ExplainOptions::default()
        },
    ];
    for opts in bad {
        let r = render_figure(batch.view(), &names, &opts, FigureFormat::Png, 400, 300);
        assert!(matches!(r, Err(Error::BadInput(_))), "{opts:?}");
    }
    // Figures too small to read are refused with the size to use; the
    // minimum itself renders.
    let (min_w, min_h) = min_figure_size(3);
    for (w, h) in [(120, 90), (1, 1), (min_w - 1, min_h), (min_w, min_h - 1)] {
        for format in [FigureFormat::Png, FigureFormat::Svg] {
            let r = render_figure(batch.view(), &names, &options(), format, w, h);
            let hint = format!("at least {min_w}×{min_h}");
            assert!(
                matches!(&r, Err(Error::BadInput(m)) if m.contains(&hint)),
                "{w}×{h} {format:?}: {r:?}"
            );
        }
    }
    for format in [FigureFormat::Png, FigureFormat::Svg] {
        let r = render_figure(batch.view(), &names, &options(), format, min_w, min_h);
        assert!(r.is_ok(), "{format:?} at the minimum size: {r:?}");
    }
    let r = render_figure(batch.view(), &names, &options(), FigureFormat::Png, 0, 300);
    assert!(matches!(r, Err(Error::BadInput(_))));
    let r = render_png(100_000, 10, |_| Ok(()));
    assert!(matches!(r, Err(Error::TooLarge(_))));
}

#[test]
fn a_histogram_fingerprint_changes_with_anything_the_chart_shows() {
    use normscope::chart::histograms_fingerprint;
    use normscope::stats::{Histogram, Moments};
    let hist = Histogram {
        lo: -4.0,
        hi: 4.0,
        counts: vec![1, 5, 2],
        below: 0,
        above: 1,
    };
    let m = [Moments {
        mean: 0.1234,
        var: 1.0,
        count: 9,
    }];
    let key = |h: &Histogram, m: &[Moments], title: &str, size| {
        histograms_fingerprint(std::slice::from_ref(h), Some(m), title, size)
    };
    let base = key(&hist, &m, "t", (320, 170));
    assert_eq!(base, key(&hist.clone(), &m, "t", (320, 170)));
    // Below the legend's three decimals the picture is the same.
    let mut near = m;
    near[0].mean += 1e-9;
    assert_eq!(base, key(&hist, &near, "t", (320, 170)));
    let mut counts = hist.clone();
    counts.counts[1] += 1;
    let mut outside = hist.clone();
    outside.above += 1;
    let mut shown = m;
    shown[0].mean += 0.01;
    for other in [
        key(&counts, &m, "t", (320, 170)),
        key(&outside, &m, "t", (320, 170)),
        key(&hist, &shown, "t", (320, 170)),
        key(&hist, &m, "u", (320, 170)),
        key(&hist, &m, "t", (640, 340)),
    ] {
        assert_ne!(base, other);
    }
    assert!(base < 1 << 52, "fits a JS number exactly");
}

/// Columns of dark pixels in a grey image, grouped into runs of adjacent
/// columns: one run per glyph for well-spaced text. Each run gives its
/// lowest and highest dark row.
fn glyph_runs(img: &image::GrayImage) -> Vec<(u32, u32)> {
    let mut runs = Vec::new();
    let mut current: Option<(u32, u32)> = None;
    for x in 0..img.width() {
        let dark: Vec<u32> = (0..img.height())
            .filter(|&y| img.get_pixel(x, y)[0] < 128)
            .collect();
        match (dark.first(), dark.last(), current) {
            (Some(&top), Some(&bottom), Some((t, b))) => {
                current = Some((t.min(top), b.max(bottom)))
            }
            (Some(&top), Some(&bottom), None) => current = Some((top, bottom)),
            (None, _, Some(run)) => {
                runs.push(run);
                current = None;
            }
            _ => {}
        }
    }
    runs.extend(current);
    runs
}

#[test]
fn png_text_puts_a_decimal_point_on_the_baseline_of_its_digits() {
    // plotters' bitmap text drew full stops a pixel or two above the
    // digits ("0·5"); at every size a figure uses, the point's lowest row
    // must be the digits' lowest row (±1 px for the round digits' overshoot).
    for size in [10.0, 11.0, 12.5, 14.0, 16.0, 20.0] {
        let png = render_png(80, 40, |area| {
            area.draw_text(
                "7.7",
                &("sans-serif", size).into_font().color(&BLACK),
                (4, 6),
            )
            .map_err(normscope::chart::draw_error)?;
            Ok(())
        })
        .expect("renders");
        let img = image::load_from_memory(&png).expect("decodes").to_luma8();
        let runs = glyph_runs(&img);
        assert_eq!(
            runs.len(),
            3,
            "size {size}: expected 7, point, 7 as three runs, got {runs:?}"
        );
        let (digit_top, digit_bottom) = runs[0];
        let (point_top, point_bottom) = runs[1];
        assert_eq!(
            runs[2], runs[0],
            "size {size}: the two digits differ: {runs:?}"
        );
        assert!(
            point_bottom.abs_diff(digit_bottom) <= 1,
            "size {size}: the point's bottom row {point_bottom} is not on the digits' baseline {digit_bottom}"
        );
        assert!(
            point_top > (digit_top + digit_bottom) / 2,
            "size {size}: the point reaches row {point_top}, above the middle of the digits ({digit_top}..{digit_bottom})"
        );
    }
}
