//! The Telegram side: the dptree schema, one module per dialogue flow, keyboards and callback data.

pub mod asker;
pub mod card;
pub mod commands;
pub mod events;
pub mod groups;
pub mod help;
pub mod invites;
pub mod join;
pub mod listeners;
pub mod profile;
pub mod providers;
pub mod refusals;
pub mod reply;
pub mod settings;
pub mod start;
pub mod state;
pub mod teachers;

use std::sync::Arc;

use sqlx::SqlitePool;
use teloxide::dispatching::dialogue::{Dialogue, ErasedStorage};
use teloxide::dispatching::{DpHandlerDescription, UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;

pub use asker::Asker;
pub use crate::callback::CallbackData;
pub use crate::keyboards;
pub use commands::Command;
pub use state::State;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::delivery::Delivery;
use crate::store::{DbStorage, Events, Groups, Invites, Providers, Settings, StoreError, Users};

/// The bot as handlers hold it: their messages are replies, first in line for the send budget.
pub type AppBot = crate::telegram::Tg;

pub type BotDialogue = Dialogue<State, ErasedStorage<State>>;

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("telegram: {0}")]
    Telegram(#[from] teloxide::RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("dialogue storage: {0}")]
    Dialogue(Box<dyn std::error::Error + Send + Sync>),
}

impl From<Box<dyn std::error::Error + Send + Sync>> for BotError {
    fn from(err: Box<dyn std::error::Error + Send + Sync>) -> Self {
        BotError::Dialogue(err)
    }
}

pub type HandlerResult<T = ()> = Result<T, BotError>;

/// What every handler may need, built once in `app`.
pub struct Ctx {
    pub config: Config,
    pub pool: SqlitePool,
    pub users: Users,
    pub invites: Invites,
    pub groups: Groups,
    pub events: Events,
    pub delivery: Delivery,
    pub meetings: Arc<crate::meetings::Meetings>,
    pub series: crate::series::SeriesService,
    pub clock: SharedClock,
    pub dialogues: Arc<DbStorage<State>>,
    /// Registered providers; holds the AEAD that seals their settings.
    pub providers: Providers,
    pub settings: Settings,
}

pub type SharedCtx = Arc<Ctx>;

/// Whether a button sits under a message of a private chat (an inline message has no chat: it
/// is treated as a group's).
fn pressed_in_private(q: &CallbackQuery) -> bool {
    q.regular_message().is_some_and(|m| m.chat.is_private())
}

/// The whole update tree, in the shape of teloxide's `examples/purchase.rs`.
pub fn schema() -> UpdateHandler<BotError> {
    dptree::entry()
        .branch(Update::filter_my_chat_member().endpoint(asker::track_membership))
        .branch(message_branch())
        .branch(callback_branch())
}

fn message_branch() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use dptree::case;

    let commands = teloxide::filter_command::<Command, _>()
        .branch(case![Command::Start(payload)].endpoint(start::start))
        .branch(case![Command::Help].endpoint(start::help))
        .branch(case![Command::Cancel].endpoint(start::cancel))
        .branch(case![Command::Lang].endpoint(settings::ask_language))
        .branch(case![Command::Tz].endpoint(settings::ask_timezone))
        .branch(case![Command::New].endpoint(events::create::start))
        .branch(case![Command::Events].endpoint(events::list::list))
        .branch(case![Command::Groups].endpoint(groups::command))
        .branch(case![Command::Settings].endpoint(profile::settings))
        .branch(case![Command::Leave].endpoint(profile::leave))
        .branch(case![Command::Link(code)].endpoint(groups::link_chat))
        .branch(case![Command::Providers].endpoint(providers::manage::command))
        .branch(case![Command::Teachers].endpoint(teachers::command));

    Update::filter_message()
        .filter_map_async(asker::from_message)
        .enter_dialogue::<Message, ErasedStorage<State>, State>()
        .inspect_async(start::apologise_for_reset_state)
        .branch(commands)
        // A group chat has no dialogue: one member's press must never turn another member's
        // next message into an answer.
        .branch(dptree::filter(|msg: Message| !msg.chat.is_private()).endpoint(start::unknown_input))
        .branch(case![State::AwaitingTimezone].endpoint(settings::receive_timezone))
        .branch(events::message_steps())
        .branch(listener_steps())
        .branch(case![State::Provider(step)].chain(providers::message_steps()))
        .endpoint(start::unknown_input)
}

/// The listener-group dialogues: a group's name, a listener's full name or organisation.
fn listener_steps() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use dptree::case;
    use listeners::ListenerStep;

    case![State::Listener(step)]
        .branch(case![ListenerStep::GroupName { group }].endpoint(groups::receive_name))
        .branch(case![ListenerStep::FullName { first_join }].endpoint(profile::receive_full_name))
        .branch(case![ListenerStep::Organisation { first_join }].endpoint(profile::receive_organisation))
}

fn callback_branch() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use dptree::case;

    Update::filter_callback_query()
        .filter_map_async(asker::from_callback)
        .enter_dialogue::<CallbackQuery, ErasedStorage<State>, State>()
        .branch(
            dptree::filter_map(CallbackData::from_query)
                // Only a card's buttons work in a group chat; dialogue buttons there are refused,
                // so no member can set the chat's state for another.
                .branch(
                    dptree::filter(|q: CallbackQuery, data: CallbackData| !pressed_in_private(&q) && !data.works_in_groups())
                        .endpoint(refusals::private_only_button),
                )
                .branch(case![CallbackData::Lang(lang)].endpoint(settings::set_language))
                .branch(case![CallbackData::Tz(zone)].endpoint(settings::set_timezone_button))
                .branch(case![CallbackData::Group(action)].endpoint(groups::on_button))
                .branch(case![CallbackData::Profile(action)].endpoint(profile::on_button))
                .branch(case![CallbackData::Leave(action)].endpoint(profile::on_leave_button))
                .branch(case![CallbackData::Rsvp(event, answer)].endpoint(card::rsvp))
                .branch(case![CallbackData::Calendar(event)].endpoint(card::calendar))
                .branch(events::callbacks())
                .branch(case![CallbackData::Provider(cb)].chain(providers::callbacks()))
                .branch(case![CallbackData::Teacher(cb)].chain(teachers::callbacks())),
        )
        .endpoint(refusals::stale_button)
}
