//! The teacher's attendance report of a class or a series: in the chat, as a spreadsheet, and
//! for a series as a chart. Reached from the event card and from the notice that the report came.

use super::card::callback;
use super::{EventAction, FileFormat};
use crate::attendance::report::{ClassReport, Counted, SeriesReport, Status};
use crate::attendance::{chart, export};
use crate::bot::{AppBot, Asker, HandlerResult, SharedCtx};
use crate::delivery::render;
use crate::i18n::{Lang, num, text, tr, tr_args};
use crate::store::Event;
use fluent_templates::fluent_bundle::FluentValue;
use teloxide::payloads::{SendDocumentSetters, SendMessageSetters, SendPhotoSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile};
use teloxide::utils::html;

/// Names shown in one section of the chat report; the files hold everyone.
const NAMES_IN_CHAT: usize = 40;

pub(crate) async fn show(bot: &AppBot, chat: ChatId, asker: &Asker, ctx: &SharedCtx, event: &Event) -> HandlerResult {
    let lang = asker.lang();
    let report = ctx.attendance.class_report(event).await?;
    let mut rows = vec![vec![
        callback(tr(lang, "attendance-download-xlsx"), event.id, EventAction::AttendanceFile(FileFormat::Xlsx)),
        callback(tr(lang, "attendance-download-csv"), event.id, EventAction::AttendanceFile(FileFormat::Csv)),
    ]];
    if event.series.is_some() {
        rows.push(vec![callback(tr(lang, "attendance-series"), event.id, EventAction::SeriesAttendance)]);
    }
    rows.push(vec![callback(tr(lang, "event-back-to-card"), event.id, EventAction::Open)]);
    bot.send_message(chat, class_text(lang, asker.user.tz, event, &report))
        .reply_markup(InlineKeyboardMarkup::new(rows))
        .await?;
    Ok(())
}

pub(crate) async fn send_file(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    event: &Event,
    format: FileFormat,
) -> HandlerResult {
    let lang = asker.lang();
    let report = ctx.attendance.class_report(event).await?;
    let file = match format {
        FileFormat::Xlsx => export::class_xlsx(&report, lang),
        FileFormat::Csv => Ok(export::class_csv(&report, lang)),
    };
    send_export(bot, chat, lang, file, &event.title).await
}

pub(crate) async fn show_series(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    event: &Event,
) -> HandlerResult {
    let lang = asker.lang();
    let Some(report) = series_report(ctx, asker, event).await? else {
        bot.send_message(chat, tr(lang, "attendance-series-empty")).await?;
        return Ok(());
    };
    let keyboard = InlineKeyboardMarkup::new([
        vec![
            callback(
                tr(lang, "attendance-download-xlsx"),
                event.id,
                EventAction::SeriesAttendanceFile(FileFormat::Xlsx),
            ),
            callback(tr(lang, "attendance-download-csv"), event.id, EventAction::SeriesAttendanceFile(FileFormat::Csv)),
        ],
        vec![callback(tr(lang, "event-back-to-card"), event.id, EventAction::Open)],
    ]);
    let body = series_text(lang, &report);
    match chart::series_chart(&report, lang) {
        Ok(png) => {
            let photo = InputFile::memory(png.bytes).file_name(png.name);
            bot.send_photo(chat, photo)
                .caption(tr_args(lang, "attendance-chart-caption", &[("title", title(&report.title))]))
                .await?;
        }
        Err(err) => tracing::error!(%err, "the attendance chart was not drawn"),
    }
    bot.send_message(chat, body).reply_markup(keyboard).await?;
    Ok(())
}

pub(crate) async fn send_series_file(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    event: &Event,
    format: FileFormat,
) -> HandlerResult {
    let lang = asker.lang();
    let Some(report) = series_report(ctx, asker, event).await? else {
        bot.send_message(chat, tr(lang, "attendance-series-empty")).await?;
        return Ok(());
    };
    let file = match format {
        FileFormat::Xlsx => export::series_xlsx(&report, lang),
        FileFormat::Csv => Ok(export::series_csv(&report, lang)),
    };
    send_export(bot, chat, lang, file, &report.title).await
}

async fn series_report(
    ctx: &SharedCtx,
    asker: &Asker,
    event: &Event,
) -> Result<Option<SeriesReport>, crate::bot::BotError> {
    let Some((series, _)) = event.series else { return Ok(None) };
    Ok(ctx.attendance.series_report(series, asker.user.tz).await?)
}

async fn send_export(
    bot: &AppBot,
    chat: ChatId,
    lang: Lang,
    file: Result<export::ExportFile, export::ExportError>,
    report_title: &str,
) -> HandlerResult {
    match file {
        Ok(file) => {
            let document = InputFile::memory(file.bytes).file_name(file.name);
            let caption = tr_args(lang, "attendance-download-caption", &[("title", title(report_title))]);
            bot.send_document(chat, document).caption(caption).await?;
        }
        Err(err) => {
            tracing::error!(%err, "an attendance file was not written");
            bot.send_message(chat, tr(lang, "attendance-download-failed")).await?;
        }
    }
    Ok(())
}

fn title(title: &str) -> FluentValue<'static> {
    text(html::escape(title))
}

/// The chat's report of a class: what it counts, then each section with its names.
pub(crate) fn class_text(lang: Lang, tz: chrono_tz::Tz, event: &Event, report: &ClassReport) -> String {
    let mut lines = vec![
        tr_args(lang, "attendance-title", &[("title", title(&report.title))]),
        render::when(event, lang, tz),
        counted_line(lang, report.counted),
    ];
    let attended: Vec<String> = report
        .rows
        .iter()
        .filter_map(|row| match row.status {
            Status::Attended(p) => {
                let mut flags = Vec::new();
                if p.joined_late {
                    flags.push(tr(lang, "attendance-late"));
                }
                if p.left_early {
                    flags.push(tr(lang, "attendance-left-early"));
                }
                let minutes = tr_args(lang, "attendance-minutes", &[("minutes", num(p.minutes))]);
                let flags = if flags.is_empty() { String::new() } else { format!(" ({})", flags.join(", ")) };
                Some(format!("• {} — {minutes}{flags}", html::escape(&row.name)))
            }
            _ => None,
        })
        .collect();
    let pressed: Vec<String> = report
        .rows
        .iter()
        .filter_map(|row| match row.status {
            Status::Pressed { at } => {
                Some(format!("• {} — {}", html::escape(&row.name), at.with_timezone(&tz).format("%H:%M")))
            }
            _ => None,
        })
        .collect();
    let absent: Vec<String> =
        report.rows.iter().filter(|r| r.status == Status::Absent).map(|r| html::escape(&r.name)).collect();
    let strangers: Vec<String> = report
        .strangers
        .iter()
        .map(|s| {
            let minutes = tr_args(lang, "attendance-minutes", &[("minutes", num(s.minutes))]);
            format!("• {} — {minutes}", html::escape(&s.name))
        })
        .collect();
    section(&mut lines, lang, "attendance-section-attended", &attended, "\n");
    section(&mut lines, lang, "attendance-section-pressed", &pressed, "\n");
    section(&mut lines, lang, "attendance-section-absent", &absent, ", ");
    section(&mut lines, lang, "attendance-section-unmatched", &strangers, "\n");
    if matches!(report.counted, Counted::Report | Counted::Presses) && report.rows.is_empty() {
        lines.push(tr(lang, "attendance-no-listeners"));
    }
    lines.join("\n")
}

fn section(lines: &mut Vec<String>, lang: Lang, key: &str, names: &[String], separator: &str) {
    if names.is_empty() {
        return;
    }
    lines.push(String::new());
    lines.push(tr_args(lang, key, &[("count", num(names.len() as f64))]));
    let shown = names.iter().take(NAMES_IN_CHAT).cloned().collect::<Vec<_>>().join(separator);
    lines.push(shown);
    let more = names.len().saturating_sub(NAMES_IN_CHAT);
    if more > 0 {
        lines.push(tr_args(lang, "attendance-more-in-file", &[("count", num(more as f64))]));
    }
}

fn counted_line(lang: Lang, counted: Counted) -> String {
    match counted {
        Counted::Report => tr(lang, "attendance-counted-report"),
        Counted::Presses => tr(lang, "attendance-counted-presses"),
        Counted::Waiting => tr(lang, "attendance-counted-waiting"),
        Counted::NoReport => tr(lang, "attendance-counted-no-report"),
        Counted::PressesNotCounted => tr(lang, "attendance-counted-not-counted"),
        Counted::Nothing(why) => tr(lang, why.i18n_key()),
    }
}

/// The chat's report of a series: per class how many came, per listener their share.
fn series_text(lang: Lang, report: &SeriesReport) -> String {
    let mut lines = vec![tr_args(lang, "attendance-series-title", &[("title", title(&report.title))]), String::new()];
    for class in &report.classes {
        let date = class.starts_at.with_timezone(&report.tz).format("%d.%m").to_string();
        let line = match class.counted {
            Counted::Report | Counted::Presses => tr_args(
                lang,
                "attendance-series-class",
                &[("date", text(date)), ("present", num(class.present as f64)), ("invited", num(class.invited as f64))],
            ),
            other => format!("{date}: {}", counted_line(lang, other)),
        };
        lines.push(line);
    }
    lines.push(String::new());
    for row in report.rows.iter().take(NAMES_IN_CHAT) {
        lines.push(tr_args(
            lang,
            "attendance-series-listener",
            &[
                ("name", text(html::escape(&row.name))),
                ("present", num(row.present as f64)),
                ("counted", num(row.counted as f64)),
                ("share", num(row.share)),
            ],
        ));
    }
    let more = report.rows.len().saturating_sub(NAMES_IN_CHAT);
    if more > 0 {
        lines.push(tr_args(lang, "attendance-more-in-file", &[("count", num(more as f64))]));
    }
    lines.join("\n")
}

/// The attendance button of a teacher's card, for a class that has started.
pub(crate) fn card_button(lang: Lang, event: &Event) -> InlineKeyboardButton {
    callback(tr(lang, "event-attendance"), event.id, EventAction::Attendance)
}
