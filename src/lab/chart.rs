//! The main chart of a lab file, drawn with plotters on any backend: a
//! dot per seed (faint) and the mean (a bold bar) with the seeds' range
//! for each arm's test accuracy; for `lighting`, test accuracy against the
//! test-time contrast, each seed faint and the mean bold, per kind.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::file::{ArmFields, LabFile, LabRun, SummaryRow};
use crate::chart::draw_error;
use crate::error::Result;
use crate::nn::NormKind;

/// The page's colour for a kind (Okabe–Ito, as `www/js/lab/config.js`).
pub fn kind_color(kind: NormKind) -> RGBColor {
    match kind {
        NormKind::None => RGBColor(0x55, 0x55, 0x55),
        NormKind::Batch => RGBColor(0x00, 0x72, 0xb2),
        NormKind::Instance => RGBColor(0xd5, 0x5e, 0x00),
        NormKind::Layer => RGBColor(0x00, 0x9e, 0x73),
        NormKind::Group => RGBColor(0xa8, 0x43, 0x7f),
        NormKind::BatchInstance => RGBColor(0xb0, 0x78, 0x00),
        NormKind::Ibn => RGBColor(0x3a, 0x8f, 0xc4),
    }
}

/// An arm's short name: the kind and what else it varies.
pub fn arm_label(kind: NormKind, arm: &ArmFields) -> String {
    let mut s = kind.to_string();
    if let Some(t) = arm.task {
        s += &format!(" {t}");
    }
    if let Some(b) = arm.batch {
        s += &format!(" B={b}");
    }
    if let Some(lr) = arm.lr {
        s += &format!(" lr={lr}");
    }
    if let Some(g) = arm.groups {
        s += &format!(" G={g}");
    }
    if let Some(m) = arm.bn_momentum {
        s += &format!(" m={m}");
    }
    s
}

/// The runs of a summary row's arm.
fn runs_of<'a>(file: &'a LabFile, row: &'a SummaryRow) -> impl Iterator<Item = &'a LabRun> {
    file.runs.iter().filter(move |r| {
        let c = &r.record.config;
        r.kind == row.kind
            && row.arm.task.is_none_or(|t| c.task == t)
            && row.arm.batch.is_none_or(|b| c.batch == b)
            && row.arm.lr.is_none_or(|lr| c.lr == lr)
            && row.arm.groups.is_none_or(|g| c.groups == g)
            && row.arm.bn_momentum.is_none_or(|m| c.bn_momentum == m)
    })
}

/// Which chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Final test accuracy per arm: a dot per seed, the mean as a bar.
    Strip,
    /// Test accuracy against test-time contrast, per kind.
    Lighting,
}

/// Draw `file`'s main chart on `area`.
///
/// # Errors
/// Whatever the backend reports while drawing.
pub fn draw_lab<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    file: &LabFile,
    kind: ChartKind,
) -> Result<()> {
    area.fill(&WHITE).map_err(draw_error)?;
    if kind == ChartKind::Lighting {
        return draw_lighting(area, file);
    }
    let n = file.seeds.len();
    let title = format!(
        "{} ({}): test accuracy, a dot per seed, the mean as a bar, n = {n}",
        file.experiment, file.task
    );
    let rows = &file.summary;
    let arms = rows.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(14)
        .x_label_area_size(if arms > 8 { 110 } else { 40 })
        .y_label_area_size(52)
        .build_cartesian_2d(-0.5f64..arms as f64 - 0.5, 0f64..1f64)
        .map_err(draw_error)?;
    let labels: Vec<String> = rows.iter().map(|r| arm_label(r.kind, &r.arm)).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        // Arm i sits at x = i, so the whole-number ticks name the arms.
        .x_labels(arms + 1)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_label_style(if arms > 8 {
            ("sans-serif", 12)
                .into_text_style(area)
                .transform(FontTransform::Rotate90)
        } else {
            ("sans-serif", 13).into_text_style(area)
        })
        .y_desc("test accuracy")
        .light_line_style(WHITE)
        .draw()
        .map_err(draw_error)?;
    for (i, row) in rows.iter().enumerate() {
        let x = i as f64;
        let color = kind_color(row.kind);
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(x, row.min), (x, row.max)],
                color.mix(0.5).stroke_width(1),
            )))
            .map_err(draw_error)?;
        chart
            .draw_series(runs_of(file, row).map(|r| {
                // Seeds side by side, so equal accuracies stay visible.
                let dx = 0.3 * ((r.seed as f64 - 0.5) / n.max(1) as f64 - 0.5);
                Circle::new(
                    (x + dx, f64::from(r.record.test_accuracy)),
                    3,
                    color.mix(0.4).filled(),
                )
            }))
            .map_err(draw_error)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(x - 0.3, row.mean), (x + 0.3, row.mean)],
                color.stroke_width(4),
            )))
            .map_err(draw_error)?;
    }
    area.present().map_err(draw_error)?;
    Ok(())
}

/// Test accuracy against test-time contrast: each seed faint, the mean bold.
fn draw_lighting<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, file: &LabFile) -> Result<()> {
    let n = file.seeds.len();
    let title = format!(
        "lighting ({}): test accuracy against test-time contrast, each seed faint, the mean bold, n = {n}",
        file.task
    );
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 16))
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(52)
        .build_cartesian_2d((0.2f64..2.2f64).log_scale(), 0f64..1f64)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("contrast a (trained at 1)")
        .y_desc("test accuracy")
        .light_line_style(WHITE)
        .draw()
        .map_err(draw_error)?;
    for row in &file.summary {
        let color = kind_color(row.kind);
        let runs: Vec<&LabRun> = runs_of(file, row).collect();
        for r in &runs {
            let points = r
                .lighting
                .contrast
                .iter()
                .map(|p| (f64::from(p.value), f64::from(p.accuracy)));
            chart
                .draw_series(LineSeries::new(points, color.mix(0.25).stroke_width(1)))
                .map_err(draw_error)?;
        }
        let Some(first) = runs.first() else { continue };
        let mean: Vec<(f64, f64)> = first
            .lighting
            .contrast
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let values: Vec<f64> = runs
                    .iter()
                    .filter_map(|r| r.lighting.contrast.get(i))
                    .map(|q| f64::from(q.accuracy))
                    .collect();
                (
                    f64::from(p.value),
                    values.iter().sum::<f64>() / values.len().max(1) as f64,
                )
            })
            .collect();
        chart
            .draw_series(LineSeries::new(mean, color.stroke_width(3)))
            .map_err(draw_error)?
            .label(row.kind.to_string())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(draw_error)?;
    area.present().map_err(draw_error)?;
    Ok(())
}
