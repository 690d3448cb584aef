//! A series' attendance as a picture: the listeners present at each class as bars, those invited
//! as a line over them.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::export::{ExportError, ExportFile, class_labels, series_file_name};
use super::report::SeriesReport;
use crate::i18n::{Lang, tr};

/// Wide enough for a term of weekly classes with readable dates, small enough for a chat.
pub const CHART_SIZE: (u32, u32) = (1000, 500);

/// Plotters draws text only with a registered font; DejaVu Sans has Cyrillic (licence beside it).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

/// Past this, a title would run off the picture.
const TITLE_MAX_CHARS: usize = 80;
/// Past this, the x axis shows every other date (plotters picks which) instead of a smear.
const MAX_X_LABELS: usize = 20;
/// Past this, the counts over the bars would overlap.
const MAX_BAR_COUNTS: usize = 30;

const PRESENT: RGBColor = RGBColor(66, 133, 244);
const INVITED: RGBColor = RGBColor(219, 68, 55);

/// The chart as a PNG.
pub fn series_chart(report: &SeriesReport, lang: Lang) -> Result<ExportFile, ExportError> {
    register_font()?;
    let (width, height) = CHART_SIZE;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    draw(report, lang, &mut pixels)?;
    Ok(ExportFile { name: series_file_name(report, "png"), bytes: encode_png(&pixels)? })
}

/// Plotters draws RGB into memory; the PNG is made here, so no file ever touches the disk.
fn encode_png(pixels: &[u8]) -> Result<Vec<u8>, ExportError> {
    let (width, height) = CHART_SIZE;
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(bytes)
}

fn register_font() -> Result<(), ExportError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ExportError::Font) }
}

fn draw(report: &SeriesReport, lang: Lang, pixels: &mut [u8]) -> Result<(), ExportError> {
    let root = BitMapBackend::with_buffer(pixels, CHART_SIZE).into_drawing_area();
    root.fill(&WHITE)?;

    let starts: Vec<_> = report.classes.iter().map(|c| c.starts_at).collect();
    let labels = class_labels(&starts, report.tz);
    // A discrete range holds its end, so 0..=n-1 is n slots; an empty series keeps one blank slot
    // and a scale up to 1 so that its axes still draw.
    let last = u32::try_from(labels.len().saturating_sub(1)).unwrap_or(u32::MAX);
    let highest = report.classes.iter().map(|c| c.present.max(c.invited)).max().unwrap_or(0);
    // A quarter above the highest point keeps the legend off the line.
    let top = highest + highest / 4 + 1;

    let title: String = report.title.chars().take(TITLE_MAX_CHARS).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FAMILY, 24))
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(64)
        .build_cartesian_2d((0..last).into_segmented(), 0..top)?;

    let label_of = |v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(i) => usize::try_from(*i).ok().and_then(|i| labels.get(i)).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(labels.len().clamp(1, MAX_X_LABELS))
        .x_label_formatter(&label_of)
        .y_label_formatter(&|n: &usize| n.to_string())
        .x_desc(tr(lang, "attendance-file-chart-x"))
        .y_desc(tr(lang, "attendance-file-chart-y"))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .draw()?;

    let slot = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    let pixel = |x: SegmentValue<u32>, y: usize| chart.backend_coord(&(x, y));
    let slot_width = pixel(SegmentValue::Exact(1), 0).0 - pixel(SegmentValue::Exact(0), 0).0;
    let gap = u32::try_from(slot_width / 8).unwrap_or(0).min(8);
    let bar_height = |present: usize| pixel(SegmentValue::Exact(0), 0).1 - pixel(SegmentValue::Exact(0), present).1;
    let bars: Vec<_> = report
        .classes
        .iter()
        .enumerate()
        .map(|(i, class)| {
            let mut bar = Rectangle::new(
                [(SegmentValue::Exact(slot(i)), 0), (SegmentValue::Exact(slot(i).saturating_add(1)), class.present)],
                PRESENT.filled(),
            );
            bar.set_margin(0, 0, gap, gap);
            bar
        })
        .collect();
    // Inside the bar where it is tall enough, so a full class's count does not sit under the
    // invited line's marker; above it where it is not.
    let counts: Vec<_> = report
        .classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.present > 0 && report.classes.len() <= MAX_BAR_COUNTS)
        .map(|(i, class)| {
            let (dy, colour, anchor) =
                if bar_height(class.present) >= 24 { (10, &WHITE, VPos::Top) } else { (-4, &BLACK, VPos::Bottom) };
            let style = TextStyle::from((FAMILY, 14).into_font()).color(colour).pos(Pos::new(HPos::Center, anchor));
            EmptyElement::at((SegmentValue::CenterOf(slot(i)), class.present))
                + Text::new(class.present.to_string(), (0, dy), style)
        })
        .collect();
    chart
        .draw_series(bars)?
        .label(tr(lang, "attendance-file-chart-present"))
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], PRESENT.filled()));
    chart.draw_series(counts)?;

    let invited: Vec<_> =
        report.classes.iter().enumerate().map(|(i, class)| (SegmentValue::CenterOf(slot(i)), class.invited)).collect();
    chart
        .draw_series(LineSeries::new(invited.clone(), INVITED.stroke_width(2)))?
        .label(tr(lang, "attendance-file-chart-invited"))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 12, y)], INVITED.stroke_width(2)));
    chart.draw_series(invited.into_iter().map(|point| Circle::new(point, 4, INVITED.filled())))?;

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FAMILY, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;

    if report.classes.is_empty() {
        let (w, h) = CHART_SIZE;
        let centred = TextStyle::from((FAMILY, 20).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
        let middle = (i32::try_from(w / 2).unwrap_or(0), i32::try_from(h / 2).unwrap_or(0));
        root.draw(&Text::new(tr(lang, "attendance-file-series-empty"), middle, centred))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance::export::tests::series;
    use crate::attendance::report::{Counted, SeriesClass};
    use chrono::{Duration, TimeZone, Utc};

    /// Width and height from a PNG's signature and IHDR chunk.
    fn png_size(bytes: &[u8]) -> (u32, u32) {
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "the PNG signature");
        assert_eq!(&bytes[12..16], b"IHDR", "IHDR comes first");
        let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        (be(16), be(20))
    }

    #[test]
    fn the_chart_is_a_png_of_the_chosen_size() {
        let chart = series_chart(&series(), Lang::Ru).unwrap();
        assert_eq!(chart.name, "attendance-series-2026-12-01.png");
        assert_eq!(png_size(&chart.bytes), CHART_SIZE);
        assert!(chart.bytes.len() < 200_000, "a modest picture: {} bytes", chart.bytes.len());
    }

    #[test]
    fn an_empty_series_still_draws() {
        let empty = SeriesReport { classes: vec![], rows: vec![], ..series() };
        let chart = series_chart(&empty, Lang::En).unwrap();
        assert_eq!(chart.name, "attendance-series.png");
        assert_eq!(png_size(&chart.bytes), CHART_SIZE);

        let nobody = SeriesReport {
            classes: series().classes.into_iter().map(|c| SeriesClass { present: 0, invited: 0, ..c }).collect(),
            rows: vec![],
            ..series()
        };
        assert_eq!(png_size(&series_chart(&nobody, Lang::Ru).unwrap().bytes), CHART_SIZE);
    }

    #[test]
    fn a_long_series_with_a_long_title_still_draws() {
        let first = Utc.with_ymd_and_hms(2026, 9, 1, 7, 0, 0).unwrap();
        let report = SeriesReport {
            title: "Очень длинное название серии занятий, ".repeat(10),
            classes: (0..120)
                .map(|i| SeriesClass {
                    starts_at: first + Duration::days(i / 2) + Duration::hours(i % 2 * 3),
                    counted: Counted::Report,
                    present: usize::try_from(i % 7).unwrap(),
                    invited: 9,
                })
                .collect(),
            ..series()
        };
        assert_eq!(png_size(&series_chart(&report, Lang::Ru).unwrap().bytes), CHART_SIZE);
    }
}
