//! The texts and buttons of the messages listeners get, rendered at send time from the event's
//! current state, in the recipient's language and time zone.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html;

use crate::callback::CallbackData;
use crate::domain::attendance::Unavailable;
use crate::domain::event::EventStatus;
use crate::domain::recurrence::{Ending, Frequency, Recurrence, day_shift};
use crate::domain::reminders::{ReminderOffset, time_left};
use crate::i18n::{Lang, num, text, tr, tr_args};
use crate::keyboards::{button, utc_offset, zone_name};
use crate::store::{Event, Rsvp, RsvpCounts};

/// Who the message is for.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub lang: Lang,
    pub tz: Tz,
    /// Their own answer, in a private chat.
    pub rsvp: Option<Rsvp>,
    /// Everyone's answers, in a group chat.
    pub counts: Option<RsvpCounts>,
    /// The chat may have the class in a calendar: a cancelled card then offers the file that
    /// removes it.
    pub holds_calendar: bool,
    /// Where their Join button leads (see `join`): their own link, or the meeting's.
    pub join: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Rendered {
    pub text: String,
    pub keyboard: Option<InlineKeyboardMarkup>,
}

/// "пт, 25.12.2026, 18:00–19:30 (Москва, UTC+3)" in the viewer's zone.
pub fn when(event: &Event, lang: Lang, tz: Tz) -> String {
    let start = event.starts_at.with_timezone(&tz);
    let end = event.ends_at().with_timezone(&tz);
    tr_args(
        lang,
        "card-when-format",
        &[
            ("weekday", text(tr(lang, &format!("weekday-{}", start.weekday().number_from_monday())))),
            ("date", text(start.format("%d.%m.%Y").to_string())),
            ("start", text(start.format("%H:%M").to_string())),
            ("end", text(end.format("%H:%M").to_string())),
            ("zone", text(html::escape(&zone_name(lang, tz)))),
            ("offset", text(utc_offset(tz, event.starts_at))),
        ],
    )
}

/// "каждый вторник в 18:00" as the viewer reads it: the weekdays and the time of day are those
/// of `next` (an occurrence of the rule, which is written in `rule_tz`) on the viewer's clock.
/// A Vladivostok Tuesday 09:00 class is "every Monday at 23:00" in London.
pub fn repeat_text(lang: Lang, rule: &Recurrence, rule_tz: Tz, next: DateTime<Utc>, viewer_tz: Tz) -> String {
    let frequency = rule.frequency.shifted(day_shift(next, rule_tz, viewer_tz));
    rhythm_text(lang, &frequency, next.with_timezone(&viewer_tz).time())
}

/// "каждый вторник в 18:00", "по вторникам и четвергам раз в 2 недели в 18:00", read on the
/// clock the rule is written in (the teacher's, while drafting).
pub fn rhythm_text(lang: Lang, frequency: &Frequency, time: chrono::NaiveTime) -> String {
    let rhythm = match frequency {
        Frequency::Daily { interval } => tr_args(lang, "repeat-daily", &[("n", num(*interval))]),
        Frequency::Weekly { weekdays, interval } => {
            let days = match weekdays.as_slice() {
                [one] if *interval == 1 => {
                    return at(lang, tr(lang, &format!("repeat-every-{}", one.number_from_monday())), time);
                }
                days => {
                    let names: Vec<String> =
                        days.iter().map(|d| tr(lang, &format!("repeat-on-{}", d.number_from_monday()))).collect();
                    tr_args(lang, "repeat-on-days", &[("days", text(names.join(", ")))])
                }
            };
            if *interval == 1 {
                days
            } else {
                format!("{days} {}", tr_args(lang, "repeat-weeks", &[("n", num(*interval))]))
            }
        }
    };
    at(lang, rhythm, time)
}

fn at(lang: Lang, rhythm: String, time: chrono::NaiveTime) -> String {
    tr_args(lang, "repeat-at", &[("rule", text(rhythm)), ("time", text(time.format("%H:%M").to_string()))])
}

/// "10 занятий" or "до 31.12.2026".
pub fn ending_text(lang: Lang, ending: Ending) -> String {
    match ending {
        Ending::Count(n) => tr_args(lang, "repeat-count", &[("n", num(n))]),
        Ending::Until(date) => tr_args(lang, "repeat-until", &[("date", text(date.format("%d.%m.%Y").to_string()))]),
    }
}

/// "1 час 30 минут".
pub fn duration(lang: Lang, minutes: u32) -> String {
    let (hours, minutes) = (minutes / 60, minutes % 60);
    let mut parts = Vec::new();
    if hours > 0 {
        parts.push(tr_args(lang, "unit-hours", &[("n", num(hours))]));
    }
    if minutes > 0 || hours == 0 {
        parts.push(tr_args(lang, "unit-minutes", &[("n", num(minutes))]));
    }
    parts.join(" ")
}

/// The invitation card; `repeat` describes the series it belongs to.
pub fn card(event: &Event, host: Option<&str>, repeat: Option<&str>, viewer: &Viewer) -> Rendered {
    let lang = viewer.lang;
    let mut lines = vec![
        tr_args(lang, "card-title", &[("title", text(html::escape(&event.title)))]),
        tr_args(lang, "card-when", &[("when", text(when(event, lang, viewer.tz)))]),
        tr_args(lang, "card-duration", &[("duration", text(duration(lang, event.duration_min)))]),
    ];
    if let Some(repeat) = repeat {
        lines.push(tr_args(lang, "card-repeat", &[("rule", text(repeat.to_owned()))]));
    }
    if let Some(host) = host {
        lines.push(tr_args(lang, "card-host", &[("host", text(html::escape(host)))]));
    }
    if let Some(description) = event.description.as_deref().filter(|d| !d.trim().is_empty()) {
        lines.push(String::new());
        lines.push(html::escape(description));
    }
    lines.push(String::new());
    match event.status {
        EventStatus::Cancelled => {
            lines.push(tr(lang, "card-cancelled"));
            let keyboard = viewer.holds_calendar.then(|| {
                InlineKeyboardMarkup::new([[button(
                    tr(lang, "button-calendar-remove"),
                    CallbackData::Calendar(event.id),
                )]])
            });
            return Rendered { text: lines.join("\n"), keyboard };
        }
        EventStatus::Finished | EventStatus::Draft => {
            lines.push(tr(lang, "card-finished"));
            return Rendered { text: lines.join("\n"), keyboard: None };
        }
        EventStatus::Planned => {}
    }
    if event.join_url().is_none() {
        lines.push(tr(lang, "card-no-link"));
    }
    match (viewer.rsvp, viewer.counts) {
        (Some(Rsvp::Yes), _) => lines.push(tr(lang, "card-rsvp-yes")),
        (Some(Rsvp::No), _) => lines.push(tr(lang, "card-rsvp-no")),
        (None, Some(counts)) => lines.push(tr_args(
            lang,
            "card-rsvp-counts",
            &[("yes", num(counts.yes as f64)), ("no", num(counts.no as f64))],
        )),
        (None, None) => {}
    }
    Rendered { text: lines.join("\n").trim_end().to_owned(), keyboard: Some(card_keyboard(event, viewer)) }
}

fn card_keyboard(event: &Event, viewer: &Viewer) -> InlineKeyboardMarkup {
    let lang = viewer.lang;
    let mut rows = Vec::new();
    if let Some(row) = join_row(viewer, lang) {
        rows.push(row);
    }
    rows.push(vec![
        button(tr(lang, "button-rsvp-yes"), CallbackData::Rsvp(event.id, Rsvp::Yes)),
        button(tr(lang, "button-rsvp-no"), CallbackData::Rsvp(event.id, Rsvp::No)),
    ]);
    rows.push(vec![button(tr(lang, "button-calendar"), CallbackData::Calendar(event.id))]);
    InlineKeyboardMarkup::new(rows)
}

fn join_row(viewer: &Viewer, lang: Lang) -> Option<Vec<InlineKeyboardButton>> {
    let url = viewer.join.as_deref()?.parse().ok()?;
    Some(vec![InlineKeyboardButton::url(tr(lang, "button-join"), url)])
}

fn with_join(viewer: &Viewer, text: String) -> Rendered {
    Rendered { text, keyboard: join_row(viewer, viewer.lang).map(|row| InlineKeyboardMarkup::new([row])) }
}

/// "Через 1 час начнётся «…»", or "starting now" for the reminder at the start.
pub fn reminder(event: &Event, offset: ReminderOffset, late: bool, viewer: &Viewer, now: DateTime<Utc>) -> Rendered {
    let lang = viewer.lang;
    let title = text(html::escape(&event.title));
    let left = time_left(event.starts_at, now);
    let mut message = if offset == ReminderOffset::AtStart || left.is_zero() {
        tr_args(lang, "reminder-starting", &[("title", title)])
    } else {
        tr_args(lang, "reminder-text", &[("left", text(time_left_text(lang, left))), ("title", title)])
    };
    message.push('\n');
    message.push_str(&when(event, lang, viewer.tz));
    if late {
        message.push_str("\n\n");
        message.push_str(&tr(lang, "reminder-late"));
    }
    with_join(viewer, message)
}

/// "1 день 2 часа", "45 минут": the two largest units, as people say it.
fn time_left_text(lang: Lang, left: crate::domain::reminders::TimeLeft) -> String {
    let units = [("unit-days", left.days), ("unit-hours", left.hours), ("unit-minutes", left.minutes)];
    let parts: Vec<String> = units
        .iter()
        .skip_while(|(_, n)| *n == 0)
        .take(2)
        .filter(|(_, n)| *n > 0)
        .map(|(key, n)| tr_args(lang, key, &[("n", num(*n))]))
        .collect();
    parts.join(" ")
}

pub fn changed(event: &Event, viewer: &Viewer) -> Rendered {
    let lang = viewer.lang;
    let message = tr_args(
        lang,
        "notice-changed",
        &[("title", text(html::escape(&event.title))), ("when", text(when(event, lang, viewer.tz)))],
    );
    with_join(viewer, message)
}

pub fn cancelled(event: &Event, viewer: &Viewer) -> Rendered {
    let lang = viewer.lang;
    let message = tr_args(
        lang,
        "notice-cancelled",
        &[("title", text(html::escape(&event.title))), ("when", text(when(event, lang, viewer.tz)))],
    );
    Rendered { text: message, keyboard: None }
}

/// The caption of a calendar copy sent after a change: what opening the file does.
pub fn calendar_caption(event: &Event, removes: bool, viewer: &Viewer) -> String {
    let key = if removes { "calendar-remove-caption" } else { "calendar-update-caption" };
    tr_args(viewer.lang, key, &[("title", text(html::escape(&event.title)))])
}

pub fn alert(event: &Event, viewer: &Viewer) -> Rendered {
    let lang = viewer.lang;
    let reason = event.last_error.as_deref().unwrap_or_default();
    let message = tr_args(
        lang,
        "alert-next-occurrence",
        &[
            ("title", text(html::escape(&event.title))),
            ("when", text(when(event, lang, viewer.tz))),
            ("reason", text(html::escape(reason))),
        ],
    );
    Rendered { text: message, keyboard: None }
}

/// To the teacher: the class's attendance report came, with a button that opens it; or the
/// service gives none, and why (said once a service).
pub fn attendance(event: &Event, unavailable: Option<Unavailable>, viewer: &Viewer) -> Rendered {
    let lang = viewer.lang;
    let args = [("title", text(html::escape(&event.title))), ("when", text(when(event, lang, viewer.tz)))];
    if let Some(why) = unavailable {
        let reason = tr(lang, why.i18n_key());
        let message = tr_args(lang, "attendance-service-gives-none", &[args[0].clone(), ("reason", text(reason))]);
        return Rendered { text: message, keyboard: None };
    }
    let keyboard = InlineKeyboardMarkup::new([[button(
        tr(lang, "attendance-open"),
        CallbackData::Event(event.id, crate::callback::events::EventAction::Attendance),
    )]]);
    Rendered { text: tr_args(lang, "attendance-ready", &args), keyboard: Some(keyboard) }
}

pub fn nudge(event: &Event, viewer: &Viewer) -> Rendered {
    let lang = viewer.lang;
    let message = tr_args(
        lang,
        "nudge-text",
        &[("title", text(html::escape(&event.title))), ("when", text(when(event, lang, viewer.tz)))],
    );
    Rendered { text: message, keyboard: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reminders::TimeLeft;

    #[test]
    fn repeats_read_naturally() {
        use chrono::{NaiveTime, Weekday};
        let six = NaiveTime::from_hms_opt(18, 0, 0).unwrap();
        let weekly = |days: &[Weekday], interval| Frequency::Weekly { weekdays: days.to_vec(), interval };
        assert_eq!(rhythm_text(Lang::Ru, &weekly(&[Weekday::Wed], 1), six), "каждую среду в 18:00");
        assert_eq!(
            rhythm_text(Lang::Ru, &weekly(&[Weekday::Tue, Weekday::Thu], 2), six),
            "по вторникам, четвергам раз в 2 недели в 18:00"
        );
        assert_eq!(rhythm_text(Lang::Ru, &weekly(&[Weekday::Mon], 5), six), "по понедельникам раз в 5 недель в 18:00");
        assert_eq!(rhythm_text(Lang::En, &weekly(&[Weekday::Tue], 1), six), "every Tuesday at 18:00");
        assert_eq!(
            rhythm_text(Lang::Ru, &weekly(&[Weekday::Fri], 21), six),
            "по пятницам раз в 21 неделю в 18:00",
            "21 takes the singular, yet is not «every week»"
        );
        assert_eq!(rhythm_text(Lang::Ru, &Frequency::Daily { interval: 1 }, six), "каждый день в 18:00");
        assert_eq!(rhythm_text(Lang::Ru, &Frequency::Daily { interval: 2 }, six), "раз в 2 дня в 18:00");
        assert_eq!(rhythm_text(Lang::Ru, &Frequency::Daily { interval: 31 }, six), "раз в 31 день в 18:00");
        assert_eq!(rhythm_text(Lang::En, &Frequency::Daily { interval: 3 }, six), "every 3 days at 18:00");
        assert_eq!(ending_text(Lang::Ru, Ending::Count(21)), "21 занятие");
        assert_eq!(ending_text(Lang::Ru, Ending::Count(5)), "5 занятий");
    }

    /// A Tuesday 09:00 class in Vladivostok, the first on 5 January 2027.
    fn vladivostok_tuesdays(days: &[chrono::Weekday]) -> (Recurrence, DateTime<Utc>) {
        let rule = Recurrence {
            frequency: Frequency::Weekly { weekdays: days.to_vec(), interval: 1 },
            ending: Ending::Count(10),
        };
        let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        let next = crate::domain::recurrence::local_instant(
            date,
            chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            VLADIVOSTOK,
        );
        (rule, next)
    }

    const VLADIVOSTOK: Tz = chrono_tz::Asia::Vladivostok;
    const LONDON: Tz = chrono_tz::Europe::London;

    #[test]
    fn the_viewer_reads_the_weekday_and_the_time_on_their_own_clock() {
        use chrono::Weekday;
        let (rule, next) = vladivostok_tuesdays(&[Weekday::Tue]);
        assert_eq!(repeat_text(Lang::En, &rule, VLADIVOSTOK, next, LONDON), "every Monday at 23:00");
        assert_eq!(repeat_text(Lang::Ru, &rule, VLADIVOSTOK, next, LONDON), "каждый понедельник в 23:00");
        assert_eq!(repeat_text(Lang::Ru, &rule, VLADIVOSTOK, next, VLADIVOSTOK), "каждый вторник в 09:00");
        let (rule, next) = vladivostok_tuesdays(&[Weekday::Tue, Weekday::Fri]);
        assert_eq!(repeat_text(Lang::Ru, &rule, VLADIVOSTOK, next, LONDON), "по понедельникам, четвергам в 23:00");
        // Honolulu is 20 hours behind: still Monday, at 13:00.
        let honolulu = chrono_tz::Pacific::Honolulu;
        assert_eq!(repeat_text(Lang::En, &rule, VLADIVOSTOK, next, honolulu), "on Mondays, Thursdays at 13:00");
    }

    #[test]
    fn a_sunday_wraps_to_monday_for_a_viewer_ahead() {
        use chrono::Weekday;
        let berlin = chrono_tz::Europe::Berlin;
        let rule = Recurrence {
            frequency: Frequency::Weekly { weekdays: vec![Weekday::Sat, Weekday::Sun], interval: 2 },
            ending: Ending::Count(6),
        };
        let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 9).unwrap();
        let next =
            crate::domain::recurrence::local_instant(date, chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap(), berlin);
        assert_eq!(
            repeat_text(Lang::Ru, &rule, berlin, next, VLADIVOSTOK),
            "по понедельникам, воскресеньям раз в 2 недели в 05:00"
        );
    }

    #[test]
    fn after_a_clock_change_the_time_follows_the_next_occurrence() {
        use chrono::Weekday;
        // 18:00 in Berlin every Tuesday; Moscow keeps one offset all year.
        let berlin = chrono_tz::Europe::Berlin;
        let rule = Recurrence {
            frequency: Frequency::Weekly { weekdays: vec![Weekday::Tue], interval: 1 },
            ending: Ending::Count(6),
        };
        let six = chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap();
        let moscow = chrono_tz::Europe::Moscow;
        let winter = crate::domain::recurrence::local_instant(
            chrono::NaiveDate::from_ymd_opt(2027, 3, 23).unwrap(),
            six,
            berlin,
        );
        let summer = crate::domain::recurrence::local_instant(
            chrono::NaiveDate::from_ymd_opt(2027, 3, 30).unwrap(),
            six,
            berlin,
        );
        assert_eq!(repeat_text(Lang::Ru, &rule, berlin, winter, moscow), "каждый вторник в 20:00");
        assert_eq!(repeat_text(Lang::Ru, &rule, berlin, summer, moscow), "каждый вторник в 19:00");
    }

    #[test]
    fn durations_and_time_left_read_naturally() {
        assert_eq!(duration(Lang::Ru, 90), "1 час 30 минут");
        assert_eq!(duration(Lang::Ru, 120), "2 часа");
        assert_eq!(duration(Lang::En, 45), "45 minutes");
        let left = TimeLeft { days: 1, hours: 2, minutes: 5 };
        assert_eq!(time_left_text(Lang::Ru, left), "1 день 2 часа");
        let left = TimeLeft { days: 0, hours: 0, minutes: 21 };
        assert_eq!(time_left_text(Lang::Ru, left), "21 минута");
        let left = TimeLeft { days: 3, hours: 0, minutes: 0 };
        assert_eq!(time_left_text(Lang::En, left), "3 days");
    }
}
