//! A dialogue's question on screen. Where the answer was a press, the question is edited in
//! place; where it was typed, the next question is a new message and the old one loses its
//! buttons. So a chat holds one live keyboard, and most answers cost an edit instead of a new
//! message. Edits take a slot of the send budget like messages do (`telegram.rs`).

use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::payloads::{EditMessageReplyMarkupSetters, EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, LinkPreviewOptions, MessageId};

use super::AppBot;

/// Where the next question goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Over the message whose button was pressed.
    Over(MessageId),
    /// Below the conversation, as a new message; the question asked before it, if the state
    /// remembers one, loses its buttons.
    Below(Option<MessageId>),
}

/// One screen of a dialogue: its text, its buttons (none: the message shows no keyboard).
pub struct Screen {
    pub text: String,
    pub keyboard: Option<InlineKeyboardMarkup>,
    /// Guides carry links whose previews would bury the question.
    pub no_preview: bool,
}

impl Screen {
    pub fn new(text: String, keyboard: InlineKeyboardMarkup) -> Self {
        Self { text, keyboard: Some(keyboard), no_preview: false }
    }

    /// A screen without buttons: the end of a dialogue, a step in progress.
    pub fn plain(text: String) -> Self {
        Self { text, keyboard: None, no_preview: false }
    }

    pub fn without_preview(mut self) -> Self {
        self.no_preview = true;
        self
    }
}

/// Shows `screen` at `place`; returns the message that now shows it, for the state to keep.
///
/// An edit Telegram refuses (the message is too old, or gone) falls back to a new message:
/// a dialogue never stalls on a message it cannot change. An edit to the same content is
/// Telegram's "not modified", and the screen is already what it should be.
pub async fn show(bot: &AppBot, chat: ChatId, place: Place, screen: Screen) -> Result<MessageId, RequestError> {
    match place {
        Place::Over(message) => match edit(bot, chat, message, &screen).await {
            Ok(()) => Ok(message),
            Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(message),
            Err(RequestError::Api(err)) => {
                tracing::debug!(%err, "a question could not be edited in place; asking it anew");
                send(bot, chat, &screen).await
            }
            Err(err) => Err(err),
        },
        Place::Below(previous) => {
            let sent = send(bot, chat, &screen).await?;
            if let Some(previous) = previous.filter(|p| *p != sent) {
                strip(bot, chat, previous).await;
            }
            Ok(sent)
        }
    }
}

/// Takes the buttons off a question that has been answered by typing. Best effort: a keyboard
/// left behind is stale, and a press on it gets the stale-button answer.
pub async fn strip(bot: &AppBot, chat: ChatId, message: MessageId) {
    let none = InlineKeyboardMarkup::new(Vec::<Vec<_>>::new());
    if let Err(err) = bot.edit_message_reply_markup(chat, message).reply_markup(none).await {
        tracing::debug!(%err, "could not take the buttons off an answered question");
    }
}

async fn send(bot: &AppBot, chat: ChatId, screen: &Screen) -> Result<MessageId, RequestError> {
    let mut request = bot.send_message(chat, screen.text.clone());
    if let Some(keyboard) = &screen.keyboard {
        request = request.reply_markup(keyboard.clone());
    }
    if screen.no_preview {
        request = request.link_preview_options(no_preview());
    }
    Ok(request.await?.id)
}

async fn edit(bot: &AppBot, chat: ChatId, message: MessageId, screen: &Screen) -> Result<(), RequestError> {
    let mut request = bot.edit_message_text(chat, message, screen.text.clone());
    // Without a markup, Telegram drops the keyboard of the edited message, as a finished step wants.
    if let Some(keyboard) = &screen.keyboard {
        request = request.reply_markup(keyboard.clone());
    }
    if screen.no_preview {
        request = request.link_preview_options(no_preview());
    }
    request.await?;
    Ok(())
}

pub fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}
