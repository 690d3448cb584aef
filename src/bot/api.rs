//! `/api`: administrators make, list and revoke the learning platform's API tokens. A token is
//! shown once, when it is made; the bot keeps only its SHA-256.

use serde::{Deserialize, Serialize};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};
use teloxide::utils::html;

use super::{AppBot, Asker, BotDialogue, CallbackData, HandlerResult, SharedCtx, State, keyboards};
use crate::domain::platform::Scope;
use crate::i18n::{Lang, num, text, tr, tr_args};

pub use crate::callback::api::ApiCb;

/// The longest name of a token: it is a button label.
const MAX_NAME_CHARS: usize = 48;

/// Where making a token is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ApiStep {
    /// Waiting for the token's name.
    Name { prompt: Option<MessageId> },
    /// The name is typed; a scope button finishes.
    Scope { name: String },
}

impl ApiStep {
    pub fn question(&self) -> Option<MessageId> {
        match self {
            ApiStep::Name { prompt } => *prompt,
            ApiStep::Scope { .. } => None,
        }
    }
}

fn button(label: impl Into<String>, cb: ApiCb) -> InlineKeyboardButton {
    keyboards::button(label, CallbackData::Api(cb))
}

fn scope_label(lang: Lang, scope: Scope) -> String {
    tr(lang, &format!("api-scope-{}", scope.code()))
}

/// The callback branch, behind the schema's administrator guard.
pub fn callbacks() -> dptree::Handler<'static, HandlerResult, teloxide::dispatching::DpHandlerDescription> {
    use dptree::case;
    dptree::entry()
        .branch(case![ApiCb::List].endpoint(on_list))
        .branch(case![ApiCb::New].endpoint(on_new))
        .branch(case![ApiCb::Scope(scope)].endpoint(on_scope))
        .branch(case![ApiCb::Revoke(id)].endpoint(on_revoke))
        .branch(case![ApiCb::RevokeYes(id)].endpoint(on_revoke_yes))
}

/// `/api` (an administrator's, in a private chat: the schema's guards).
pub async fn command(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx) -> HandlerResult {
    send_overview(&bot, msg.chat.id, asker.lang(), &ctx).await
}

async fn send_overview(bot: &AppBot, chat: ChatId, lang: Lang, ctx: &SharedCtx) -> HandlerResult {
    let tokens = ctx.platform.tokens.active().await?;
    let mut lines = vec![tr_args(lang, "api-title", &[("n", num(tokens.len() as f64))])];
    for t in &tokens {
        let used = match t.last_used_at {
            Some(at) => tr_args(lang, "api-last-used", &[("date", text(at.format("%Y-%m-%d %H:%M UTC").to_string()))]),
            None => tr(lang, "api-never-used"),
        };
        lines.push(format!("• <b>{}</b> — {} · {used}", html::escape(&t.name), scope_label(lang, t.scope)));
    }
    let mut rows = vec![vec![button(tr(lang, "api-button-new"), ApiCb::New)]];
    for t in &tokens {
        let label = tr_args(lang, "api-button-revoke", &[("name", text(t.name.clone()))]);
        rows.push(vec![button(label, ApiCb::Revoke(t.id))]);
    }
    bot.send_message(chat, lines.join("\n")).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

fn chat_of(q: &CallbackQuery) -> ChatId {
    // The schema lets presses here through only from private chats' messages.
    q.regular_message().map(|m| m.chat.id).unwrap_or(ChatId(q.from.id.0 as i64))
}

async fn on_list(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    send_overview(&bot, chat_of(&q), asker.lang(), &ctx).await
}

async fn on_new(bot: AppBot, q: CallbackQuery, asker: Asker, dialogue: BotDialogue) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let asked = bot.send_message(chat_of(&q), tr(asker.lang(), "api-ask-name")).await?;
    dialogue.update(State::ApiToken(ApiStep::Name { prompt: Some(asked.id) })).await?;
    Ok(())
}

/// The name of a new token, typed.
pub async fn receive_name(bot: AppBot, msg: Message, asker: Asker, dialogue: BotDialogue) -> HandlerResult {
    let lang = asker.lang();
    let name = msg.text().map(str::trim).unwrap_or_default();
    let count = name.chars().count();
    if count == 0 || count > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        let said = tr_args(lang, "api-name-invalid", &[("max", num(MAX_NAME_CHARS as f64))]);
        bot.send_message(msg.chat.id, said).await?;
        return Ok(());
    }
    dialogue.update(State::ApiToken(ApiStep::Scope { name: name.to_owned() })).await?;
    let rows: Vec<Vec<InlineKeyboardButton>> =
        Scope::ALL.into_iter().map(|s| vec![button(scope_label(lang, s), ApiCb::Scope(s))]).collect();
    let said = tr_args(lang, "api-ask-scope", &[("name", text(html::escape(name)))]);
    bot.send_message(msg.chat.id, said).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

/// Anything but a name while one is asked for, or a message while a scope button is awaited.
pub async fn use_the_buttons(bot: AppBot, msg: Message, asker: Asker) -> HandlerResult {
    bot.send_message(msg.chat.id, tr(asker.lang(), "api-use-buttons")).await?;
    Ok(())
}

async fn on_scope(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    state: State,
    scope: Scope,
) -> HandlerResult {
    let lang = asker.lang();
    let State::ApiToken(ApiStep::Scope { name }) = state else {
        bot.answer_callback_query(q.id.clone()).text(tr(lang, "button-stale")).show_alert(true).await?;
        return Ok(());
    };
    bot.answer_callback_query(q.id.clone()).await?;
    let made = ctx.platform.create_token(&name, scope, asker.user.id).await?;
    dialogue.reset().await?;
    // The id and the name only: the token itself must never reach a log line.
    tracing::info!(token = made.id, scope = scope.code(), by = asker.user.id.0, "an API token was created");
    if let Some(message) = q.regular_message() {
        super::screen::strip(&bot, message.chat.id, message.id).await;
    }
    let said = tr_args(
        lang,
        "api-created",
        &[("name", text(html::escape(&name))), ("scope", text(scope_label(lang, scope))), ("token", text(made.token))],
    );
    let rows = vec![vec![button(tr(lang, "api-button-list"), ApiCb::List)]];
    bot.send_message(chat_of(&q), said).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

async fn on_revoke(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, id: i64) -> HandlerResult {
    let lang = asker.lang();
    let Some(token) = ctx.platform.tokens.get(id).await? else {
        bot.answer_callback_query(q.id.clone()).text(tr(lang, "api-already-revoked")).show_alert(true).await?;
        return Ok(());
    };
    bot.answer_callback_query(q.id.clone()).await?;
    let said = tr_args(lang, "api-revoke-ask", &[("name", text(html::escape(&token.name)))]);
    let rows = vec![vec![
        button(tr(lang, "api-button-revoke-yes"), ApiCb::RevokeYes(id)),
        button(tr(lang, "api-button-revoke-no"), ApiCb::List),
    ]];
    bot.send_message(chat_of(&q), said).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

async fn on_revoke_yes(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, id: i64) -> HandlerResult {
    let lang = asker.lang();
    let token = ctx.platform.tokens.get(id).await?;
    bot.answer_callback_query(q.id.clone()).await?;
    let revoked = match token {
        Some(token) if ctx.platform.tokens.revoke(id, ctx.clock.now()).await? => Some(token),
        _ => None,
    };
    let said = match revoked {
        Some(token) => {
            tracing::info!(token = id, by = asker.user.id.0, "an API token was revoked");
            tr_args(lang, "api-revoked", &[("name", text(html::escape(&token.name)))])
        }
        None => tr(lang, "api-already-revoked"),
    };
    if let Some(message) = q.regular_message() {
        super::screen::strip(&bot, message.chat.id, message.id).await;
    }
    bot.send_message(chat_of(&q), said).await?;
    Ok(())
}
