//! `/providers`: registering video services with their credentials, and managing them.
//!
//! Registering is a dialogue (`register`), managing is buttons on a list (`manage`). Both check
//! the asker's role and the provider's ownership on every update, buttons on old messages
//! included; callback data carries ids only.

pub mod card;
pub mod manage;
pub mod register;

use serde::{Deserialize, Serialize};
use teloxide::dispatching::DpHandlerDescription;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, MessageId};

use super::{AppBot, Asker, CallbackData, HandlerResult, SharedCtx};
pub use crate::callback::providers::{Choice, Field, Input, ProviderCb};
use crate::domain::roles::Role;
use crate::i18n::tr;
use crate::providers::ProviderKind;
use crate::store::StoreResult;

/// Where a chat is in the provider dialogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ProviderStep {
    /// The service buttons are shown.
    ChooseKind,
    /// One field is asked.
    Ask { draft: Draft, field: Field },
    /// The live check failed; buttons offer to change one field or check again.
    Failed { draft: Draft },
    /// A new name for a saved provider is asked.
    Rename {
        id: i64,
        /// The prompt, whose Back button goes once the name is typed.
        #[serde(default)]
        prompt: Option<MessageId>,
    },
}

impl ProviderStep {
    /// The message showing this step's question, if the state remembers it.
    pub fn question(&self) -> Option<MessageId> {
        match self {
            ProviderStep::ChooseKind => None,
            ProviderStep::Ask { draft, .. } | ProviderStep::Failed { draft } => draft.question,
            ProviderStep::Rename { prompt, .. } => *prompt,
        }
    }
}

/// A provider being registered, or the new credentials of a saved one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub kind: ProviderKind,
    /// Replacing the credentials of this saved provider, rather than registering a new one.
    pub existing: Option<i64>,
    pub name: Option<String>,
    pub placement: Option<Placement>,
    /// `ProviderSettings` sealed with the AEAD: the dialogue table never holds a secret in the
    /// clear, not even for the minutes a dialogue lasts.
    pub sealed: String,
    /// A field changed after a failed check goes straight back to the check.
    pub fixing: bool,
    /// The message showing the current question: a typed answer takes its buttons away.
    #[serde(default)]
    pub question: Option<MessageId>,
}

/// Who an administrator's provider is for (a teacher's is always private).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Placement {
    Shared,
    Host(u64),
}

/// The questions of a dialogue, in order: the seeds' order of credentials, then the name,
/// the service URL, the defaults, and for an administrator who the provider is for.
pub fn sequence(draft: &Draft, asker_role: Role) -> Vec<Field> {
    let mut fields = Field::credentials(draft.kind).to_vec();
    if draft.existing.is_some() {
        return fields;
    }
    fields.push(Field::Name);
    // Jitsi takes its server as the domain; an external link has no service at all. Only an
    // administrator points a service elsewhere: the URL decides where credentials travel.
    if asker_role.is_admin() && !matches!(draft.kind, ProviderKind::Jitsi | ProviderKind::External) {
        fields.push(Field::ServiceUrl);
    }
    fields.extend_from_slice(Field::defaults(draft.kind));
    if asker_role.is_admin() {
        fields.push(Field::Placement);
    }
    fields
}

pub(crate) fn button(label: impl Into<String>, cb: ProviderCb) -> InlineKeyboardButton {
    super::keyboards::button(label, CallbackData::Provider(cb))
}

/// Whether the asker may register a provider right now.
pub(crate) async fn may_register(asker: &Asker, ctx: &SharedCtx) -> StoreResult<bool> {
    Ok(match asker.user.role {
        Role::Admin => true,
        Role::Teacher => ctx.settings.teachers_may_register_providers().await?,
        Role::Listener => false,
    })
}

/// A press that is no longer allowed (role gone, not the owner, forged data).
pub(crate) async fn refuse_press(bot: &AppBot, q: &CallbackQuery, asker: &Asker) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).text(tr(asker.lang(), "pv-not-allowed")).show_alert(true).await?;
    Ok(())
}

/// The callback branch of the provider screens that name no saved provider.
pub fn callbacks() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use dptree::case;
    dptree::entry()
        .branch(case![ProviderCb::List].endpoint(manage::on_list))
        .branch(case![ProviderCb::Add].endpoint(register::on_add))
        .branch(case![ProviderCb::Kind(kind)].endpoint(register::on_kind))
        .branch(case![ProviderCb::Answer(choice)].endpoint(register::on_answer))
        .branch(case![ProviderCb::Back].endpoint(register::on_back))
        .branch(case![ProviderCb::Cancel].endpoint(register::on_cancel))
        .branch(case![ProviderCb::Fix(field)].endpoint(register::on_fix))
        .branch(case![ProviderCb::Recheck].endpoint(register::on_recheck))
}

/// The callback branch of a saved provider's buttons, behind the `Managed` guard.
pub fn saved_callbacks() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use dptree::case;
    dptree::entry()
        .branch(case![ProviderCb::View(id)].endpoint(manage::on_view))
        .branch(case![ProviderCb::Rename(id)].endpoint(manage::on_rename))
        .branch(case![ProviderCb::Replace(id)].endpoint(manage::on_replace))
        .branch(case![ProviderCb::Check(id)].endpoint(manage::on_check))
        .branch(case![ProviderCb::Delete(id)].endpoint(manage::on_delete))
        .branch(case![ProviderCb::DeleteYes(id)].endpoint(manage::on_delete_yes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::telemost::WaitingRoomLevel;
    use crate::providers::zoom::ZoomMeetingType;

    #[test]
    fn callback_data_round_trips_within_the_limit() {
        let mut samples = vec![
            ProviderCb::List,
            ProviderCb::Add,
            ProviderCb::Back,
            ProviderCb::Cancel,
            ProviderCb::Recheck,
            ProviderCb::View(i64::MAX),
            ProviderCb::Rename(1),
            ProviderCb::Replace(2),
            ProviderCb::Check(3),
            ProviderCb::Delete(4),
            ProviderCb::DeleteYes(5),
            ProviderCb::Answer(Choice::Host(u64::MAX)),
        ];
        samples.extend(ProviderKind::ALL.map(ProviderCb::Kind));
        samples.extend(Field::ALL.map(ProviderCb::Fix));
        for choice in [
            Choice::Skip,
            Choice::Shared,
            Choice::Waiting(WaitingRoomLevel::Admins),
            Choice::Zoom(ZoomMeetingType::Webinar),
            Choice::Anonymous(None),
            Choice::Anonymous(Some(false)),
        ] {
            samples.push(ProviderCb::Answer(choice));
        }
        for cb in samples {
            let data = cb.encode();
            assert!(data.len() <= CallbackData::MAX_BYTES, "{data}");
            assert_eq!(CallbackData::parse(&data), Some(CallbackData::Provider(cb)), "{data}");
        }
    }

    #[test]
    fn forged_data_is_rejected() {
        for bad in ["pv:", "pv:v:", "pv:v:-1", "pv:v:0", "pv:k:skype", "pv:f:password", "pv:a:h:x", "pv:ls:1", "pv:dy"]
        {
            assert_eq!(CallbackData::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn choices_fit_only_their_field() {
        assert!(Choice::Skip.fits(Field::ZoomHost));
        assert!(!Choice::Skip.fits(Field::TelemostToken));
        assert!(!Choice::Host(1).fits(Field::ZoomType));
        assert!(Choice::Zoom(ZoomMeetingType::Meeting).fits(Field::ZoomType));
    }
}
