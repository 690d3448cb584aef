//! Setting up the world a delivery scenario needs: people, events, groups.

use chrono::Duration;
use webinar_bot::domain::event::{EventId, EventStatus, GroupId};
use webinar_bot::domain::reminders::ReminderOffset;
use webinar_bot::i18n::Lang;
use webinar_bot::providers::{Meeting, MeetingExtra};
use webinar_bot::store::NewEvent;
use webinar_bot::store::users::Seen;

use super::{ADMIN_ID, Call, Clock, TestBot, TgUser};
use webinar_bot::providers::ProviderSettings;
use webinar_bot::store::providers::{NewProvider, Visibility};

/// People who have opened the bot (so Telegram lets it write to them).
pub async fn people(bot: &TestBot, ids: impl IntoIterator<Item = i64>) -> Vec<TgUser> {
    let ctx = bot.ctx();
    let mut people = Vec::new();
    for id in ids {
        let user = TgUser::ru(id);
        let seen = Seen {
            id: teloxide::types::UserId(id as u64),
            first_name: &user.first_name,
            last_name: None,
            username: user.username.as_deref(),
            lang: Lang::Ru,
        };
        ctx.users.touch(&seen, ctx.config.default_timezone, bot.clock.now()).await.unwrap();
        people.push(user);
    }
    people
}

pub fn jitsi_meeting(room: &str) -> Meeting {
    Meeting {
        id: room.to_owned(),
        join_url: format!("https://meet.jit.si/{room}"),
        host_url: None,
        extra: MeetingExtra::default(),
    }
}

/// A planned event of the administrator, starting `starts_in` from now, with these reminders.
pub async fn event(bot: &TestBot, title: &str, starts_in: Duration, reminders: &[ReminderOffset]) -> EventId {
    let ctx = bot.ctx();
    people(bot, [ADMIN_ID]).await;
    let new = NewEvent {
        owner_id: teloxide::types::UserId(ADMIN_ID as u64),
        host_id: None,
        host_email: None,
        provider_id: None,
        title: title.to_owned(),
        description: Some("Тема: <дроби> & проценты".to_owned()),
        starts_at: bot.clock.now() + starts_in,
        duration_min: 90,
        tz: chrono_tz::Europe::Moscow,
        status: EventStatus::Planned,
        meeting: Some(jitsi_meeting("room123abc")),
        options: serde_json::json!({}),
        reminders: reminders.to_vec(),
    };
    ctx.events.insert(&new, bot.clock.now()).await.unwrap()
}

/// Adds people to an event by its own link, as opening it does.
pub async fn invite(bot: &TestBot, event: EventId, people: &[TgUser]) {
    let ctx = bot.ctx();
    for person in people {
        ctx.events.add_direct_listener(event, teloxide::types::UserId(person.id as u64)).await.unwrap();
    }
}

/// A listener group with these members, linked to a Telegram group chat when `chat` is given.
pub async fn group(bot: &TestBot, members: &[TgUser], chat: Option<i64>) -> GroupId {
    let db = bot.db().await;
    let now = webinar_bot::store::stamp(bot.clock.now());
    let id: i64 = webinar_bot::on_db!(&db, |pool| sqlx::query_scalar(
        "INSERT INTO listener_groups (owner_id, name, created_at) VALUES ($1, 'Группа №15-ПБ', $2) RETURNING id",
    )
    .bind(ADMIN_ID)
    .bind(&now)
    .fetch_one(pool)
    .await)
    .unwrap();
    for member in members {
        webinar_bot::on_db!(&db, |pool| sqlx::query(
            "INSERT INTO group_members (group_id, user_id, joined_at) VALUES ($1, $2, $3)"
        )
        .bind(id)
        .bind(member.id)
        .bind(&now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .unwrap();
    }
    if let Some(chat) = chat {
        webinar_bot::on_db!(&db, |pool| sqlx::query(
            "INSERT INTO group_chats (chat_id, group_id, linked_by, linked_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(chat)
        .bind(id)
        .bind(ADMIN_ID)
        .bind(&now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .unwrap();
    }
    db.close().await;
    GroupId(id)
}

/// A provider of the administrator's, shared with every teacher.
pub async fn register_provider(bot: &TestBot, name: &str, settings: &ProviderSettings) -> i64 {
    let new = NewProvider {
        name,
        owner: teloxide::types::UserId(ADMIN_ID as u64),
        visibility: Visibility::Shared,
        host: None,
        settings,
        checked_at: None,
    };
    bot.ctx().providers.create(&new, bot.clock.now()).await.unwrap()
}

/// Presses the button labelled `label` under `reply`; returns the bot's next message in the chat.
pub async fn choose(bot: &TestBot, user: &TgUser, reply: &Call, label: &str) -> Call {
    let mark = bot.tg.mark();
    bot.tg.press(user, reply.message_id().unwrap(), &reply.button_data(label));
    bot.tg.reply_after(mark, user.id).await
}

/// Presses the button labelled `label` and waits for the message in the user's chat that says `needle`.
pub async fn press_for(bot: &TestBot, user: &TgUser, under: &Call, label: &str, needle: &str) -> Call {
    let mark = bot.tg.mark();
    bot.tg.press(user, under.message_id().unwrap(), &under.button_data(label));
    bot.tg.wait_for(mark, needle, |c| c.chat_id() == Some(user.id) && c.text().contains(needle)).await
}
