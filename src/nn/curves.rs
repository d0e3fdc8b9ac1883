//! The figure of a run: training loss and test accuracy against the step,
//! drawn with plotters on any backend (canvas in the page, SVG/PNG in the
//! CLI).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::train::RunRecord;
use crate::chart::{draw_error, BLUE_OI, VERMILLION};
use crate::error::Result;

/// Draw `record`'s loss (left) and test-accuracy curve (right) on `area`.
///
/// # Errors
/// Whatever the backend reports while drawing.
pub fn draw_run<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    record: &RunRecord,
) -> Result<()> {
    let title = format!(
        "{} norm on {}: test accuracy {:.1}%{}",
        record.config.norm,
        record.config.task,
        100.0 * record.test_accuracy,
        record
            .diverged
            .as_ref()
            .map_or(String::new(), |d| format!(" ({})", d.message))
    );
    let area = area
        .titled(&title, ("sans-serif", 18))
        .map_err(draw_error)?;
    let (left, right) = area.split_horizontally(area.dim_in_pixel().0 / 2);
    let steps = (record.loss.len().max(1)) as f32;

    let max_loss = record
        .loss
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f32, f32::max)
        .max(0.1)
        * 1.05;
    let mut chart = ChartBuilder::on(&left)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(0f32..steps, 0f32..max_loss)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("training loss")
        .light_line_style(WHITE)
        .draw()
        .map_err(draw_error)?;
    chart
        .draw_series(LineSeries::new(
            record
                .loss
                .iter()
                .enumerate()
                .map(|(i, &l)| ((i + 1) as f32, l)),
            VERMILLION.stroke_width(2),
        ))
        .map_err(draw_error)?;

    let mut chart = ChartBuilder::on(&right)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(0f32..steps, 0f32..1f32)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("test accuracy")
        .light_line_style(WHITE)
        .draw()
        .map_err(draw_error)?;
    let chance = 1.0 / record.classes.len().max(1) as f32;
    chart
        .draw_series(LineSeries::new(
            [(0.0, chance), (steps, chance)],
            BLACK.mix(0.4).stroke_width(1),
        ))
        .map_err(draw_error)?
        .label(format!("chance ({:.0}%)", 100.0 * chance))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.4)));
    chart
        .draw_series(LineSeries::new(
            record
                .test_curve
                .iter()
                .map(|p| (p.step as f32, p.accuracy)),
            BLUE_OI.stroke_width(2),
        ))
        .map_err(draw_error)?
        .label("test accuracy")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLUE_OI.stroke_width(2)));
    chart
        .draw_series(
            record
                .test_curve
                .iter()
                .map(|p| Circle::new((p.step as f32, p.accuracy), 3, BLUE_OI.filled())),
        )
        .map_err(draw_error)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(draw_error)?;
    Ok(())
}
