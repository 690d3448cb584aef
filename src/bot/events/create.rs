//! `/new`: the guided dialogue that makes an event. One handler per typed step, one for presses.

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use teloxide::payloads::{EditMessageReplyMarkupSetters, EditMessageTextSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Me};
use teloxide::utils::html;

use super::draft::ChosenProvider;
use super::publish::publish;
use super::{
    EventDraft, EventStep, Field, NewAction, OptionToggle, RepeatChoice, calendar, reminder_rows, ticked, toggle,
    toggle_reminder,
};
use crate::bot::guards::Usable;
use crate::bot::keyboards::{button, zone_label};
use crate::bot::reply::{explain, explain_key, say, typed};
use crate::bot::screen::{self, Place, Screen};
use crate::bot::{AppBot, Asker, BotDialogue, CallbackData, HandlerResult, SharedCtx, State};
use crate::delivery::render;
use crate::domain::Localized;
use crate::domain::event::{Description, EventDuration, EventStatus, EventTitle};
use crate::domain::invite::InviteKind;
use crate::domain::recurrence::{Ending, Frequency, Recurrence};
use crate::domain::reminders::{ReminderOffset, missed_reminders};
use crate::domain::time_input::{DateOrDateTime, check_not_past, format_date, parse_date, parse_date_time, parse_time};
use crate::i18n::{Lang, text, tr, tr_args, tr_domain, tr_error};
use crate::providers::ProviderKind;
use crate::providers::telemost::WaitingRoomLevel;
use crate::providers::zoom::ZoomMeetingType;
use crate::store::{NewEvent, ProviderSummary};

const DURATIONS: [u32; 5] = [30, 45, 60, 90, 120];

/// `/new`.
pub async fn start(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, dialogue: BotDialogue) -> HandlerResult {
    ask(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(None), Field::Title, EventDraft::default()).await
}

// ---- typed answers ----

pub async fn receive_title(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    mut draft: EventDraft,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "new-send-text").await? else { return Ok(()) };
    match EventTitle::parse(answer) {
        Ok(title) => {
            draft.title = Some(title.into_inner());
            advance(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(draft.question), Field::Title, draft).await
        }
        Err(err) => explain(&bot, &msg, &asker, &err).await,
    }
}

pub async fn receive_external_url(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    mut draft: EventDraft,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "new-send-text").await? else { return Ok(()) };
    let valid = url::Url::parse(answer.trim()).ok().filter(|u| u.scheme() == "https" && u.host_str().is_some());
    let Some(link) = valid else {
        bot.send_message(msg.chat.id, tr(asker.lang(), "new-bad-link")).await?;
        return Ok(());
    };
    draft.options.external_url = Some(link.to_string());
    advance(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(draft.question), Field::ExternalUrl, draft).await
}

pub async fn receive_date(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    mut draft: EventDraft,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "new-send-text").await? else { return Ok(()) };
    match parse_date_time(answer, asker.user.tz, ctx.clock.now()) {
        Ok(DateOrDateTime::Date(date)) => {
            if date < today(&asker, &ctx) {
                return say(&bot, &msg, &asker, "new-date-past").await;
            }
            draft.date = Some(date);
            draft.time = None;
        }
        Ok(DateOrDateTime::DateTime { date, time }) => {
            draft.date = Some(date);
            draft.time = Some(time);
            if let Err((key, args)) = check_start(&draft, &asker, &ctx) {
                draft.time = None;
                return explain_key(&bot, &msg, &asker, key, &args).await;
            }
        }
        Err(err) => return explain(&bot, &msg, &asker, &err).await,
    }
    advance(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(draft.question), Field::Date, draft).await
}

pub async fn receive_time(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    mut draft: EventDraft,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "new-send-text").await? else { return Ok(()) };
    match parse_time(answer) {
        Ok(time) => {
            draft.time = Some(time);
            if let Err((key, args)) = check_start(&draft, &asker, &ctx) {
                return explain_key(&bot, &msg, &asker, key, &args).await;
            }
            advance(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(draft.question), Field::Time, draft).await
        }
        Err(err) => explain(&bot, &msg, &asker, &err).await,
    }
}

pub async fn receive_duration(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    mut draft: EventDraft,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "new-send-text").await? else { return Ok(()) };
    match EventDuration::from_str(answer) {
        Ok(duration) => {
            draft.duration = Some(duration.minutes());
            advance(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(draft.question), Field::Duration, draft)
                .await
        }
        Err(err) => explain(&bot, &msg, &asker, &err).await,
    }
}

pub async fn receive_repeat_end(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    mut draft: EventDraft,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "new-send-text").await? else { return Ok(()) };
    let (Some((frequency, _)), Some(first)) = (draft.repeat.clone(), draft.date) else {
        return ask(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(draft.question), Field::Repeat, draft)
            .await;
    };
    let ending = match answer.trim().parse::<u32>() {
        Ok(count) => Ending::Count(count),
        Err(_) => match parse_date(answer, today(&asker, &ctx)) {
            Ok(until) => Ending::Until(until),
            Err(err) => return explain(&bot, &msg, &asker, &err).await,
        },
    };
    let rule = Recurrence { frequency: frequency.clone(), ending };
    if let Err(err) = rule.validate(first) {
        return say(&bot, &msg, &asker, err.i18n_key()).await;
    }
    draft.repeat = Some((frequency, Some(ending)));
    advance(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(draft.question), Field::RepeatEnd, draft).await
}

pub async fn receive_description(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    mut draft: EventDraft,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "new-send-text").await? else { return Ok(()) };
    match Description::parse(answer) {
        Ok(description) => {
            draft.description = description.map(Description::into_inner);
            advance(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(draft.question), Field::Description, draft)
                .await
        }
        Err(err) => explain(&bot, &msg, &asker, &err).await,
    }
}

pub async fn receive_host_email(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    mut draft: EventDraft,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "new-send-text").await? else { return Ok(()) };
    let Ok(email) = crate::providers::check_email(answer) else {
        return say(&bot, &msg, &asker, "new-bad-email").await;
    };
    draft.host_email = Some(email);
    advance(&bot, msg.chat.id, &asker, &ctx, &dialogue, Place::Below(draft.question), Field::HostEmail, draft).await
}

/// A text where a button was expected (or a photo anywhere).
pub async fn use_the_buttons(bot: AppBot, msg: Message, asker: Asker) -> HandlerResult {
    say(&bot, &msg, &asker, "new-use-buttons").await
}

// ---- presses ----

pub async fn press(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    me: Me,
    action: NewAction,
) -> HandlerResult {
    let lang = asker.lang();
    // Rights are checked at the press by the schema's guard, not only at `/new`: a teacher
    // revoked half-way creates nothing. Read here rather than injected: a press only counts in the step that made its button.
    let state = dialogue.get().await?.unwrap_or_default();
    let (State::Event(step), Some(message)) = (&state, q.regular_message()) else {
        return crate::bot::refusals::stale_button(bot, q, asker).await;
    };
    let Some((field, draft)) = step.field() else {
        return crate::bot::refusals::stale_button(bot, q, asker).await;
    };
    let (chat, here, mut draft) = (message.chat.id, Place::Over(message.id), draft.clone());
    let admin = asker.user.role.is_admin();
    match (field, action) {
        (_, NewAction::Noop) => {}
        (_, NewAction::Abort) => {
            dialogue.reset().await?;
            screen::show(&bot, chat, here, Screen::plain(tr(lang, "cancel-done"))).await?;
        }
        (Field::Title, NewAction::Back) => {}
        (_, NewAction::Back) => {
            return answered(
                &bot,
                &q,
                ask(&bot, chat, &asker, &ctx, &dialogue, here, draft.previous(field, admin), draft),
            )
            .await;
        }
        (Field::Date, NewAction::Month(..) | NewAction::Day(_)) if forged_year(action).is_some() => {
            // Forged data: the calendar never offers a year a typed date could not name.
            let year = forged_year(action).unwrap_or_default();
            let err = crate::domain::time_input::DateInputError::YearOutOfRange { year };
            bot.answer_callback_query(q.id).text(tr_error(lang, &err)).show_alert(true).await?;
            return Ok(());
        }
        (Field::Date, NewAction::Month(year, month)) => {
            if let Some(first) = calendar::month_start(year, month) {
                let grid = with_navigation(lang, calendar::month(lang, first, today(&asker, &ctx)), false);
                bot.edit_message_reply_markup(chat, message.id).reply_markup(grid).await?;
            }
        }
        (Field::Date, NewAction::Day(day)) if day >= today(&asker, &ctx) => {
            draft.date = Some(day);
            draft.time = None;
            return answered(&bot, &q, advance(&bot, chat, &asker, &ctx, &dialogue, here, field, draft)).await;
        }
        (Field::Duration, NewAction::Duration(minutes)) if DURATIONS.contains(&minutes) => {
            draft.duration = Some(minutes);
            return answered(&bot, &q, advance(&bot, chat, &asker, &ctx, &dialogue, here, field, draft)).await;
        }
        (Field::Repeat, NewAction::Repeat(choice)) => {
            let weekday = draft.date.map_or(chrono::Weekday::Mon, |d| d.weekday());
            draft.repeat = match choice {
                RepeatChoice::Once => None,
                RepeatChoice::Weekly => Some((Frequency::Weekly { weekdays: vec![weekday], interval: 1 }, None)),
                RepeatChoice::Fortnightly => Some((Frequency::Weekly { weekdays: vec![weekday], interval: 2 }, None)),
                RepeatChoice::Daily => Some((Frequency::Daily { interval: 1 }, None)),
            };
            if matches!(choice, RepeatChoice::Weekly | RepeatChoice::Fortnightly) {
                // Weekdays are ticked on the same message before going on.
                let keyboard = repeat_keyboard(lang, &draft);
                bot.edit_message_text(chat, message.id, tr(lang, "new-ask-repeat-days")).reply_markup(keyboard).await?;
                dialogue.update(State::Event(EventStep::Repeat(draft))).await?;
            } else {
                return answered(&bot, &q, advance(&bot, chat, &asker, &ctx, &dialogue, here, field, draft)).await;
            }
        }
        (Field::Repeat, NewAction::Weekday(day)) => {
            let Some((Frequency::Weekly { weekdays, .. }, _)) = &mut draft.repeat else {
                return crate::bot::refusals::stale_button(bot, q, asker).await;
            };
            toggle(weekdays, day);
            weekdays.sort_by_key(|d| d.num_days_from_monday());
            bot.edit_message_reply_markup(chat, message.id).reply_markup(repeat_keyboard(lang, &draft)).await?;
            dialogue.update(State::Event(EventStep::Repeat(draft))).await?;
        }
        (Field::Repeat, NewAction::Done) => {
            if matches!(&draft.repeat, Some((Frequency::Weekly { weekdays, .. }, _)) if weekdays.is_empty()) {
                bot.answer_callback_query(q.id).text(tr(lang, "err-repeat-no-weekday")).show_alert(true).await?;
                return Ok(());
            }
            return answered(&bot, &q, advance(&bot, chat, &asker, &ctx, &dialogue, here, field, draft)).await;
        }
        (Field::Description | Field::HostEmail, NewAction::Skip) => {
            if field == Field::Description {
                draft.description = None;
            } else {
                draft.host_email = None;
            }
            return answered(&bot, &q, advance(&bot, chat, &asker, &ctx, &dialogue, here, field, draft)).await;
        }
        (Field::Host, NewAction::Host(user)) => {
            let Some(host) = ctx.users.get(user).await?.filter(|u| u.role.can_create_events()) else {
                return crate::bot::refusals::stale_button(bot, q, asker).await;
            };
            draft.host = Some((host.id, host.first_name));
            return answered(&bot, &q, advance(&bot, chat, &asker, &ctx, &dialogue, here, field, draft)).await;
        }
        (Field::Options, NewAction::Toggle(option)) => {
            toggle_option(&mut draft, option);
            bot.edit_message_reply_markup(chat, message.id).reply_markup(options_keyboard(lang, &draft)).await?;
            dialogue.update(State::Event(EventStep::Options(draft))).await?;
        }
        (Field::Reminders, NewAction::Reminder(offset)) => {
            toggle_reminder(&mut draft.reminders, offset);
            // Asked again, not only re-ticked: the word on missed reminders comes and goes.
            return answered(&bot, &q, ask(&bot, chat, &asker, &ctx, &dialogue, here, field, draft)).await;
        }
        (Field::Audience, NewAction::Group(group)) => {
            if !audience_groups(&ctx, &asker).await?.iter().any(|(id, _)| *id == group) {
                return crate::bot::refusals::stale_button(bot, q, asker).await;
            }
            toggle(&mut draft.groups, group);
            let keyboard = audience_keyboard(lang, &draft, &audience_groups(&ctx, &asker).await?);
            bot.edit_message_reply_markup(chat, message.id).reply_markup(keyboard).await?;
            dialogue.update(State::Event(EventStep::Audience(draft))).await?;
        }
        (Field::Audience, NewAction::EventLink) => {
            draft.event_link = !draft.event_link;
            let keyboard = audience_keyboard(lang, &draft, &audience_groups(&ctx, &asker).await?);
            bot.edit_message_reply_markup(chat, message.id).reply_markup(keyboard).await?;
            dialogue.update(State::Event(EventStep::Audience(draft))).await?;
        }
        (Field::Audience, NewAction::Done) if draft.groups.is_empty() && !draft.event_link => {
            bot.answer_callback_query(q.id).text(tr(lang, "new-audience-empty")).show_alert(true).await?;
            return Ok(());
        }
        (Field::Options | Field::Reminders | Field::Audience, NewAction::Done) => {
            return answered(&bot, &q, advance(&bot, chat, &asker, &ctx, &dialogue, here, field, draft)).await;
        }
        (Field::Summary, NewAction::Edit(target)) if target != Field::Summary && draft.asks(target, admin) => {
            return answered(&bot, &q, ask(&bot, chat, &asker, &ctx, &dialogue, here, target, draft)).await;
        }
        (Field::Summary, NewAction::DropMissed) => {
            let missed = missed(&draft, &asker, &ctx);
            draft.reminders.retain(|offset| !missed.contains(offset));
            return answered(&bot, &q, ask(&bot, chat, &asker, &ctx, &dialogue, here, field, draft)).await;
        }
        (Field::Summary, NewAction::Confirm) => {
            bot.answer_callback_query(q.id).await?;
            return confirm(&bot, chat, here, &asker, &ctx, &dialogue, &me, draft).await;
        }
        _ => return crate::bot::refusals::stale_button(bot, q, asker).await,
    }
    bot.answer_callback_query(q.id).await?;
    Ok(())
}

/// The year of a calendar press outside what a typed date may name, if it is.
fn forged_year(action: NewAction) -> Option<i32> {
    use crate::domain::time_input::{MAX_YEAR, MIN_YEAR};
    let year = match action {
        NewAction::Month(year, _) => year,
        NewAction::Day(day) => day.year(),
        _ => return None,
    };
    (!(MIN_YEAR..=MAX_YEAR).contains(&year)).then_some(year)
}

/// The provider button of `/new`, with a provider the guard found usable by the asker now.
pub async fn choose_provider(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    Usable(chosen): Usable<ProviderSummary>,
) -> HandlerResult {
    let state = dialogue.get().await?.unwrap_or_default();
    let (State::Event(step), Some(message)) = (&state, q.regular_message()) else {
        return crate::bot::refusals::stale_button(bot, q, asker).await;
    };
    let Some((Field::Provider, draft)) = step.field() else {
        return crate::bot::refusals::stale_button(bot, q, asker).await;
    };
    let (chat, here, mut draft) = (message.chat.id, Place::Over(message.id), draft.clone());
    if draft.provider.as_ref().map(|p| p.kind) != Some(chosen.kind) {
        draft.options = Default::default();
    }
    draft.provider = Some(ChosenProvider { id: chosen.id, kind: chosen.kind, name: chosen.name });
    answered(&bot, &q, advance(&bot, chat, &asker, &ctx, &dialogue, here, Field::Provider, draft)).await
}

/// Answers the press once the step it leads to has been asked.
async fn answered(bot: &AppBot, q: &CallbackQuery, step: impl Future<Output = HandlerResult>) -> HandlerResult {
    step.await?;
    bot.answer_callback_query(q.id.clone()).await?;
    Ok(())
}

fn toggle_option(draft: &mut EventDraft, option: OptionToggle) {
    let options = &mut draft.options;
    match option {
        OptionToggle::LiveStream => options.live_stream = !options.live_stream,
        OptionToggle::WaitingRoom => {
            options.waiting_room = Some(match options.waiting_room.unwrap_or_default() {
                WaitingRoomLevel::Public => WaitingRoomLevel::Organization,
                WaitingRoomLevel::Organization => WaitingRoomLevel::Admins,
                WaitingRoomLevel::Admins => WaitingRoomLevel::Public,
            })
        }
        OptionToggle::ZoomType => {
            options.zoom_type = Some(match options.zoom_type.unwrap_or_default() {
                ZoomMeetingType::Meeting => ZoomMeetingType::Webinar,
                ZoomMeetingType::Webinar => ZoomMeetingType::Meeting,
            })
        }
    }
}

// ---- the questions ----

// The dialogue's whole context travels with each question; a struct for it would only be unpacked.
#[allow(clippy::too_many_arguments)]
async fn advance(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    place: Place,
    answered: Field,
    draft: EventDraft,
) -> HandlerResult {
    let next = draft.next(answered, asker.user.role.is_admin());
    ask(bot, chat, asker, ctx, dialogue, place, next, draft).await
}

/// Shows the question of `field` with its buttons at `place` and waits there.
#[allow(clippy::too_many_arguments)]
pub async fn ask(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    place: Place,
    field: Field,
    mut draft: EventDraft,
) -> HandlerResult {
    let lang = asker.lang();
    let (text, keyboard) = match field {
        Field::Title => (tr(lang, "new-ask-title"), navigation(lang, true)),
        Field::Provider => {
            let usable = ctx.providers.usable_by(&asker.user).await?;
            if usable.is_empty() {
                screen::show(bot, chat, place, Screen::plain(tr(lang, "new-no-providers"))).await?;
                dialogue.reset().await?;
                return Ok(());
            }
            let rows: Vec<Vec<InlineKeyboardButton>> = usable
                .into_iter()
                .map(|p| {
                    let label = crate::keyboards::provider_label(lang, &p.name, p.kind);
                    vec![button(label, CallbackData::New(NewAction::Provider(p.id)))]
                })
                .collect();
            (tr(lang, "new-ask-provider"), with_navigation(lang, InlineKeyboardMarkup::new(rows), false))
        }
        Field::ExternalUrl => (tr(lang, "new-ask-link"), navigation(lang, false)),
        Field::Date => {
            let today = today(asker, ctx);
            let shown = draft.date.unwrap_or(today);
            let first = calendar::month_start(shown.year(), shown.month()).unwrap_or(today);
            let zone = zone_label(lang, asker.user.tz, ctx.clock.now());
            let question = tr_args(lang, "new-ask-date", &[("zone", text(html::escape(&zone)))]);
            (question, with_navigation(lang, calendar::month(lang, first, today), false))
        }
        Field::Time => {
            let date = draft.date.map(format_date).unwrap_or_default();
            let zone = zone_label(lang, asker.user.tz, ctx.clock.now());
            let question = tr_args(lang, "new-ask-time", &[("date", text(date)), ("zone", text(html::escape(&zone)))]);
            (question, navigation(lang, false))
        }
        Field::Duration => {
            let row = DURATIONS
                .iter()
                .map(|m| button(render::duration(lang, *m), CallbackData::New(NewAction::Duration(*m))))
                .collect::<Vec<_>>();
            let rows: Vec<Vec<_>> = row.chunks(3).map(<[_]>::to_vec).collect();
            (tr(lang, "new-ask-duration"), with_navigation(lang, InlineKeyboardMarkup::new(rows), false))
        }
        Field::Repeat => (tr(lang, "new-ask-repeat"), repeat_keyboard(lang, &draft)),
        Field::RepeatEnd => (tr(lang, "new-ask-repeat-end"), navigation(lang, false)),
        Field::Description => {
            let skip = vec![button(tr(lang, "new-skip"), CallbackData::New(NewAction::Skip))];
            (tr(lang, "new-ask-description"), with_navigation(lang, InlineKeyboardMarkup::new([skip]), false))
        }
        Field::Host => {
            let mut rows =
                vec![vec![button(tr(lang, "new-host-me"), CallbackData::New(NewAction::Host(asker.user.id)))]];
            for teacher in ctx.users.teachers().await?.into_iter().filter(|t| t.id != asker.user.id) {
                rows.push(vec![button(teacher.first_name.clone(), CallbackData::New(NewAction::Host(teacher.id)))]);
            }
            (tr(lang, "new-ask-host"), with_navigation(lang, InlineKeyboardMarkup::new(rows), false))
        }
        Field::HostEmail => {
            let skip = vec![button(tr(lang, "new-host-email-default"), CallbackData::New(NewAction::Skip))];
            (tr(lang, "new-ask-host-email"), with_navigation(lang, InlineKeyboardMarkup::new([skip]), false))
        }
        Field::Options => (tr(lang, "new-ask-options"), options_keyboard(lang, &draft)),
        Field::Reminders => {
            let missed = missed(&draft, asker, ctx);
            let mut question = tr(lang, "new-ask-reminders");
            if !missed.is_empty() {
                question = format!("{question}\n\n{}", tr(lang, "reminders-missed-legend"));
            }
            (question, reminders_keyboard(lang, &draft, &missed))
        }
        Field::Audience => {
            let groups = audience_groups(ctx, asker).await?;
            let question = if groups.is_empty() { "new-ask-audience-no-groups" } else { "new-ask-audience" };
            (tr(lang, question), audience_keyboard(lang, &draft, &groups))
        }
        Field::Summary => {
            draft.editing = true;
            let missed = !missed(&draft, asker, ctx).is_empty();
            (summary(asker, ctx, &draft).await?, summary_keyboard(lang, &draft, asker.user.role.is_admin(), missed))
        }
    };
    draft.question = Some(screen::show(bot, chat, place, Screen::new(text, keyboard)).await?);
    dialogue.update(State::Event(EventStep::at(field, draft))).await?;
    Ok(())
}

/// Back and Cancel under a question (no Back on the first one).
fn navigation(lang: Lang, first: bool) -> InlineKeyboardMarkup {
    with_navigation(lang, InlineKeyboardMarkup::new(Vec::<Vec<InlineKeyboardButton>>::new()), first)
}

fn with_navigation(lang: Lang, mut keyboard: InlineKeyboardMarkup, first: bool) -> InlineKeyboardMarkup {
    let mut row = Vec::new();
    if !first {
        row.push(button(tr(lang, "new-back"), CallbackData::New(NewAction::Back)));
    }
    row.push(button(tr(lang, "new-cancel"), CallbackData::New(NewAction::Abort)));
    keyboard.inline_keyboard.push(row);
    keyboard
}

/// Once, weekly, fortnightly or daily; for a weekly repeat, the weekday toggles and Done.
fn repeat_keyboard(lang: Lang, draft: &EventDraft) -> InlineKeyboardMarkup {
    let rows = match &draft.repeat {
        Some((Frequency::Weekly { weekdays, .. }, _)) => {
            let days: Vec<_> = (0..7u8)
                .filter_map(|n| chrono::Weekday::try_from(n).ok())
                .map(|day| {
                    let label =
                        ticked(weekdays.contains(&day), tr(lang, &format!("weekday-{}", day.number_from_monday())));
                    button(label, CallbackData::New(NewAction::Weekday(day)))
                })
                .collect();
            vec![
                days[..4].to_vec(),
                days[4..].to_vec(),
                vec![button(tr(lang, "new-done"), CallbackData::New(NewAction::Done))],
            ]
        }
        _ => vec![
            vec![button(tr(lang, "new-repeat-once"), CallbackData::New(NewAction::Repeat(RepeatChoice::Once)))],
            vec![
                button(tr(lang, "new-repeat-weekly"), CallbackData::New(NewAction::Repeat(RepeatChoice::Weekly))),
                button(
                    tr(lang, "new-repeat-fortnightly"),
                    CallbackData::New(NewAction::Repeat(RepeatChoice::Fortnightly)),
                ),
            ],
            vec![button(tr(lang, "new-repeat-daily"), CallbackData::New(NewAction::Repeat(RepeatChoice::Daily)))],
        ],
    };
    with_navigation(lang, InlineKeyboardMarkup::new(rows), false)
}

fn options_keyboard(lang: Lang, draft: &EventDraft) -> InlineKeyboardMarkup {
    let options = &draft.options;
    let mut rows = Vec::new();
    match draft.provider.as_ref().map(|p| p.kind) {
        Some(ProviderKind::Telemost) => {
            rows.push(vec![button(
                ticked(options.live_stream, tr(lang, "new-option-live-stream")),
                CallbackData::New(NewAction::Toggle(OptionToggle::LiveStream)),
            )]);
            let level = match options.waiting_room.unwrap_or_default() {
                WaitingRoomLevel::Public => "new-option-waiting-public",
                WaitingRoomLevel::Organization => "new-option-waiting-organization",
                WaitingRoomLevel::Admins => "new-option-waiting-admins",
            };
            rows.push(vec![button(tr(lang, level), CallbackData::New(NewAction::Toggle(OptionToggle::WaitingRoom)))]);
        }
        Some(ProviderKind::Zoom) => {
            let kind = match options.zoom_type.unwrap_or_default() {
                ZoomMeetingType::Meeting => "new-option-zoom-meeting",
                ZoomMeetingType::Webinar => "new-option-zoom-webinar",
            };
            rows.push(vec![button(tr(lang, kind), CallbackData::New(NewAction::Toggle(OptionToggle::ZoomType)))]);
        }
        _ => {}
    }
    rows.push(vec![button(tr(lang, "new-done"), CallbackData::New(NewAction::Done))]);
    with_navigation(lang, InlineKeyboardMarkup::new(rows), false)
}

fn reminders_keyboard(lang: Lang, draft: &EventDraft, missed: &[ReminderOffset]) -> InlineKeyboardMarkup {
    let data = |offset| CallbackData::New(NewAction::Reminder(offset));
    let mut rows = reminder_rows(lang, &draft.reminders, missed, data);
    rows.push(vec![button(tr(lang, "new-done"), CallbackData::New(NewAction::Done))]);
    with_navigation(lang, InlineKeyboardMarkup::new(rows), false)
}

/// The groups the asker may invite: their own; every group for an administrator.
async fn audience_groups(
    ctx: &SharedCtx,
    asker: &Asker,
) -> Result<Vec<(crate::domain::event::GroupId, String)>, crate::bot::BotError> {
    let owner = if asker.user.role.is_admin() { None } else { Some(asker.user.id) };
    Ok(ctx.groups.list(owner).await?.into_iter().map(|g| (g.id, g.name)).collect())
}

fn audience_keyboard(
    lang: Lang,
    draft: &EventDraft,
    groups: &[(crate::domain::event::GroupId, String)],
) -> InlineKeyboardMarkup {
    let mut rows: Vec<Vec<_>> = groups
        .iter()
        .map(|(id, name)| {
            vec![button(ticked(draft.groups.contains(id), name.clone()), CallbackData::New(NewAction::Group(*id)))]
        })
        .collect();
    rows.push(vec![button(
        ticked(draft.event_link, tr(lang, "new-audience-link")),
        CallbackData::New(NewAction::EventLink),
    )]);
    rows.push(vec![button(tr(lang, "new-done"), CallbackData::New(NewAction::Done))]);
    with_navigation(lang, InlineKeyboardMarkup::new(rows), false)
}

/// The summary card: every answer, each with its own Change button.
async fn summary(asker: &Asker, ctx: &SharedCtx, draft: &EventDraft) -> Result<String, crate::bot::BotError> {
    let lang = asker.lang();
    let dash = || "—".to_owned();
    let provider = draft
        .provider
        .as_ref()
        .map(|p| match crate::keyboards::service_beside(lang, &p.name, p.kind) {
            Some(service) => format!("{} ({service})", html::escape(&p.name)),
            None => html::escape(&p.name),
        })
        .unwrap_or_else(dash);
    let when = match (draft.date, draft.time) {
        (Some(date), Some(time)) => format!(
            "{} {} ({})",
            format_date(date),
            time.format("%H:%M"),
            html::escape(&zone_label(lang, asker.user.tz, ctx.clock.now()))
        ),
        _ => dash(),
    };
    let reminders = if draft.reminders.is_empty() {
        tr(lang, "new-summary-no-reminders")
    } else {
        draft.reminders.iter().map(|o| tr(lang, &format!("reminder-label-{o}"))).collect::<Vec<_>>().join(", ")
    };
    let groups = audience_groups(ctx, asker).await?;
    let mut audience: Vec<String> =
        groups.iter().filter(|(id, _)| draft.groups.contains(id)).map(|(_, name)| html::escape(name)).collect();
    if draft.event_link {
        audience.push(tr(lang, "new-audience-link"));
    }
    let host =
        draft.host.as_ref().map(|(_, name)| html::escape(name)).unwrap_or_else(|| html::escape(&asker.user.first_name));
    let card = tr_args(
        lang,
        "new-summary",
        &[
            ("title", text(html::escape(draft.title.as_deref().unwrap_or_default()))),
            ("provider", text(provider)),
            ("when", text(when)),
            ("duration", text(draft.duration.map(|m| render::duration(lang, m)).unwrap_or_else(dash))),
            ("repeat", text(repeat_summary(lang, draft))),
            ("description", text(draft.description.as_deref().map(html::escape).unwrap_or_else(dash))),
            ("host", text(host)),
            ("reminders", text(reminders)),
            ("audience", text(if audience.is_empty() { dash() } else { audience.join(", ") })),
        ],
    );
    Ok(match missed_line(lang, draft, &missed(draft, asker, ctx)) {
        Some(line) => format!("{card}\n\n{line}"),
        None => card,
    })
}

/// What the summary says of chosen reminders that will not go out: none are dropped silently.
fn missed_line(lang: Lang, draft: &EventDraft, missed: &[ReminderOffset]) -> Option<String> {
    if missed.is_empty() {
        return None;
    }
    let names = missed.iter().map(|o| tr(lang, &format!("reminder-label-{o}"))).collect::<Vec<_>>().join(", ");
    let key = if draft.repeat.is_some() { "new-summary-missed-first" } else { "new-summary-missed" };
    Some(tr_args(lang, key, &[("reminders", text(names)), ("count", crate::i18n::num(missed.len() as f64))]))
}

fn repeat_summary(lang: Lang, draft: &EventDraft) -> String {
    match (draft.recurrence(), draft.time) {
        (Some(rule), Some(time)) => {
            format!("{}, {}", render::rhythm_text(lang, &rule.frequency, time), render::ending_text(lang, rule.ending))
        }
        _ => tr(lang, "new-repeat-none"),
    }
}

fn summary_keyboard(lang: Lang, draft: &EventDraft, admin: bool, missed: bool) -> InlineKeyboardMarkup {
    let editable = [
        (Field::Title, "new-edit-title"),
        (Field::Provider, "new-edit-provider"),
        (Field::Date, "new-edit-date"),
        (Field::Time, "new-edit-time"),
        (Field::Duration, "new-edit-duration"),
        (Field::Repeat, "new-edit-repeat"),
        (Field::Description, "new-edit-description"),
        (Field::Host, "new-edit-host"),
        (Field::Options, "new-edit-options"),
        (Field::Reminders, "new-edit-reminders"),
        (Field::Audience, "new-edit-audience"),
    ];
    let buttons: Vec<_> = editable
        .iter()
        .filter(|(field, _)| draft.asks(*field, admin))
        .map(|(field, key)| button(tr(lang, key), CallbackData::New(NewAction::Edit(*field))))
        .collect();
    let mut rows: Vec<Vec<_>> = buttons.chunks(2).map(<[_]>::to_vec).collect();
    if missed {
        rows.push(vec![button(tr(lang, "new-drop-missed"), CallbackData::New(NewAction::DropMissed))]);
    }
    rows.push(vec![button(tr(lang, "new-confirm"), CallbackData::New(NewAction::Confirm))]);
    rows.push(vec![button(tr(lang, "new-cancel"), CallbackData::New(NewAction::Abort))]);
    InlineKeyboardMarkup::new(rows)
}

// ---- confirming ----

#[allow(clippy::too_many_arguments)]
async fn confirm(
    bot: &AppBot,
    chat: ChatId,
    summary: Place,
    asker: &Asker,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    me: &Me,
    draft: EventDraft,
) -> HandlerResult {
    let lang = asker.lang();
    // Time passes while a summary waits: check the start again.
    let start = match check_start(&draft, asker, ctx) {
        Ok(start) => start,
        Err((key, args)) => {
            bot.send_message(chat, tr_domain(lang, key, &args)).await?;
            return ask(bot, chat, asker, ctx, dialogue, Place::Below(draft.question), Field::Date, draft).await;
        }
    };
    let (Some(title), Some(provider), Some(duration)) = (draft.title.clone(), draft.provider.clone(), draft.duration)
    else {
        return ask(bot, chat, asker, ctx, dialogue, summary, Field::Title, draft).await;
    };
    let now = ctx.clock.now();
    let new = NewEvent {
        owner_id: asker.user.id,
        host_id: Some(draft.host.as_ref().map_or(asker.user.id, |(id, _)| *id)),
        host_email: draft.host_email.clone(),
        provider_id: Some(provider.id),
        title,
        description: draft.description.clone(),
        starts_at: start,
        duration_min: duration,
        tz: asker.user.tz,
        status: EventStatus::Draft,
        meeting: None,
        options: serde_json::to_value(&draft.options).unwrap_or_default(),
        reminders: draft.reminders.clone(),
    };
    let id = ctx.events.insert(&new, now).await?;
    ctx.events.set_groups(id, &draft.groups).await?;
    if let (Some(rule), Some(event)) = (draft.recurrence(), ctx.events.get(id).await?) {
        ctx.series.start(&event, &rule).await?;
    }
    if draft.event_link {
        ctx.invites.create(InviteKind::Event, Some(id.0), asker.user.id, None, None, now).await?;
    }
    dialogue.reset().await?;
    let creating = tr_args(lang, "new-creating", &[("service", text(tr(lang, provider.kind.i18n_key())))]);
    // The summary becomes the progress line: its buttons must not create the event twice.
    screen::show(bot, chat, summary, Screen::plain(creating)).await?;
    publish(bot, chat, asker, ctx, me, id).await
}

/// The draft's reminders whose moment has already passed for its start, as of now.
fn missed(draft: &EventDraft, asker: &Asker, ctx: &SharedCtx) -> Vec<ReminderOffset> {
    match draft.start(asker.user.tz) {
        Some(Ok(start)) => missed_reminders(&draft.reminders, start, ctx.clock.now()),
        _ => Vec::new(),
    }
}

fn today(asker: &Asker, ctx: &SharedCtx) -> NaiveDate {
    ctx.clock.now().with_timezone(&asker.user.tz).date_naive()
}

/// The start of the draft, checked: it exists on the clock, is not ambiguous, is not past.
fn check_start(
    draft: &EventDraft,
    asker: &Asker,
    ctx: &SharedCtx,
) -> Result<chrono::DateTime<chrono::Utc>, (&'static str, crate::domain::I18nArgs)> {
    let start = match draft.start(asker.user.tz) {
        Some(Ok(start)) => start,
        Some(Err(err)) => return Err((err.i18n_key(), err.i18n_args())),
        None => return Err(("err-time-empty", Vec::new())),
    };
    check_not_past(start, ctx.clock.now()).map_err(|err| (err.i18n_key(), err.i18n_args()))?;
    Ok(start)
}
