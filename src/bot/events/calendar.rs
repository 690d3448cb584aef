//! The inline month calendar of the date step.

use chrono::{Datelike, Months, NaiveDate};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::NewAction;
use crate::bot::CallbackData;
use crate::bot::keyboards::button;
use crate::i18n::{Lang, tr};

/// The first day of a month.
pub fn month_start(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// A month grid, Monday first. Days before `today` are shown but not pressable; the arrows move
/// between months, never before the current one.
pub fn month(lang: Lang, first: NaiveDate, today: NaiveDate) -> InlineKeyboardMarkup {
    let first = first.with_day(1).unwrap_or(first);
    let mut rows = vec![header(lang, first, today)];
    rows.push((1..=7).map(|d| inert(tr(lang, &format!("weekday-{d}")))).collect());
    let offset = first.weekday().num_days_from_monday() as usize;
    let mut week: Vec<InlineKeyboardButton> = (0..offset).map(|_| inert(" ".into())).collect();
    let mut day = first;
    while day.month() == first.month() {
        week.push(if day < today {
            inert("·".into())
        } else {
            button(day.day().to_string(), CallbackData::New(NewAction::Day(day)))
        });
        if week.len() == 7 {
            rows.push(std::mem::take(&mut week));
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    if !week.is_empty() {
        week.resize_with(7, || inert(" ".into()));
        rows.push(week);
    }
    InlineKeyboardMarkup::new(rows)
}

fn header(lang: Lang, first: NaiveDate, today: NaiveDate) -> Vec<InlineKeyboardButton> {
    let this_month = today.with_day(1).unwrap_or(today);
    let previous = first.checked_sub_months(Months::new(1)).filter(|p| *p >= this_month);
    let next = first.checked_add_months(Months::new(1));
    let arrow = |label: &str, to: Option<NaiveDate>| match to {
        Some(to) => button(label, CallbackData::New(NewAction::Month(to.year(), to.month()))),
        None => inert(" ".into()),
    };
    vec![
        arrow("◀", previous),
        inert(format!("{} {}", tr(lang, &format!("month-{}", first.month())), first.year())),
        arrow("▶", next),
    ]
}

/// A label cell that does nothing when pressed (the press is answered as a no-op).
fn inert(label: String) -> InlineKeyboardButton {
    button(label, CallbackData::New(NewAction::Noop))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(markup: &InlineKeyboardMarkup) -> Vec<String> {
        markup
            .inline_keyboard
            .iter()
            .flatten()
            .filter_map(|b| match &b.kind {
                teloxide::types::InlineKeyboardButtonKind::CallbackData(d) => Some(d.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn past_days_cannot_be_pressed_and_the_past_month_is_not_offered() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let grid = month(Lang::Ru, month_start(2026, 11).unwrap(), today);
        let all = data(&grid);
        assert!(all.contains(&CallbackData::New(NewAction::Day(today)).encode()));
        let yesterday = today.pred_opt().unwrap();
        assert!(!all.contains(&CallbackData::New(NewAction::Day(yesterday)).encode()));
        assert!(!all.contains(&CallbackData::New(NewAction::Month(2026, 10)).encode()));
        assert!(all.contains(&CallbackData::New(NewAction::Month(2026, 12)).encode()));
        // A header, the weekday names and five weeks, each seven wide.
        assert!(grid.inline_keyboard[1..].iter().all(|row| row.len() == 7));
    }
}
