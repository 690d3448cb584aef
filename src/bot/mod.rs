//! The Telegram side: the dptree schema, one module per dialogue flow, keyboards and callback data.

pub mod api;
pub mod asker;
pub mod card;
pub mod commands;
pub mod events;
pub mod groups;
pub mod guards;
pub mod help;
pub mod invites;
pub mod join;
pub mod listeners;
pub mod observe;
pub mod profile;
pub mod providers;
pub mod refusals;
pub mod reply;
pub mod screen;
pub mod settings;
pub mod start;
pub mod state;
pub mod teachers;

use std::sync::Arc;

use crate::store::Db;
use teloxide::dispatching::dialogue::{Dialogue, ErasedStorage};
use teloxide::dispatching::{DpHandlerDescription, UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;

pub use crate::callback::CallbackData;
pub use crate::keyboards;
pub use asker::Asker;
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
    pub pool: Db,
    pub users: Users,
    pub invites: Invites,
    pub groups: Groups,
    pub events: Events,
    pub delivery: Delivery,
    pub meetings: Arc<crate::meetings::Meetings>,
    pub series: crate::series::SeriesService,
    pub attendance: crate::attendance::AttendanceService,
    pub clock: SharedClock,
    pub dialogues: Arc<DbStorage<State>>,
    /// Registered providers; holds the AEAD that seals their settings.
    pub providers: Providers,
    pub settings: Settings,
    /// The learning platform's API: tokens, rosters, signed links.
    pub platform: crate::platform::PlatformService,
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
    use dptree::{case, endpoint};
    use guards::{admin, private, teacher};

    // Who may send each command, and where, is decided here; the handlers do not check again.
    let mine = "settings-private-only";
    let commands = teloxide::filter_command::<Command, _>()
        .branch(case![Command::Start(payload)].endpoint(start::start))
        .branch(case![Command::Help].endpoint(start::help))
        .branch(case![Command::Cancel].endpoint(start::cancel))
        .branch(case![Command::Lang].endpoint(settings::ask_language))
        .branch(case![Command::Tz].chain(private(mine, endpoint(settings::ask_timezone))))
        .branch(case![Command::New].chain(teacher("new-not-allowed", private(mine, endpoint(events::create::start)))))
        .branch(case![Command::Events].chain(private(mine, endpoint(events::list::list))))
        .branch(case![Command::Groups].chain(private(mine, teacher("groups-teachers-only", endpoint(groups::command)))))
        .branch(case![Command::Settings].chain(private(mine, endpoint(profile::settings))))
        .branch(case![Command::Leave].chain(private(mine, endpoint(profile::leave))))
        .branch(case![Command::Link(code)].endpoint(groups::link_chat))
        .branch(
            case![Command::Providers]
                .chain(teacher("pv-not-allowed", private("pv-private-only", endpoint(providers::manage::command)))),
        )
        .branch(
            case![Command::Teachers]
                .chain(admin("tc-not-allowed", private("tc-private-only", endpoint(teachers::command)))),
        )
        .branch(
            case![Command::Api].chain(admin("api-not-allowed", private("api-private-only", endpoint(api::command)))),
        );

    Update::filter_message()
        .filter_map_async(asker::from_message)
        .enter_dialogue::<Message, ErasedStorage<State>, State>()
        .inspect_async(start::apologise_for_reset_state)
        .branch(commands)
        // A group chat has no dialogue: one member's press must never turn another member's
        // next message into an answer.
        .branch(dptree::filter(|msg: Message| !msg.chat.is_private()).endpoint(start::unknown_input))
        .branch(case![State::AwaitingTimezone].endpoint(settings::receive_timezone))
        .branch(event_steps())
        .branch(listener_steps())
        .branch(case![State::Provider(step)].chain(provider_steps()))
        .branch(case![State::ApiToken(step)].chain(admin("api-not-allowed", api_steps())))
        .endpoint(start::unknown_input)
}

/// The message steps of `/new` and of editing an event, one `case!` per step.
fn event_steps() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use dptree::case;
    use events::{EventStep, copy, create, edit};

    case![State::Event(step)]
        .branch(case![EventStep::Title(draft)].endpoint(create::receive_title))
        .branch(case![EventStep::ExternalUrl(draft)].endpoint(create::receive_external_url))
        .branch(case![EventStep::Date(draft)].endpoint(create::receive_date))
        .branch(case![EventStep::Time(draft)].endpoint(create::receive_time))
        .branch(case![EventStep::Duration(draft)].endpoint(create::receive_duration))
        .branch(case![EventStep::RepeatEnd(draft)].endpoint(create::receive_repeat_end))
        .branch(case![EventStep::Description(draft)].endpoint(create::receive_description))
        .branch(case![EventStep::HostEmail(draft)].endpoint(create::receive_host_email))
        .branch(case![EventStep::EditTitle(id)].endpoint(edit::receive_title))
        .branch(case![EventStep::EditDescription(id)].endpoint(edit::receive_description))
        .branch(case![EventStep::EditWhen(id)].endpoint(edit::receive_when))
        .branch(case![EventStep::EditDuration(id)].endpoint(edit::receive_duration))
        .branch(case![EventStep::CopyTo(id)].endpoint(copy::receive_copy_date))
        .endpoint(create::use_the_buttons)
}

/// The message steps of making an API token (behind the administrator guard).
fn api_steps() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use api::ApiStep;
    use dptree::case;

    // Branches, not `.endpoint`: after one branch, `entry()` is that branch itself, and an
    // endpoint chained to it would be dead code to dptree.
    dptree::entry()
        .branch(case![ApiStep::Name { prompt }].endpoint(api::receive_name))
        .branch(dptree::endpoint(api::use_the_buttons))
}

/// The message steps of the provider dialogue.
fn provider_steps() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use dptree::case;
    use providers::{ProviderStep, manage, register};

    dptree::entry()
        .branch(case![ProviderStep::Ask { draft, field }].endpoint(register::receive_field))
        .branch(case![ProviderStep::Rename { id, prompt }].endpoint(manage::receive_name))
        .endpoint(register::expect_button)
}

/// The listener-group dialogues: a group's name, a listener's full name or organisation.
fn listener_steps() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use dptree::case;
    use listeners::ListenerStep;

    case![State::Listener(step)]
        .branch(case![ListenerStep::GroupName { group, prompt }].endpoint(groups::receive_name))
        .branch(case![ListenerStep::FullName { first_join, question }].endpoint(profile::receive_full_name))
        .branch(case![ListenerStep::Organisation { first_join, question }].endpoint(profile::receive_organisation))
        .branch(case![ListenerStep::Email].endpoint(profile::receive_email))
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
                    dptree::filter(|q: CallbackQuery, data: CallbackData| {
                        !pressed_in_private(&q) && !data.works_in_groups()
                    })
                    .endpoint(refusals::private_only_button),
                )
                .branch(case![CallbackData::Lang(lang)].endpoint(settings::set_language))
                .branch(case![CallbackData::Tz(zone)].endpoint(settings::set_timezone_button))
                .branch(case![CallbackData::Group(action)].chain(group_presses()))
                .branch(case![CallbackData::Profile(action)].endpoint(profile::on_button))
                .branch(case![CallbackData::Leave(action)].endpoint(profile::on_leave_button))
                .branch(case![CallbackData::Rsvp(event, answer)].endpoint(card::rsvp))
                .branch(case![CallbackData::Calendar(event)].endpoint(card::calendar))
                .branch(case![CallbackData::New(action)].chain(new_presses()))
                .branch(case![CallbackData::Event(event, action)].chain(event_presses()))
                .branch(
                    case![CallbackData::EventList(page)]
                        .chain(guards::teacher("new-not-allowed", dptree::endpoint(events::list::list_page))),
                )
                .branch(
                    case![CallbackData::PastEvents(page)]
                        .chain(guards::teacher("new-not-allowed", dptree::endpoint(events::list::past_page))),
                )
                .branch(case![CallbackData::Provider(cb)].chain(provider_presses()))
                .branch(case![CallbackData::Teacher(cb)].chain(guards::admin("tc-not-allowed", teachers::callbacks())))
                .branch(case![CallbackData::Api(cb)].chain(guards::admin("api-not-allowed", api::callbacks()))),
        )
        .endpoint(refusals::stale_button)
}

/// A teacher's groups: a press naming a group reaches its handler only with the group the
/// asker manages.
fn group_presses() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    let one_group = dptree::filter(guards::names_group)
        .branch(dptree::filter_map_async(guards::managed_group).endpoint(groups::on_group_button))
        .branch(guards::refuse("groups-not-found"));
    guards::teacher("groups-teachers-only", dptree::entry().branch(one_group).endpoint(groups::on_list_button))
}

/// Presses inside `/new`; the provider chosen there is one the asker may use right now.
fn new_presses() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use events::NewAction;
    let provider = dptree::filter(|action: NewAction| matches!(action, NewAction::Provider(_)))
        .branch(dptree::filter_map_async(guards::usable_provider).endpoint(events::create::choose_provider))
        .branch(guards::refuse("pv-not-allowed"));
    guards::teacher("new-not-allowed", dptree::entry().branch(provider).endpoint(events::create::press))
}

/// Presses on a teacher's event card reach the handler only with an event the asker manages.
fn event_presses() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    dptree::entry()
        .branch(dptree::filter_map_async(guards::owned_event).endpoint(events::press::press))
        .branch(guards::refuse("event-not-yours"))
}

/// The provider screens: a press naming a saved provider reaches its handler only with one the
/// asker manages.
fn provider_presses() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    let saved = dptree::filter(|data: CallbackData| guards::provider_id(&data).is_some())
        .branch(dptree::filter_map_async(guards::managed_provider).chain(providers::saved_callbacks()))
        .branch(guards::refuse("pv-not-allowed"));
    guards::teacher("pv-not-allowed", dptree::entry().branch(saved).chain(providers::callbacks()))
}
