//! The attendance report as files a teacher downloads: a class or a series as CSV and as xlsx.
//!
//! Every file is built from one table (`class_table`, `series_table`), so the CSV, the
//! spreadsheet and whatever else renders the table hold the same rows. Names and organisations
//! come from users and from the services' reports: nothing in them may become a formula.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use plotters::backend::{BitMapBackend, DrawingBackend};
use plotters::drawing::DrawingAreaErrorKind;
use rust_xlsxwriter::{ColNum, Format, FormatBorder, RowNum, Workbook, Worksheet, XlsxError};

use super::report::{ClassReport, Counted, SeriesReport, Status};
use crate::domain::attendance::{MatchedBy, Unavailable};
use crate::i18n::{Lang, num, text, tr, tr_args};

/// A file ready to send: its name is plain ASCII, so no client mangles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What the bitmap backend's drawing calls fail with.
pub type ChartDrawError = DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing the spreadsheet: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("drawing the chart: {0}")]
    Chart(#[from] ChartDrawError),
    #[error("the embedded chart font does not load")]
    Font,
    #[error("the chart's PNG: {0}")]
    Png(#[from] png::EncodingError),
}

/// The zero-based xlsx row of the table's header: the lines above it say what the table is.
pub const XLSX_TABLE_ROW: u32 = HEADING_LINES as u32 + 1;

/// Lines above an xlsx table; one empty row separates them from it.
const HEADING_LINES: usize = 4;

/// Excel refuses longer cell texts; only a broken service report would send one.
const XLSX_MAX_CHARS: usize = 32_767;

/// Past this, autofit would make one long organisation push the rest off the screen.
const XLSX_MAX_COLUMN_PIXELS: u32 = 320;

/// Excel, LibreOffice and Google Sheets read a leading `=`, `+`, `-` or `@` as a formula, and
/// some of them skip a leading tab or CR before looking (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Without it, Excel reads a UTF-8 CSV in the local code page and Cyrillic turns to mojibake.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A table cell: the xlsx file keeps numbers as numbers so the teacher can sum them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    Text(String),
    Number(u32),
    Empty,
}

impl Cell {
    fn into_text(self) -> String {
        match self {
            Cell::Text(s) => s,
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

fn cell(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn optional(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, cell)
}

fn into_texts(table: Vec<Vec<Cell>>) -> Vec<Vec<String>> {
    table.into_iter().map(|row| row.into_iter().map(Cell::into_text).collect()).collect()
}

/// A class as a table: the header, then the listeners in the report's order, then the
/// participants nobody matched.
pub fn class_table(report: &ClassReport, lang: Lang) -> Vec<Vec<String>> {
    into_texts(class_cells(report, lang))
}

/// A series as a table: a column per class, a row per listener.
pub fn series_table(report: &SeriesReport, lang: Lang) -> Vec<Vec<String>> {
    into_texts(series_cells(report, lang))
}

pub fn class_csv(report: &ClassReport, lang: Lang) -> ExportFile {
    ExportFile { name: class_file_name(report, "csv"), bytes: csv(&class_table(report, lang)) }
}

pub fn series_csv(report: &SeriesReport, lang: Lang) -> ExportFile {
    ExportFile { name: series_file_name(report, "csv"), bytes: csv(&series_table(report, lang)) }
}

/// The class in a spreadsheet: its title, time and what was counted above the table.
pub fn class_xlsx(report: &ClassReport, lang: Lang) -> Result<ExportFile, ExportError> {
    let heading = [
        report.title.clone(),
        class_when(report, lang),
        tr(lang, counted_key(report.counted)),
        class_summary(report, lang),
    ];
    let bytes = xlsx(&tr(lang, "attendance-file-sheet-class"), &heading, class_cells(report, lang))?;
    Ok(ExportFile { name: class_file_name(report, "xlsx"), bytes })
}

/// The series in a spreadsheet: its title, its span and how to read the cells above the table.
pub fn series_xlsx(report: &SeriesReport, lang: Lang) -> Result<ExportFile, ExportError> {
    let marks = [
        ("pressed", text(tr(lang, "attendance-file-mark-pressed"))),
        ("absent", text(tr(lang, "attendance-file-mark-absent"))),
        ("unknown", text(tr(lang, "attendance-file-mark-unknown"))),
    ];
    let heading = [
        report.title.clone(),
        series_period(report, lang),
        tr_args(lang, "attendance-file-series-legend", &marks),
        String::new(),
    ];
    let bytes = xlsx(&tr(lang, "attendance-file-sheet-series"), &heading, series_cells(report, lang))?;
    Ok(ExportFile { name: series_file_name(report, "xlsx"), bytes })
}

fn class_cells(report: &ClassReport, lang: Lang) -> Vec<Vec<Cell>> {
    let header = [
        "attendance-file-col-name",
        "attendance-file-col-organisation",
        "attendance-file-col-status",
        "attendance-file-col-minutes",
        "attendance-file-col-late",
        "attendance-file-col-early",
        "attendance-file-col-matched-by",
        "attendance-file-col-pressed-at",
    ]
    .map(|key| cell(tr(lang, key)));
    let yes_no = |flag: bool| cell(tr(lang, if flag { "attendance-file-yes" } else { "attendance-file-no" }));

    let mut table = vec![header.to_vec()];
    for row in &report.rows {
        let (status, minutes, late, early, pressed_at) = match row.status {
            Status::Attended(p) => (
                "attendance-file-status-attended",
                Cell::Number(p.minutes),
                yes_no(p.joined_late),
                yes_no(p.left_early),
                Cell::Empty,
            ),
            Status::Pressed { at } => (
                "attendance-file-status-pressed",
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                cell(at.with_timezone(&report.tz).format("%H:%M").to_string()),
            ),
            Status::Absent => ("attendance-file-status-absent", Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty),
            Status::Unknown => ("attendance-file-status-unknown", Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty),
        };
        table.push(vec![
            cell(row.name.as_str()),
            optional(row.organisation.as_deref()),
            cell(tr(lang, status)),
            minutes,
            late,
            early,
            row.matched_by.map_or(Cell::Empty, |by| cell(tr(lang, matched_key(by)))),
            pressed_at,
        ]);
    }
    for stranger in &report.strangers {
        // The e-mail is what lets the teacher tell who an unmatched participant was.
        let name = match &stranger.email {
            Some(email) => format!("{} ({email})", stranger.name),
            None => stranger.name.clone(),
        };
        table.push(vec![
            cell(name),
            Cell::Empty,
            cell(tr(lang, "attendance-file-status-not-matched")),
            Cell::Number(stranger.minutes),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    table
}

fn series_cells(report: &SeriesReport, lang: Lang) -> Vec<Vec<Cell>> {
    let starts: Vec<_> = report.classes.iter().map(|c| c.starts_at).collect();
    let labels = class_labels(&starts, report.tz);
    let mut header =
        vec![cell(tr(lang, "attendance-file-col-name")), cell(tr(lang, "attendance-file-col-organisation"))];
    header.extend(labels.into_iter().map(Cell::Text));
    header.push(cell(tr(lang, "attendance-file-col-attended")));
    header.push(cell(tr(lang, "attendance-file-col-share")));

    let pressed = tr(lang, "attendance-file-mark-pressed");
    let absent = tr(lang, "attendance-file-mark-absent");
    let unknown = tr(lang, "attendance-file-mark-unknown");
    let mut table = vec![header];
    for row in &report.rows {
        let mut line = vec![cell(row.name.as_str()), optional(row.organisation.as_deref())];
        // A row shorter than the classes would be a bug where the report is built; its missing
        // marks read as "not invited" rather than shifting the columns or failing the download.
        line.extend((0..report.classes.len()).map(|i| match row.marks.get(i).copied().flatten() {
            None => Cell::Empty,
            Some(Status::Attended(p)) => Cell::Number(p.minutes),
            Some(Status::Pressed { .. }) => cell(pressed.as_str()),
            Some(Status::Absent) => cell(absent.as_str()),
            Some(Status::Unknown) => cell(unknown.as_str()),
        }));
        line.push(Cell::Number(u32::try_from(row.present).unwrap_or(u32::MAX)));
        line.push(Cell::Number(row.share));
        table.push(line);
    }
    table
}

/// Column labels for classes: the date alone where it is unique, with the time where two
/// classes share a day, with the year where even that repeats.
pub(super) fn class_labels(starts: &[DateTime<Utc>], tz: Tz) -> Vec<String> {
    const FORMATS: [&str; 3] = ["%d.%m", "%d.%m %H:%M", "%d.%m.%Y %H:%M"];
    let by_format: Vec<Vec<String>> =
        FORMATS.iter().map(|f| starts.iter().map(|s| s.with_timezone(&tz).format(f).to_string()).collect()).collect();
    let counts: Vec<HashMap<&str, usize>> = by_format
        .iter()
        .map(|labels| {
            let mut counts = HashMap::new();
            for label in labels {
                *counts.entry(label.as_str()).or_insert(0) += 1;
            }
            counts
        })
        .collect();
    (0..starts.len())
        .map(|i| {
            let unique = (0..FORMATS.len()).find(|&f| counts[f].get(by_format[f][i].as_str()) == Some(&1));
            by_format[unique.unwrap_or(FORMATS.len() - 1)][i].clone()
        })
        .collect()
}

fn counted_key(counted: Counted) -> &'static str {
    match counted {
        Counted::Report => "attendance-file-counted-report",
        Counted::Presses => "attendance-file-counted-presses",
        Counted::Waiting => "attendance-file-counted-waiting",
        Counted::Nothing(Unavailable::Plan) => "attendance-file-counted-plan",
        Counted::Nothing(Unavailable::Permission) => "attendance-file-counted-permission",
        Counted::Nothing(Unavailable::NoApi) => "attendance-file-counted-no-api",
        Counted::PressesNotCounted => "attendance-file-counted-presses-not-counted",
        Counted::NoReport => "attendance-file-counted-no-report",
    }
}

fn matched_key(by: MatchedBy) -> &'static str {
    match by {
        MatchedBy::Token => "attendance-file-matched-token",
        MatchedBy::Registrant => "attendance-file-matched-registrant",
        MatchedBy::Email => "attendance-file-matched-email",
        MatchedBy::Name => "attendance-file-matched-name",
    }
}

fn class_when(report: &ClassReport, lang: Lang) -> String {
    let start = report.starts_at.with_timezone(&report.tz);
    let end = report.ends_at.with_timezone(&report.tz);
    let to = if end.date_naive() == start.date_naive() { "%H:%M" } else { "%d.%m.%Y %H:%M" };
    tr_args(
        lang,
        "attendance-file-class-when",
        &[
            ("date", text(start.format("%d.%m.%Y").to_string())),
            ("from", text(start.format("%H:%M").to_string())),
            ("to", text(end.format(to).to_string())),
            ("zone", text(report.tz.name())),
        ],
    )
}

/// How many came and how many the report could not place; empty while nothing is counted.
fn class_summary(report: &ClassReport, lang: Lang) -> String {
    let (key, present) = match report.counted {
        Counted::Report => (
            "attendance-file-summary-attended",
            report.rows.iter().filter(|r| matches!(r.status, Status::Attended(_))).count(),
        ),
        Counted::Presses => (
            "attendance-file-summary-pressed",
            report.rows.iter().filter(|r| matches!(r.status, Status::Attended(_) | Status::Pressed { .. })).count(),
        ),
        Counted::Waiting | Counted::Nothing(_) | Counted::PressesNotCounted | Counted::NoReport => {
            return String::new();
        }
    };
    let mut summary = tr_args(lang, key, &[("present", count(present)), ("listeners", count(report.rows.len()))]);
    if !report.strangers.is_empty() {
        summary.push(' ');
        summary.push_str(&tr_args(lang, "attendance-file-summary-strangers", &[("n", count(report.strangers.len()))]));
    }
    summary
}

fn series_period(report: &SeriesReport, lang: Lang) -> String {
    let (Some(first), Some(last)) = (report.classes.first(), report.classes.last()) else {
        return tr(lang, "attendance-file-series-empty");
    };
    let date = |at: DateTime<Utc>| text(at.with_timezone(&report.tz).format("%d.%m.%Y").to_string());
    tr_args(
        lang,
        "attendance-file-series-period",
        &[
            ("classes", count(report.classes.len())),
            ("from", date(first.starts_at)),
            ("to", date(last.starts_at)),
            ("zone", text(report.tz.name())),
        ],
    )
}

fn count(n: usize) -> fluent_templates::fluent_bundle::FluentValue<'static> {
    num(u32::try_from(n).unwrap_or(u32::MAX))
}

fn class_file_name(report: &ClassReport, extension: &str) -> String {
    format!("attendance-{}.{extension}", report.starts_at.with_timezone(&report.tz).format("%Y-%m-%d"))
}

pub(super) fn series_file_name(report: &SeriesReport, extension: &str) -> String {
    match report.classes.first() {
        Some(first) => {
            format!("attendance-series-{}.{extension}", first.starts_at.with_timezone(&report.tz).format("%Y-%m-%d"))
        }
        None => format!("attendance-series.{extension}"),
    }
}

/// RFC 4180 with a BOM and CRLF line ends: what Excel opens without an import dialogue.
fn csv(table: &[Vec<String>]) -> Vec<u8> {
    let mut out = UTF8_BOM.to_vec();
    for row in table {
        let fields: Vec<Cow<'_, str>> = row.iter().map(|c| csv_field(c)).collect();
        out.extend_from_slice(fields.join(",").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn csv_field(value: &str) -> Cow<'_, str> {
    let value: Cow<'_, str> =
        if value.starts_with(FORMULA_STARTS) { Cow::Owned(format!("'{value}")) } else { Cow::Borrowed(value) };
    if value.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
    } else {
        value
    }
}

/// Writes the heading lines and the table (header row at [`XLSX_TABLE_ROW`]) on one sheet.
fn xlsx(sheet_name: &str, heading: &[String; HEADING_LINES], table: Vec<Vec<Cell>>) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let header = Format::new().set_bold().set_border_bottom(FormatBorder::Thin);
    for (r, line) in table.into_iter().enumerate() {
        let r = XLSX_TABLE_ROW + RowNum::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, value) in line.into_iter().enumerate() {
            let c = ColNum::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            match value {
                Cell::Text(s) if s.is_empty() => {}
                // write_string, never write: a user's "=..." stays text.
                Cell::Text(s) if r == XLSX_TABLE_ROW => {
                    sheet.write_string_with_format(r, c, fit(s), &header)?;
                }
                Cell::Text(s) => {
                    sheet.write_string(r, c, fit(s))?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, f64::from(n))?;
                }
                Cell::Empty => {}
            }
        }
    }
    // Before the heading goes in, so a long class title does not stretch the name column.
    sheet.autofit_to_max_width(XLSX_MAX_COLUMN_PIXELS);
    write_heading(sheet, heading)?;
    sheet.set_freeze_panes(XLSX_TABLE_ROW + 1, 1)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_heading(sheet: &mut Worksheet, heading: &[String; HEADING_LINES]) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(14);
    for (r, line) in (0..).zip(heading) {
        match (r, line.is_empty()) {
            (_, true) => {}
            (0, false) => {
                sheet.write_string_with_format(r, 0, fit(line.clone()), &title)?;
            }
            (_, false) => {
                sheet.write_string(r, 0, fit(line.clone()))?;
            }
        }
    }
    Ok(())
}

fn fit(mut s: String) -> String {
    if let Some((cut, _)) = s.char_indices().nth(XLSX_MAX_CHARS) {
        s.truncate(cut);
    }
    s
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::attendance::report::{Row, SeriesClass, SeriesRow, Stranger};
    use crate::domain::attendance::Presence;
    use chrono::TimeZone;
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    const MOSCOW: Tz = chrono_tz::Europe::Moscow;

    fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
    }

    fn attended(minutes: u32, joined_late: bool, left_early: bool) -> Status {
        Status::Attended(Presence { minutes, joined_late, left_early })
    }

    fn row(name: &str, organisation: Option<&str>, status: Status, matched_by: Option<MatchedBy>) -> Row {
        Row { name: name.into(), organisation: organisation.map(Into::into), status, matched_by }
    }

    /// 13:00–14:30 in Moscow on 1 December, everyone the brief asks for.
    pub(crate) fn class() -> ClassReport {
        ClassReport {
            title: "Дроби, урок 3".into(),
            starts_at: utc(1, 10, 0),
            ends_at: utc(1, 11, 30),
            tz: MOSCOW,
            counted: Counted::Report,
            rows: vec![
                row("Анна Петрова", Some("Школа №5"), attended(62, true, true), Some(MatchedBy::Token)),
                row("Фёдор Ёлкин", None, Status::Pressed { at: utc(1, 10, 3) }, None),
                row("Иван Иванов", Some("ООО \"Ромашка\", филиал"), Status::Absent, None),
                row(
                    "=HYPERLINK(\"http://evil.example\",\"x\")",
                    Some("-1+2"),
                    attended(90, false, false),
                    Some(MatchedBy::Name),
                ),
            ],
            strangers: vec![Stranger {
                name: "Гость".into(), email: Some("guest@example.org".into()), minutes: 15
            }],
        }
    }

    /// Three classes; the second listener was not invited to the second.
    pub(crate) fn series() -> SeriesReport {
        let class =
            |d, present, invited| SeriesClass { starts_at: utc(d, 10, 0), counted: Counted::Report, present, invited };
        SeriesReport {
            title: "Дроби".into(),
            tz: MOSCOW,
            classes: vec![class(1, 2, 2), class(8, 1, 1), class(15, 1, 2)],
            rows: vec![
                SeriesRow {
                    name: "Анна Петрова".into(),
                    organisation: Some("Школа №5".into()),
                    marks: vec![Some(attended(62, true, true)), Some(attended(90, false, false)), Some(Status::Absent)],
                    present: 2,
                    counted: 3,
                    share: 67,
                },
                SeriesRow {
                    name: "@Фёдор Ёлкин".into(),
                    organisation: None,
                    marks: vec![Some(Status::Pressed { at: utc(1, 10, 1) }), None, Some(attended(45, false, true))],
                    present: 1,
                    counted: 2,
                    share: 50,
                },
            ],
        }
    }

    fn s(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn the_class_table_has_a_header_a_row_per_listener_and_one_per_stranger() {
        let table = class_table(&class(), Lang::Ru);
        assert_eq!(
            table,
            [
                s(&[
                    "Имя",
                    "Организация",
                    "Статус",
                    "Минуты",
                    "Опоздание",
                    "Ранний уход",
                    "Сопоставление",
                    "Время нажатия"
                ]),
                s(&["Анна Петрова", "Школа №5", "присутствовал(а)", "62", "да", "да", "личная ссылка", ""]),
                s(&["Фёдор Ёлкин", "", "нажал(а) «Подключиться»", "", "", "", "", "13:03"]),
                s(&["Иван Иванов", "ООО \"Ромашка\", филиал", "отсутствовал(а)", "", "", "", "", ""]),
                s(&[
                    "=HYPERLINK(\"http://evil.example\",\"x\")",
                    "-1+2",
                    "присутствовал(а)",
                    "90",
                    "нет",
                    "нет",
                    "имя",
                    ""
                ]),
                s(&["Гость (guest@example.org)", "", "не сопоставлен(а)", "15", "", "", "", ""]),
            ]
        );
        let english = class_table(&class(), Lang::En);
        assert_eq!(english[2][2], "pressed Join");
        assert_eq!(english[5][2], "not matched");
    }

    #[test]
    fn a_class_without_numbers_lists_everyone_as_unknown() {
        let mut report = class();
        report.counted = Counted::Waiting;
        for r in &mut report.rows {
            r.status = Status::Unknown;
            r.matched_by = None;
        }
        report.strangers.clear();
        let table = class_table(&report, Lang::En);
        assert_eq!(table.len(), 5);
        assert!(table[1..].iter().all(|r| r[2] == "unknown" && r[3..].iter().all(String::is_empty)));
        assert_eq!(class_summary(&report, Lang::En), "");
    }

    #[test]
    fn the_series_table_marks_each_class_and_leaves_uninvited_cells_empty() {
        let table = series_table(&series(), Lang::Ru);
        assert_eq!(
            table,
            [
                s(&["Имя", "Организация", "01.12", "08.12", "15.12", "Посещено", "Доля, %"]),
                s(&["Анна Петрова", "Школа №5", "62", "90", "—", "2", "67"]),
                s(&["@Фёдор Ёлкин", "", "✓", "", "45", "1", "50"]),
            ]
        );
    }

    #[test]
    fn classes_on_one_day_are_told_apart_by_the_time() {
        let starts = [utc(1, 7, 0), utc(1, 12, 30), utc(2, 7, 0)];
        assert_eq!(class_labels(&starts, MOSCOW), ["01.12 10:00", "01.12 15:30", "02.12"]);
        let next_year = Utc.with_ymd_and_hms(2027, 12, 1, 7, 0, 0).unwrap();
        assert_eq!(class_labels(&[utc(1, 7, 0), next_year], MOSCOW), ["01.12.2026 10:00", "01.12.2027 10:00"]);
    }

    #[test]
    fn file_names_take_the_date_on_the_teachers_clock() {
        let mut report = class();
        report.starts_at = Utc.with_ymd_and_hms(2026, 11, 30, 22, 0, 0).unwrap();
        assert_eq!(class_csv(&report, Lang::Ru).name, "attendance-2026-12-01.csv");
        assert_eq!(class_xlsx(&report, Lang::Ru).unwrap().name, "attendance-2026-12-01.xlsx");
        assert_eq!(series_xlsx(&series(), Lang::En).unwrap().name, "attendance-series-2026-12-01.xlsx");
        let empty = SeriesReport { classes: vec![], rows: vec![], ..series() };
        assert_eq!(series_csv(&empty, Lang::En).name, "attendance-series.csv");
    }

    #[test]
    fn the_heading_says_when_and_what_was_counted_with_russian_plurals() {
        let report = class();
        assert_eq!(class_when(&report, Lang::Ru), "01.12.2026, 13:00–14:30 (Europe/Moscow)");
        assert_eq!(
            class_summary(&report, Lang::Ru),
            "Были на занятии: 2 из 4 слушателей. Не сопоставлены со слушателями: 1 участник."
        );
        let summary = |present: u32, listeners: u32| {
            tr_args(
                Lang::Ru,
                "attendance-file-summary-attended",
                &[("present", num(present)), ("listeners", num(listeners))],
            )
        };
        assert_eq!(summary(1, 1), "Были на занятии: 1 из 1 слушателя.");
        assert_eq!(summary(3, 21), "Были на занятии: 3 из 21 слушателя.");
        assert_eq!(summary(3, 11), "Были на занятии: 3 из 11 слушателей.");
        let period = |n: u32| {
            tr_args(
                Lang::Ru,
                "attendance-file-series-period",
                &[("classes", num(n)), ("from", text("a")), ("to", text("b")), ("zone", text("z"))],
            )
        };
        assert_eq!(period(1), "1 занятие: a – b (z)");
        assert_eq!(period(3), "3 занятия: a – b (z)");
        assert_eq!(period(5), "5 занятий: a – b (z)");
        assert_eq!(period(22), "22 занятия: a – b (z)");
        assert_eq!(series_period(&series(), Lang::En), "3 classes: 01.12.2026 – 15.12.2026 (Europe/Moscow)");
    }

    /// What a spreadsheet cell must hold for a table text: a number where the text is one.
    fn assert_sheet_holds(bytes: Vec<u8>, table: &[Vec<String>], numeric_columns: &[usize]) {
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("the xlsx opens");
        let name = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&name).expect("the sheet reads");
        assert_eq!(range.end().map(|(r, _)| r), Some(XLSX_TABLE_ROW + u32::try_from(table.len()).unwrap() - 1));
        for (r, line) in table.iter().enumerate() {
            let sheet_row = XLSX_TABLE_ROW + u32::try_from(r).unwrap();
            for (c, expected) in line.iter().enumerate() {
                let got = range.get_value((sheet_row, u32::try_from(c).unwrap())).unwrap_or(&Data::Empty);
                match got {
                    Data::Float(f) => {
                        assert!(r > 0 && numeric_columns.contains(&c), "row {r} col {c}: {f} is a number");
                        assert_eq!(expected.parse::<f64>().ok(), Some(*f), "row {r} col {c}");
                    }
                    Data::String(got) => {
                        assert!(
                            r == 0 || expected.parse::<f64>().is_err(),
                            "row {r} col {c}: {got} should be a number"
                        );
                        assert_eq!(got, expected, "row {r} col {c}");
                    }
                    Data::Empty => assert_eq!(expected, "", "row {r} col {c}"),
                    other => panic!("row {r} col {c}: unexpected {other:?}"),
                }
            }
        }
        let formulas = book.worksheet_formula(&name).expect("formulas read");
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");
    }

    #[test]
    fn the_class_xlsx_holds_the_table_with_minutes_as_numbers() {
        let report = class();
        let file = class_xlsx(&report, Lang::Ru).unwrap();
        let table = class_table(&report, Lang::Ru);
        assert_sheet_holds(file.bytes.clone(), &table, &[3]);

        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(file.bytes)).unwrap();
        let range = book.worksheet_range("Занятие").unwrap();
        let line = |r: u32| range.get_value((r, 0)).cloned().unwrap_or(Data::Empty);
        assert_eq!(line(0), Data::String("Дроби, урок 3".into()));
        assert_eq!(line(1), Data::String("01.12.2026, 13:00–14:30 (Europe/Moscow)".into()));
        assert_eq!(line(2), Data::String("Посещаемость — по отчёту сервиса.".into()));
        assert_eq!(line(XLSX_TABLE_ROW - 1), Data::Empty);
        assert_eq!(range.get_value((XLSX_TABLE_ROW + 4, 0)), Some(&Data::String(table[4][0].clone())));
    }

    #[test]
    fn the_series_xlsx_holds_the_table_with_numbers_as_numbers() {
        let report = series();
        let file = series_xlsx(&report, Lang::En).unwrap();
        assert_sheet_holds(file.bytes, &series_table(&report, Lang::En), &[2, 3, 4, 5, 6]);
        let empty = SeriesReport { classes: vec![], rows: vec![], ..series() };
        assert_sheet_holds(series_xlsx(&empty, Lang::Ru).unwrap().bytes, &series_table(&empty, Lang::Ru), &[]);
    }

    /// A strict RFC 4180 reader: CRLF between records, quotes doubled inside quoted fields.
    fn parse_csv(text: &str) -> Vec<Vec<String>> {
        let mut records = vec![];
        let mut record = vec![];
        let mut field = String::new();
        let mut chars = text.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => {
                    assert!(field.is_empty(), "a quote inside an unquoted field");
                    quoted = true;
                }
                (false, ',') => record.push(std::mem::take(&mut field)),
                (false, '\r') => {
                    assert_eq!(chars.next(), Some('\n'), "CR without LF");
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                (false, '\n') => panic!("a bare LF ends a line"),
                (false, c) => field.push(c),
            }
        }
        assert!(!quoted && field.is_empty() && record.is_empty(), "the file ends with CRLF");
        records
    }

    /// What the CSV must hold: the table with formula-looking cells quoted away.
    fn defused(table: Vec<Vec<String>>) -> Vec<Vec<String>> {
        let defuse = |c: String| if c.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{c}") } else { c };
        table.into_iter().map(|r| r.into_iter().map(defuse).collect()).collect()
    }

    fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("the CSV starts with a BOM");
        parse_csv(std::str::from_utf8(body).expect("UTF-8"))
    }

    #[test]
    fn the_class_csv_round_trips_and_defuses_formulas() {
        let report = class();
        let file = class_csv(&report, Lang::Ru);
        assert_eq!(file.name, "attendance-2026-12-01.csv");
        let rows = read_csv(&file.bytes);
        assert_eq!(rows, defused(class_table(&report, Lang::Ru)));
        assert_eq!(rows[4][0], "'=HYPERLINK(\"http://evil.example\",\"x\")");
        assert_eq!(rows[4][1], "'-1+2");
        let text = std::str::from_utf8(&file.bytes[3..]).unwrap();
        assert!(text.contains("\"ООО \"\"Ромашка\"\", филиал\""), "{text}");
        assert!(text.contains("Фёдор Ёлкин"), "ё survives");
    }

    #[test]
    fn the_series_csv_round_trips() {
        let report = series();
        let rows = read_csv(&series_csv(&report, Lang::Ru).bytes);
        assert_eq!(rows, defused(series_table(&report, Lang::Ru)));
        assert_eq!(rows[2][0], "'@Фёдор Ёлкин");
    }

    #[test]
    fn csv_fields_quote_what_rfc_4180_needs_and_only_that() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("\tTAB"), "'\tTAB");
        assert_eq!(csv_field("\r=1"), "\"'\r=1\"");
        assert_eq!(csv_field("—"), "—", "an em dash is no minus");
    }

    #[test]
    fn a_text_too_long_for_excel_is_cut_not_refused() {
        let mut report = class();
        report.rows[0].name = "я".repeat(XLSX_MAX_CHARS + 10);
        let file = class_xlsx(&report, Lang::En).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(file.bytes)).unwrap();
        let range = book.worksheet_range("Class").unwrap();
        let Some(Data::String(name)) = range.get_value((XLSX_TABLE_ROW + 1, 0)) else { panic!("the name is text") };
        assert_eq!(name.chars().count(), XLSX_MAX_CHARS);
    }

    /// Every `attendance-file-` key these modules name, with the `$variables` its Russian text uses.
    fn ftl_messages(lang: &str) -> HashMap<String, Vec<String>> {
        let path = format!("{}/locales/{lang}/attendance-files.ftl", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut messages: HashMap<String, Vec<String>> = HashMap::new();
        let mut current = None;
        for line in source.lines() {
            if line.starts_with(|c: char| c.is_ascii_lowercase()) {
                let key = line.split('=').next().unwrap().trim().to_owned();
                assert!(messages.insert(key.clone(), vec![]).is_none(), "{lang}: {key} twice");
                current = Some(key);
            } else if line.starts_with('#') {
                continue;
            }
            if let Some(key) = &current {
                for piece in line.split('$').skip(1) {
                    let var: String = piece.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    messages.get_mut(key).unwrap().push(var);
                }
            }
        }
        messages
    }

    fn keys_in_source() -> std::collections::BTreeSet<String> {
        let mut keys = std::collections::BTreeSet::new();
        for file in ["export.rs", "chart.rs"] {
            let path = format!("{}/src/attendance/{file}", env!("CARGO_MANIFEST_DIR"));
            let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            for piece in source.split("\"attendance-file-").skip(1) {
                let rest: String = piece.chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect();
                // This scan's own literals, and the one above, name no key.
                if !rest.is_empty() && !rest.ends_with('-') {
                    keys.insert(format!("attendance-file-{rest}"));
                }
            }
        }
        keys
    }

    #[test]
    fn every_file_text_exists_in_both_languages_and_formats() {
        let used = keys_in_source();
        assert!(used.len() > 40, "the sources were read: {used:?}");
        for (lang, code) in [(Lang::Ru, "ru"), (Lang::En, "en")] {
            let messages = ftl_messages(code);
            let defined: std::collections::BTreeSet<String> = messages.keys().cloned().collect();
            assert_eq!(defined, used, "{code}/attendance-files.ftl holds exactly the keys the code uses");
            for (key, vars) in &messages {
                for n in [0, 1, 2, 5, 11, 21, 22] {
                    let args: Vec<_> = vars.iter().map(|v| (&*v.clone().leak(), num(n))).collect();
                    let formatted =
                        crate::i18n::try_format(lang, key, &args).unwrap_or_else(|e| panic!("{code} {key}: {e}"));
                    assert!(!formatted.trim().is_empty(), "{code} {key} is blank");
                }
            }
        }
    }
}
