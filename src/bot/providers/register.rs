//! Registering a provider (and replacing a saved one's credentials): the guided dialogue.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html;

use super::{Choice, Draft, Field, Input, Placement, ProviderCb, ProviderStep, button, may_register, refuse_press};
use crate::bot::screen::{self, Place, Screen};
use crate::bot::{AppBot, Asker, BotDialogue, HandlerResult, SharedCtx, State};
use crate::i18n::{Lang, provider_check_error, provider_error, text, tr, tr_args};
use crate::providers::jitsi::JitsiSettings;
use crate::providers::kontur::KonturSettings;
use crate::providers::mts_link::MtsLinkSettings;
use crate::providers::telemost::TelemostSettings;
use crate::providers::zoom::ZoomSettings;
use crate::providers::{
    CheckReport, ProviderError, ProviderKind, ProviderSettings, Secret, ServiceSettings, check_email, resolve_base,
};
use crate::store::providers::{NewProvider, main_secret};
use crate::store::{StoreResult, Visibility};

/// Where Yandex sends the person for a token, as the seed gives it.
const YANDEX_AUTHORIZE: &str = "https://oauth.yandex.ru/authorize?response_type=token&client_id=";
const MAX_NAME_CHARS: usize = 64;
const MAX_ID_CHARS: usize = 128;
const MAX_SECRET_CHARS: usize = 4096;

/// Why an answer was not taken. Either our own explanation or the providers' one.
enum Invalid {
    Key(&'static str),
    Provider(ProviderError),
}

impl From<ProviderError> for Invalid {
    fn from(err: ProviderError) -> Self {
        Invalid::Provider(err)
    }
}

/// Settings of a service with nothing filled in yet.
fn blank(kind: ProviderKind) -> ProviderSettings {
    let service = match kind {
        ProviderKind::Telemost => ServiceSettings::Telemost(TelemostSettings {
            token: Secret::default(),
            waiting_room_level: Default::default(),
            live_stream_access: Default::default(),
            login_info_url: None,
        }),
        ProviderKind::Zoom => ServiceSettings::Zoom(ZoomSettings {
            account_id: String::new(),
            client_id: String::new(),
            client_secret: Secret::default(),
            meeting_type: Default::default(),
            host_email: None,
            oauth_url: None,
        }),
        ProviderKind::Kontur => ServiceSettings::Kontur(KonturSettings {
            space: String::new(),
            api_key: Secret::default(),
            anonymous_access: None,
            host_email: None,
        }),
        ProviderKind::MtsLink => ServiceSettings::MtsLink(MtsLinkSettings {
            api_key: Secret::default(),
            event_type: Default::default(),
            host_email: None,
            timezone_id: None,
        }),
        ProviderKind::Jitsi => ServiceSettings::Jitsi(JitsiSettings::default()),
        ProviderKind::External => ServiceSettings::External,
    };
    ProviderSettings::new(service)
}

// ---- entering the dialogue ----

pub async fn on_add(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
) -> HandlerResult {
    let Some(message) = q.regular_message() else {
        return refuse_press(&bot, &q, &asker).await;
    };
    if !may_register(&asker, &ctx).await? {
        return refuse_press(&bot, &q, &asker).await;
    }
    bot.answer_callback_query(q.id.clone()).await?;
    dialogue.update(State::Provider(ProviderStep::ChooseKind)).await?;
    send_kinds(&bot, message.chat.id, Place::Over(message.id), asker.lang()).await
}

pub(crate) async fn send_kinds(bot: &AppBot, chat: ChatId, place: Place, lang: Lang) -> HandlerResult {
    let mut rows: Vec<Vec<InlineKeyboardButton>> =
        ProviderKind::ALL.iter().map(|kind| vec![button(tr(lang, kind.i18n_key()), ProviderCb::Kind(*kind))]).collect();
    rows.push(vec![button(tr(lang, "pv-button-cancel"), ProviderCb::Cancel)]);
    screen::show(bot, chat, place, Screen::new(tr(lang, "pv-choose-kind"), InlineKeyboardMarkup::new(rows))).await?;
    Ok(())
}

pub async fn on_kind(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    state: State,
    kind: ProviderKind,
) -> HandlerResult {
    let Some((chat, here)) = q.regular_message().map(|m| (m.chat.id, Place::Over(m.id))) else {
        return refuse_press(&bot, &q, &asker).await;
    };
    if state != State::Provider(ProviderStep::ChooseKind) {
        return stale(&bot, &q, &asker).await;
    }
    if !may_register(&asker, &ctx).await? {
        dialogue.reset().await?;
        return refuse_press(&bot, &q, &asker).await;
    }
    bot.answer_callback_query(q.id.clone()).await?;
    let draft = Draft {
        kind,
        existing: None,
        name: None,
        placement: None,
        sealed: ctx.providers.seal_draft(chat, &blank(kind))?,
        fixing: false,
        question: None,
    };
    // The guide leads the first question, in the message that showed the services.
    let guide = Lead::text(tr(asker.lang(), &format!("pv-guide-{}", kind.as_str())));
    // Every new provider asks at least its name.
    let first = super::sequence(&draft, asker.user.role).first().copied().unwrap_or(Field::Name);
    let turn = Turn { bot: &bot, chat, place: here, asker: &asker, ctx: &ctx, dialogue: &dialogue };
    go_to(&turn, draft, first, guide).await
}

/// Starts replacing the credentials of a saved provider (the caller checked the rights).
// The turn's parts come from the press on the saved provider's card.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn start_replace(
    bot: &AppBot,
    chat: ChatId,
    place: Place,
    asker: &Asker,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    id: i64,
    settings: &ProviderSettings,
) -> HandlerResult {
    let draft = Draft {
        kind: settings.kind(),
        existing: Some(id),
        name: None,
        placement: None,
        sealed: ctx.providers.seal_draft(chat, settings)?,
        fixing: false,
        question: None,
    };
    let Some(first) = super::sequence(&draft, asker.user.role).first().copied() else {
        bot.send_message(chat, tr(asker.lang(), "pv-nothing-to-replace")).await?;
        return Ok(());
    };
    go_to(&Turn { bot, chat, place, asker, ctx, dialogue }, draft, first, Lead::default()).await
}

// ---- one field ----

/// Who is answered, in which chat, with what: what every step of the dialogue needs.
#[derive(Clone, Copy)]
struct Turn<'a> {
    bot: &'a AppBot,
    chat: ChatId,
    /// Over the pressed message, or below a typed answer.
    place: Place,
    asker: &'a Asker,
    ctx: &'a SharedCtx,
    dialogue: &'a BotDialogue,
}

/// What the previous answer earned, said in the same message as the next question: Telegram
/// allows a bot about one message a second and twenty a minute in a chat, so acknowledgements
/// ride along instead of costing messages of their own.
#[derive(Default)]
struct Lead {
    text: Option<String>,
    button: Option<InlineKeyboardButton>,
}

impl Lead {
    fn text(text: String) -> Self {
        Self { text: Some(text), button: None }
    }

    fn before(&self, rest: String) -> String {
        match &self.text {
            Some(lead) => format!("{lead}\n\n{rest}"),
            None => rest,
        }
    }
}

async fn go_to(turn: &Turn<'_>, mut draft: Draft, field: Field, lead: Lead) -> HandlerResult {
    let Turn { bot, chat, place, asker, ctx, dialogue } = *turn;
    let mut keyboard = field_keyboard(asker.lang(), ctx, field).await?;
    if let Some(link) = lead.button.clone() {
        keyboard.inline_keyboard.insert(0, vec![link]);
    }
    let question = lead.before(tr(asker.lang(), &format!("pv-ask-{}", field.code())));
    draft.question = Some(screen::show(bot, chat, place, Screen::new(question, keyboard).without_preview()).await?);
    dialogue.update(State::Provider(ProviderStep::Ask { draft, field })).await?;
    Ok(())
}

async fn field_keyboard(lang: Lang, ctx: &SharedCtx, field: Field) -> StoreResult<InlineKeyboardMarkup> {
    use crate::providers::telemost::WaitingRoomLevel as W;
    use crate::providers::zoom::ZoomMeetingType as Z;
    let answer = |key: &str, choice| vec![button(tr(lang, key), ProviderCb::Answer(choice))];
    let mut rows: Vec<Vec<InlineKeyboardButton>> = match field {
        Field::TelemostWaitingRoom => vec![
            answer("pv-wait-public", Choice::Waiting(W::Public)),
            answer("pv-wait-organization", Choice::Waiting(W::Organization)),
            answer("pv-wait-admins", Choice::Waiting(W::Admins)),
        ],
        Field::ZoomType => {
            vec![
                answer("pv-zoom-meeting", Choice::Zoom(Z::Meeting)),
                answer("pv-zoom-webinar", Choice::Zoom(Z::Webinar)),
            ]
        }
        Field::KonturAnonymous => vec![
            answer("pv-anon-yes", Choice::Anonymous(Some(true))),
            answer("pv-anon-no", Choice::Anonymous(Some(false))),
            answer("pv-anon-default", Choice::Anonymous(None)),
        ],
        Field::Placement => {
            let mut rows = vec![answer("pv-place-shared", Choice::Shared)];
            for teacher in ctx.users.teachers().await? {
                let label = tr_args(lang, "pv-place-host", &[("name", text(teacher.first_name.clone()))]);
                rows.push(vec![button(label, ProviderCb::Answer(Choice::Host(teacher.id.0)))]);
            }
            rows
        }
        Field::JitsiDomain => answer("pv-jitsi-default", Choice::Skip).into_iter().map(|b| vec![b]).collect(),
        _ if field.input() == Input::OptionalText => vec![answer("pv-skip", Choice::Skip)],
        _ => Vec::new(),
    };
    rows.push(vec![
        button(tr(lang, "pv-button-back"), ProviderCb::Back),
        button(tr(lang, "pv-button-cancel"), ProviderCb::Cancel),
    ]);
    Ok(InlineKeyboardMarkup::new(rows))
}

/// A typed answer to the field being asked.
pub async fn receive_field(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    (mut draft, field): (Draft, Field),
) -> HandlerResult {
    let chat = msg.chat.id;
    let lang = asker.lang();
    if !allowed(&asker, &ctx, &draft).await? {
        dialogue.reset().await?;
        bot.send_message(chat, tr(lang, "pv-not-allowed")).await?;
        return Ok(());
    }
    let input = field.input();
    if input == Input::Secret {
        // Gone from the chat before anything else happens to it, valid or not.
        if let Err(err) = bot.delete_message(chat, msg.id).await {
            tracing::warn!(%err, "could not delete a message that carried a secret");
            bot.send_message(chat, tr(lang, "pv-secret-not-deleted")).await?;
        }
    }
    let Some(answer) = msg.text().map(str::trim) else {
        bot.send_message(chat, tr(lang, "pv-text-expected")).await?;
        return Ok(());
    };
    if input == Input::Buttons {
        // The buttons are under the question just above.
        bot.send_message(chat, tr(lang, "pv-use-buttons")).await?;
        return Ok(());
    }
    if field == Field::ServiceUrl
        && let Err(invalid) = vet_service_url(&asker, &ctx, answer).await
    {
        bot.send_message(chat, explain(lang, &invalid)).await?;
        return Ok(());
    }
    let Some(mut settings) = open_draft(&bot, chat, lang, &ctx, &dialogue, &draft).await? else { return Ok(()) };
    if let Err(invalid) = apply_text(&mut draft, &mut settings, field, answer) {
        bot.send_message(chat, explain(lang, &invalid)).await?;
        return Ok(());
    }
    draft.sealed = ctx.providers.seal_draft(chat, &settings)?;
    let lead = match field {
        Field::TelemostClientId => {
            let url = format!("{YANDEX_AUTHORIZE}{answer}");
            let open = InlineKeyboardButton::url(tr(lang, "pv-telemost-open"), url.parse().map_err(|_| bad_url())?);
            let said = tr_args(lang, "pv-telemost-authorize", &[("url", text(html::escape(&url)))]);
            Lead { text: Some(said), button: Some(open) }
        }
        _ if input == Input::Secret => {
            let hint = main_secret(&settings).map(Secret::last4).filter(|h| !h.is_empty());
            Lead::text(match hint {
                Some(hint) => tr_args(lang, "pv-secret-saved", &[("hint", text(html::escape(&hint)))]),
                None => tr(lang, "pv-secret-saved-short"),
            })
        }
        _ => Lead::default(),
    };
    let below = Place::Below(draft.question);
    advance(&Turn { bot: &bot, chat, place: below, asker: &asker, ctx: &ctx, dialogue: &dialogue }, draft, field, lead)
        .await
}

/// A service URL is an administrator's to set, and it may lead nowhere inside: every address it
/// stands for is vetted here, before the check sends anything.
async fn vet_service_url(asker: &Asker, ctx: &SharedCtx, answer: &str) -> Result<(), Invalid> {
    if !asker.user.role.is_admin() {
        return Err(Invalid::Key("pv-not-allowed"));
    }
    crate::providers::vet_url(answer, ctx.config.address_policy()).await?;
    Ok(())
}

/// The client id went into a URL that was built from validated characters only.
fn bad_url() -> crate::bot::BotError {
    crate::bot::BotError::Dialogue("the Yandex authorize link did not parse".into())
}

pub async fn on_answer(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    state: State,
    choice: Choice,
) -> HandlerResult {
    let (Some((chat, here)), State::Provider(ProviderStep::Ask { mut draft, field })) = (pressed_at(&q), state) else {
        return stale(&bot, &q, &asker).await;
    };
    if !choice.fits(field) {
        return stale(&bot, &q, &asker).await;
    }
    if !allowed(&asker, &ctx, &draft).await? {
        dialogue.reset().await?;
        return refuse_press(&bot, &q, &asker).await;
    }
    if let Choice::Host(id) = choice {
        let host = ctx.users.get(UserId(id)).await?;
        if !host.is_some_and(|h| h.role.can_create_events()) {
            return stale(&bot, &q, &asker).await;
        }
    }
    bot.answer_callback_query(q.id.clone()).await?;
    let lang = asker.lang();
    let Some(mut settings) = open_draft(&bot, chat, lang, &ctx, &dialogue, &draft).await? else { return Ok(()) };
    if let Err(invalid) = apply_choice(&mut draft, &mut settings, field, choice) {
        bot.send_message(chat, explain(lang, &invalid)).await?;
        return Ok(());
    }
    draft.sealed = ctx.providers.seal_draft(chat, &settings)?;
    let turn = Turn { bot: &bot, chat, place: here, asker: &asker, ctx: &ctx, dialogue: &dialogue };
    advance(&turn, draft, field, Lead::default()).await
}

/// The next question, or the check once all are answered (or right away after a fix).
async fn advance(turn: &Turn<'_>, draft: Draft, field: Field, lead: Lead) -> HandlerResult {
    if draft.fixing {
        return run_check(turn, draft, lead).await;
    }
    let sequence = super::sequence(&draft, turn.asker.user.role);
    let next = sequence.iter().position(|f| *f == field).and_then(|i| sequence.get(i + 1)).copied();
    match next {
        Some(next) => go_to(turn, draft, next, lead).await,
        None => run_check(turn, draft, lead).await,
    }
}

pub async fn on_back(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    state: State,
) -> HandlerResult {
    let (Some((chat, here)), State::Provider(ProviderStep::Ask { draft, field })) = (pressed_at(&q), state) else {
        return stale(&bot, &q, &asker).await;
    };
    if !allowed(&asker, &ctx, &draft).await? {
        dialogue.reset().await?;
        return refuse_press(&bot, &q, &asker).await;
    }
    bot.answer_callback_query(q.id.clone()).await?;
    if draft.fixing {
        return show_failed(&bot, chat, here, &asker, &dialogue, draft, None).await;
    }
    let sequence = super::sequence(&draft, asker.user.role);
    let previous = sequence.iter().position(|f| *f == field).filter(|i| *i > 0).map(|i| sequence[i - 1]);
    match (previous, draft.existing) {
        (Some(previous), _) => {
            let turn = Turn { bot: &bot, chat, place: here, asker: &asker, ctx: &ctx, dialogue: &dialogue };
            go_to(&turn, draft, previous, Lead::default()).await
        }
        (None, None) => {
            dialogue.update(State::Provider(ProviderStep::ChooseKind)).await?;
            send_kinds(&bot, chat, here, asker.lang()).await
        }
        (None, Some(_)) => {
            dialogue.reset().await?;
            screen::show(&bot, chat, here, Screen::plain(tr(asker.lang(), "pv-cancelled"))).await?;
            Ok(())
        }
    }
}

pub async fn on_cancel(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    dialogue: BotDialogue,
    state: State,
) -> HandlerResult {
    if !matches!(state, State::Provider(_)) {
        return stale(&bot, &q, &asker).await;
    }
    dialogue.reset().await?;
    bot.answer_callback_query(q.id.clone()).await?;
    if let Some((chat, here)) = pressed_at(&q) {
        screen::show(&bot, chat, here, Screen::plain(tr(asker.lang(), "pv-cancelled"))).await?;
    }
    Ok(())
}

pub async fn on_fix(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    state: State,
    field: Field,
) -> HandlerResult {
    let (Some((chat, here)), State::Provider(ProviderStep::Failed { mut draft })) = (pressed_at(&q), state) else {
        return stale(&bot, &q, &asker).await;
    };
    if !fixable(&draft, asker.user.role).contains(&field) {
        return stale(&bot, &q, &asker).await;
    }
    if !allowed(&asker, &ctx, &draft).await? {
        dialogue.reset().await?;
        return refuse_press(&bot, &q, &asker).await;
    }
    bot.answer_callback_query(q.id.clone()).await?;
    draft.fixing = true;
    let turn = Turn { bot: &bot, chat, place: here, asker: &asker, ctx: &ctx, dialogue: &dialogue };
    go_to(&turn, draft, field, Lead::default()).await
}

pub async fn on_recheck(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    state: State,
) -> HandlerResult {
    let (Some((chat, here)), State::Provider(ProviderStep::Failed { draft })) = (pressed_at(&q), state) else {
        return stale(&bot, &q, &asker).await;
    };
    if !allowed(&asker, &ctx, &draft).await? {
        dialogue.reset().await?;
        return refuse_press(&bot, &q, &asker).await;
    }
    bot.answer_callback_query(q.id.clone()).await?;
    let turn = Turn { bot: &bot, chat, place: here, asker: &asker, ctx: &ctx, dialogue: &dialogue };
    run_check(&turn, draft, Lead::default()).await
}

/// A message while the dialogue waits for a button.
pub async fn expect_button(bot: AppBot, msg: Message, asker: Asker) -> HandlerResult {
    bot.send_message(msg.chat.id, tr(asker.lang(), "pv-use-buttons")).await?;
    Ok(())
}

// ---- the live check and saving ----

async fn run_check(turn: &Turn<'_>, mut draft: Draft, lead: Lead) -> HandlerResult {
    let Turn { bot, chat, place, asker, ctx, dialogue } = *turn;
    let lang = asker.lang();
    let Some(settings) = open_draft(bot, chat, lang, ctx, dialogue, &draft).await? else { return Ok(()) };
    // The check may take seconds, and this chat's next updates wait for it: say so first. The
    // outcome then takes the place of this line.
    let checking = screen::show(bot, chat, place, Screen::plain(lead.before(tr(lang, "pv-checking")))).await?;
    let place = Place::Over(checking);
    let checked = ctx.meetings.check(settings.clone()).await;
    draft.fixing = false;
    match checked {
        Ok(report) => save(bot, chat, place, asker, ctx, dialogue, draft, &settings, &report).await,
        Err(err) => {
            tracing::info!(kind = %draft.kind, error = %err, "provider check failed");
            show_failed(bot, chat, place, asker, dialogue, draft, Some(&err)).await
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn save(
    bot: &AppBot,
    chat: ChatId,
    place: Place,
    asker: &Asker,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    draft: Draft,
    settings: &ProviderSettings,
    report: &CheckReport,
) -> HandlerResult {
    let lang = asker.lang();
    let now = ctx.clock.now();
    if !allowed(asker, ctx, &draft).await? {
        dialogue.reset().await?;
        bot.send_message(chat, tr(lang, "pv-not-allowed")).await?;
        return Ok(());
    }
    let (id, key) = match draft.existing {
        Some(id) => {
            ctx.providers.replace_settings(id, settings, now).await?;
            (id, "pv-replaced")
        }
        None => {
            let (visibility, host) = match (asker.user.role.is_admin(), draft.placement) {
                (false, _) => (Visibility::Private, None),
                (true, Some(Placement::Host(id))) => (Visibility::Host, Some(UserId(id))),
                (true, _) => (Visibility::Shared, None),
            };
            let fallback = tr(lang, draft.kind.i18n_key());
            let new = NewProvider {
                name: draft.name.as_deref().unwrap_or(&fallback),
                owner: asker.user.id,
                visibility,
                host,
                settings,
                checked_at: Some(now),
            };
            (ctx.providers.create(&new, now).await?, "pv-saved")
        }
    };
    dialogue.reset().await?;
    let mut said = tr(lang, key);
    if let Some(account) = &report.account {
        said.push('\n');
        said.push_str(&tr_args(lang, "pv-check-account", &[("account", text(html::escape(account)))]));
    }
    if let Some(expires) = report.expires_at {
        said.push('\n');
        said.push_str(&tr_args(lang, "pv-check-expires", &[("date", text(expires.format("%Y-%m-%d").to_string()))]));
    }
    super::card::send_card(bot, chat, place, asker, ctx, id, Some(said)).await
}

async fn show_failed(
    bot: &AppBot,
    chat: ChatId,
    place: Place,
    asker: &Asker,
    dialogue: &BotDialogue,
    mut draft: Draft,
    err: Option<&ProviderError>,
) -> HandlerResult {
    let lang = asker.lang();
    let mut rows: Vec<Vec<InlineKeyboardButton>> = fixable(&draft, asker.user.role)
        .into_iter()
        .map(|field| {
            let label =
                tr_args(lang, "pv-button-fix", &[("field", text(tr(lang, &format!("pv-field-{}", field.code()))))]);
            vec![button(label, ProviderCb::Fix(field))]
        })
        .collect();
    rows.push(vec![
        button(tr(lang, "pv-button-recheck"), ProviderCb::Recheck),
        button(tr(lang, "pv-button-cancel"), ProviderCb::Cancel),
    ]);
    let mut said = tr(lang, "pv-check-failed");
    if let Some(err) = err {
        said = format!("{said}\n\n{}", provider_check_error(lang, err));
    }
    draft.question = Some(screen::show(bot, chat, place, Screen::new(said, InlineKeyboardMarkup::new(rows))).await?);
    dialogue.update(State::Provider(ProviderStep::Failed { draft })).await?;
    Ok(())
}

/// The fields that decide whether the check passes: the ones worth offering to change.
fn fixable(draft: &Draft, role: crate::domain::roles::Role) -> Vec<Field> {
    super::sequence(draft, role)
        .into_iter()
        .filter(|f| !matches!(f, Field::TelemostClientId | Field::Name | Field::Placement))
        .collect()
}

// ---- helpers ----

/// Registering needs the right to register; replacing needs the right to this provider.
async fn allowed(asker: &Asker, ctx: &SharedCtx, draft: &Draft) -> StoreResult<bool> {
    match draft.existing {
        None => may_register(asker, ctx).await,
        Some(id) => Ok(ctx.providers.get(id).await?.is_some_and(|p| crate::bot::guards::manages_provider(asker, &p))),
    }
}

/// Opens the sealed settings; a draft that no longer opens (the key changed) ends the dialogue
/// with an apology instead of an error.
async fn open_draft(
    bot: &AppBot,
    chat: ChatId,
    lang: Lang,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    draft: &Draft,
) -> HandlerResult<Option<ProviderSettings>> {
    match ctx.providers.open_draft(chat, &draft.sealed) {
        Ok(settings) if settings.kind() == draft.kind => Ok(Some(settings)),
        _ => {
            dialogue.reset().await?;
            bot.send_message(chat, tr(lang, "pv-draft-lost")).await?;
            Ok(None)
        }
    }
}

/// The chat of a press and the message its answer replaces.
fn pressed_at(q: &CallbackQuery) -> Option<(ChatId, Place)> {
    q.regular_message().map(|m| (m.chat.id, Place::Over(m.id)))
}

async fn stale(bot: &AppBot, q: &CallbackQuery, asker: &Asker) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).text(tr(asker.lang(), "button-stale")).show_alert(true).await?;
    Ok(())
}

fn explain(lang: Lang, invalid: &Invalid) -> String {
    match invalid {
        Invalid::Key(key) => tr(lang, key),
        Invalid::Provider(err) => provider_error(lang, err),
    }
}

// ---- answers into settings ----

fn apply_text(draft: &mut Draft, settings: &mut ProviderSettings, field: Field, answer: &str) -> Result<(), Invalid> {
    use ServiceSettings as S;
    match (field, &mut settings.service) {
        (Field::TelemostClientId, S::Telemost(_)) => {
            // Only used to build the authorize link, so only the characters Yandex issues.
            let ok = (8..=64).contains(&answer.len()) && answer.chars().all(|c| c.is_ascii_alphanumeric());
            if !ok {
                return Err(Invalid::Key("pv-invalid-client-id"));
            }
        }
        (Field::TelemostToken, S::Telemost(s)) => s.token = secret(answer)?,
        (Field::ZoomAccountId, S::Zoom(s)) => s.account_id = identifier(answer)?,
        (Field::ZoomClientId, S::Zoom(s)) => s.client_id = identifier(answer)?,
        (Field::ZoomClientSecret, S::Zoom(s)) => s.client_secret = secret(answer)?,
        (Field::ZoomHost, S::Zoom(s)) => s.host_email = Some(check_email(answer)?),
        (Field::KonturSpace, S::Kontur(s)) => s.space = identifier(answer)?,
        (Field::KonturKey, S::Kontur(s)) => s.api_key = secret(answer)?,
        (Field::KonturHost, S::Kontur(s)) => s.host_email = Some(check_email(answer)?),
        (Field::MtsKey, S::MtsLink(s)) => s.api_key = secret(answer)?,
        (Field::JitsiDomain, S::Jitsi(s)) => s.domain = domain(answer)?,
        (Field::Name, _) => {
            let chars = answer.chars().count();
            if chars == 0 || chars > MAX_NAME_CHARS || answer.contains('\n') {
                return Err(Invalid::Key("pv-invalid-name"));
            }
            draft.name = Some(answer.to_owned());
        }
        (Field::ServiceUrl, _) => {
            resolve_base(Some(answer), "")?;
            set_service_url(settings, Some(answer.trim_end_matches('/')));
        }
        _ => return Err(Invalid::Key("pv-use-buttons")),
    }
    Ok(())
}

fn apply_choice(
    draft: &mut Draft,
    settings: &mut ProviderSettings,
    field: Field,
    choice: Choice,
) -> Result<(), Invalid> {
    use ServiceSettings as S;
    match (choice, field, &mut settings.service) {
        (Choice::Skip, Field::ZoomHost, S::Zoom(s)) => s.host_email = None,
        (Choice::Skip, Field::KonturHost, S::Kontur(s)) => s.host_email = None,
        (Choice::Skip, Field::JitsiDomain, S::Jitsi(s)) => *s = JitsiSettings::default(),
        (Choice::Skip, Field::ServiceUrl, _) => set_service_url(settings, None),
        (Choice::Waiting(level), _, S::Telemost(s)) => s.waiting_room_level = level,
        (Choice::Zoom(kind), _, S::Zoom(s)) => s.meeting_type = kind,
        (Choice::Anonymous(access), _, S::Kontur(s)) => s.anonymous_access = access,
        (Choice::Shared, _, _) => draft.placement = Some(Placement::Shared),
        (Choice::Host(id), _, _) => draft.placement = Some(Placement::Host(id)),
        _ => return Err(Invalid::Key("pv-use-buttons")),
    }
    Ok(())
}

/// The seeds' "service URL". Telemost checks its token at Yandex ID, a second host: like Zoom's
/// token endpoint, it follows the override's origin, so one URL points the whole service
/// elsewhere (a proxy, or the test fakes).
fn set_service_url(settings: &mut ProviderSettings, url: Option<&str>) {
    settings.base_url = url.map(str::to_owned);
    if let ServiceSettings::Telemost(s) = &mut settings.service {
        s.login_info_url = url.and_then(origin).map(|origin| format!("{origin}/info"));
    }
}

fn origin(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    Some(url.origin().ascii_serialization()).filter(|o| o != "null")
}

fn secret(answer: &str) -> Result<Secret, Invalid> {
    let ok = !answer.is_empty() && answer.chars().count() <= MAX_SECRET_CHARS && !answer.contains(char::is_whitespace);
    if ok { Ok(Secret::new(answer)) } else { Err(Invalid::Key("pv-invalid-secret")) }
}

fn identifier(answer: &str) -> Result<String, Invalid> {
    let ok = !answer.is_empty() && answer.chars().count() <= MAX_ID_CHARS && !answer.contains(char::is_whitespace);
    if ok { Ok(answer.to_owned()) } else { Err(Invalid::Key("pv-invalid-identifier")) }
}

fn domain(answer: &str) -> Result<String, Invalid> {
    crate::providers::jitsi::domain(answer).map_err(|_| Invalid::Key("pv-invalid-domain"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_url_moves_the_telemost_check_along() {
        let mut settings = blank(ProviderKind::Telemost);
        set_service_url(&mut settings, Some("http://127.0.0.1:8080/v1/telemost-api"));
        let ServiceSettings::Telemost(s) = &settings.service else { panic!("telemost") };
        assert_eq!(s.login_info_url.as_deref(), Some("http://127.0.0.1:8080/info"));
        set_service_url(&mut settings, None);
        let ServiceSettings::Telemost(s) = &settings.service else { panic!("telemost") };
        assert_eq!(s.login_info_url, None);
        assert_eq!(settings.base_url, None);
    }

    #[test]
    fn domains_and_secrets_are_checked() {
        assert_eq!(domain("https://Meet.Example.org/").ok(), Some("meet.example.org".to_owned()));
        assert!(domain("localhost").is_err());
        assert!(domain("bad domain.org").is_err());
        assert!(secret("two words").is_err());
        assert!(secret("").is_err());
        assert!(identifier("abc").is_ok());
    }
}
