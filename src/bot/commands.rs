//! The command words, and the localized command list registered with Telegram.

use teloxide::prelude::*;
use teloxide::types::BotCommand;
use teloxide::utils::command::BotCommands;

use super::AppBot;
use crate::i18n::{Lang, tr};

#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    Start(String),
    Help,
    Cancel,
    Lang,
    Tz,
    New,
    Events,
    Groups,
    Settings,
    Leave,
    Link(String),
    Providers,
    Teachers,
    Api,
}

/// Commands shown in Telegram's menu, in menu order.
const MENU: [&str; 13] = [
    "start",
    "help",
    "events",
    "new",
    "groups",
    "providers",
    "teachers",
    "api",
    "settings",
    "leave",
    "lang",
    "tz",
    "cancel",
];

pub fn menu(lang: Lang) -> Vec<BotCommand> {
    MENU.iter().map(|name| BotCommand::new(*name, tr(lang, &format!("cmd-{name}")))).collect()
}

/// Registers the menu for each language and, as the default, in `default`. A failure here costs
/// only the menu, so it is logged and the bot goes on.
pub async fn register(bot: &AppBot, default: Lang) {
    let mut attempts = vec![(None, menu(default))];
    attempts.extend(Lang::ALL.iter().map(|lang| (Some(lang.code()), menu(*lang))));
    for (code, commands) in attempts {
        let mut request = bot.set_my_commands(commands);
        if let Some(code) = code {
            request = request.language_code(code);
        }
        if let Err(err) = request.await {
            tracing::warn!(language = code.unwrap_or("default"), %err, "could not register the command list");
        }
    }
}
