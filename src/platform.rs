//! The learning platform's side of the bot, shared by the HTTP API and `/start`: tokens, groups
//! that follow the platform's rosters, and signed links that tie a Telegram account to a
//! platform user. Membership changes reach the delivery engine here, whichever side made them.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, Utc};
use teloxide::types::{ChatId, UserId};

use crate::attendance::AttendanceService;
use crate::attendance::report::{Counted, Row, Stranger};
use crate::clock::SharedClock;
use crate::delivery::Delivery;
use crate::domain::event::{EventId, EventStatus, GroupId};
use crate::domain::group::GroupName;
use crate::domain::platform::{self, LinkError, Scope};
use crate::domain::recurrence::Recurrence;
use crate::domain::reminders::ReminderOffset;
use crate::meetings::{MeetingError, Meetings};
use crate::providers::ProviderError;
use crate::series::SeriesService;
use crate::store::outbox::Counts;
use crate::store::platform::{ApiToken, ApiTokens, GroupPut, Invitation, MembersChanged, PlatformStore, RosterEntry};
use crate::store::{Db, Event, Events, Groups, NewEvent, Rsvp, Series, StoreError, StoreResult, Users, invites};

/// What the key derives the signed links' HMAC key for; changing it voids every link handed out.
pub const LINKS_PURPOSE: &str = "webinar-bot platform links v1";

/// The longest a signed link may work: the platform asks for less.
pub const MAX_LINK_LIFETIME: Duration = Duration::days(30);

#[derive(Clone)]
pub struct PlatformService {
    pub tokens: ApiTokens,
    pub store: PlatformStore,
    webhooks: crate::store::webhooks::WebhookQueue,
    groups: Groups,
    pub events: Events,
    users: Users,
    meetings: Arc<Meetings>,
    series: SeriesService,
    attendance: AttendanceService,
    providers: crate::store::Providers,
    delivery: Delivery,
    /// One event PUT at a time in this process, so two PUTs of one new id do not both make a
    /// draft; between instances the id's mapping decides (see `create_event`).
    event_puts: Arc<tokio::sync::Mutex<()>>,
    clock: SharedClock,
    link_key: Arc<[u8; 32]>,
    /// The bot's @username, known once Telegram answered `getMe`: links need it.
    username: Arc<OnceLock<String>>,
}

impl std::fmt::Debug for PlatformService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The link key is a secret: never in a log line.
        f.debug_struct("PlatformService").finish_non_exhaustive()
    }
}

/// The services the platform's requests go through: the ones the dialogue uses.
pub struct Services {
    pub meetings: Arc<Meetings>,
    pub series: SeriesService,
    pub attendance: AttendanceService,
    pub providers: crate::store::Providers,
    pub delivery: Delivery,
}

/// A token just made: the only time its text exists outside the administrator's chat.
pub struct NewToken {
    pub id: i64,
    pub token: String,
}

impl PlatformService {
    pub fn new(db: Db, services: Services, clock: SharedClock, link_key: [u8; 32]) -> Self {
        let Services { meetings, series, attendance, providers, delivery } = services;
        Self {
            tokens: ApiTokens::new(db.clone()),
            store: PlatformStore::new(db.clone()),
            webhooks: crate::store::webhooks::WebhookQueue::new(db.clone()),
            groups: Groups::new(db.clone()),
            events: Events::new(db.clone()),
            users: Users::new(db),
            meetings,
            series,
            attendance,
            providers,
            delivery,
            event_puts: Arc::default(),
            clock,
            link_key: Arc::new(link_key),
            username: Arc::new(OnceLock::new()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn set_username(&self, username: &str) {
        let _ = self.username.set(username.to_owned());
    }

    pub fn username(&self) -> Option<&str> {
        self.username.get().map(String::as_str)
    }

    /// Makes a token; only its hash is saved.
    pub async fn create_token(&self, name: &str, scope: Scope, by: UserId) -> StoreResult<NewToken> {
        let token = platform::generate_token(&mut rand::rngs::OsRng);
        let id = self.tokens.create(name, scope, &invites::hash_token(&token), by, self.now()).await?;
        Ok(NewToken { id, token })
    }

    /// The working token a request presented, if any.
    pub async fn authenticate(&self, token: &str) -> StoreResult<Option<ApiToken>> {
        if !platform::token_well_formed(token) {
            return Ok(None);
        }
        self.tokens.authenticate(&invites::hash_token(token), self.now()).await
    }

    pub async fn put_group(&self, external: &str, name: &GroupName, owner: UserId) -> StoreResult<GroupPut> {
        self.store.put_group(external, name, owner, self.now()).await
    }

    /// Replaces a group's roster and tells the delivery engine who now listens.
    pub async fn put_roster(
        &self,
        external_group: &str,
        roster: &[RosterEntry],
    ) -> StoreResult<Option<MembersChanged>> {
        let Some((group, _)) = self.store.group(external_group).await? else { return Ok(None) };
        let changed = self.store.put_roster(group, roster, self.now()).await?;
        self.follow(&changed).await?;
        Ok(Some(changed))
    }

    /// The `https://t.me/…?start=…` link for `user`, working for `lifetime`; None while the
    /// bot's username is not known yet (Telegram has not answered since the start).
    pub fn link_for(&self, user: &str, lifetime: Duration) -> Option<(String, DateTime<Utc>)> {
        let username = self.username()?;
        let expires = self.now() + lifetime.min(MAX_LINK_LIFETIME);
        let payload = platform::sign_link(&self.link_key, user, expires);
        Some((format!("https://t.me/{username}?start={payload}"), expires))
    }

    /// Someone opened a signed link: their account is tied to the platform user it names, and
    /// they join the groups whose rosters list them.
    pub async fn open_link(&self, payload: &str, user: UserId) -> Result<String, OpenLinkError> {
        let external = platform::verify_link(&self.link_key, payload, self.now())?;
        let changes = self.store.link(&external, user, self.now()).await?;
        for changed in &changes {
            self.follow(changed).await?;
        }
        Ok(external)
    }

    /// The delivery side of a membership change: the group's upcoming events reach whoever
    /// joined and stop reaching whoever left (unless another group or their own link still
    /// brings them in).
    async fn follow(&self, changed: &MembersChanged) -> StoreResult<()> {
        let Some(group) = changed.group.filter(|_| !changed.is_empty()) else { return Ok(()) };
        let events = self.events.upcoming_for_group(group, self.now()).await?;
        for event in &events {
            for user in &changed.added {
                self.delivery.plan_listener(*event, chat(*user)).await?;
            }
            for user in &changed.dropped {
                if !self.groups.reaches_event(*user, *event).await? {
                    self.delivery.drop_recipient(*event, chat(*user)).await?;
                }
            }
        }
        tracing::info!(
            group = group.get(),
            added = changed.added.len(),
            dropped = changed.dropped.len(),
            "a platform roster changed a group"
        );
        Ok(())
    }
}

/// An event as the platform asks for it, every field already checked by the domain's rules.
#[derive(Clone, Debug, PartialEq)]
pub struct EventSpec {
    pub title: String,
    pub description: Option<String>,
    pub provider_id: i64,
    pub starts_at: DateTime<Utc>,
    pub tz: chrono_tz::Tz,
    pub duration_min: u32,
    pub host_email: Option<String>,
    pub reminders: Vec<ReminderOffset>,
    pub groups: Vec<GroupId>,
    /// A series, made once with the event: its rule and first start cannot change.
    pub repeat: Option<Recurrence>,
}

/// What an event PUT did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventPut {
    Created,
    Changed,
    Unchanged,
}

/// An event the platform manages, as it stands.
pub struct PlatformEvent {
    /// The event, or a series' current occurrence.
    pub event: Event,
    pub counts: Counts,
    pub series: Option<Series>,
}

/// One class's report for the platform.
pub struct EventReport {
    pub event: Event,
    pub counted: Counted,
    pub listeners: Vec<ReportLine>,
    pub strangers: Vec<Stranger>,
    pub counts: Counts,
}

/// A listener of a class: their attendance line, and what the bot knows of them besides.
pub struct ReportLine {
    /// The platform's id of them, once they opened a signed link.
    pub platform_user: Option<String>,
    pub rsvp: Option<Rsvp>,
    pub invitation: Option<Invitation>,
    pub row: Row,
}

#[derive(Debug, thiserror::Error)]
pub enum EventApiError {
    #[error("the token's owner may not use this provider")]
    ProviderNotUsable,
    #[error("the service refused: {0}")]
    Provider(ProviderError),
    #[error("the event was cancelled; use a new external_id for a new one")]
    Cancelled,
    #[error("{field} cannot be changed once the event exists")]
    Immutable { field: &'static str },
    #[error("the start is in the past")]
    StartInPast,
    #[error("the token's owner is no longer a user of the bot")]
    NoOwner,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MeetingError> for EventApiError {
    fn from(err: MeetingError) -> Self {
        match err {
            MeetingError::Provider(err) => EventApiError::Provider(err),
            MeetingError::Store(err) => EventApiError::Store(err),
            MeetingError::NotUsable | MeetingError::NoProvider => EventApiError::ProviderNotUsable,
            MeetingError::NoEvent => EventApiError::Store(StoreError::Corrupt("an event vanished".to_owned())),
        }
    }
}

impl PlatformService {
    /// Creates the event `external` as the dialogue does (a draft, its groups, its series, then
    /// the meeting through the meetings service, which plans delivery), or brings it in line
    /// with `spec` through the services the dialogue's edits use. The same spec again changes
    /// nothing.
    pub async fn put_event(&self, owner: UserId, external: &str, spec: &EventSpec) -> Result<EventPut, EventApiError> {
        let _one_at_a_time = self.event_puts.lock().await;
        let owner = self.users.get(owner).await?.ok_or(EventApiError::NoOwner)?;
        match self.store.event(external).await? {
            None => self.create_event(&owner, external, spec).await,
            Some(first) => self.update_event(&owner, first, spec).await,
        }
    }

    async fn create_event(
        &self,
        owner: &crate::store::User,
        external: &str,
        spec: &EventSpec,
    ) -> Result<EventPut, EventApiError> {
        let now = self.now();
        crate::domain::time_input::check_not_past(spec.starts_at, now).map_err(|_| EventApiError::StartInPast)?;
        let new = NewEvent {
            owner_id: owner.id,
            host_id: Some(owner.id),
            host_email: spec.host_email.clone(),
            provider_id: Some(spec.provider_id),
            title: spec.title.clone(),
            description: spec.description.clone(),
            starts_at: spec.starts_at,
            duration_min: spec.duration_min,
            tz: spec.tz,
            status: EventStatus::Draft,
            meeting: None,
            options: serde_json::json!({}),
            reminders: spec.reminders.clone(),
        };
        let id = self.events.insert(&new, now).await?;
        if !self.store.map_event(external, id, now).await? {
            // Another instance made the event a moment ago (the lock is per process): this PUT
            // is a change to it, and the draft just written goes.
            self.events.delete_draft(id).await?;
            let first = self.store.event(external).await?.ok_or(EventApiError::Cancelled)?;
            return self.update_event(owner, first, spec).await;
        }
        self.events.set_groups(id, &spec.groups).await?;
        if let Some(rule) = &spec.repeat {
            let draft = self.events.get(id).await?.ok_or(EventApiError::Cancelled)?;
            self.series.start(&draft, rule).await?;
        }
        let event = self.meetings.publish(id, owner).await?;
        if spec.repeat.is_some() {
            // The series plans its next class from the end of this one, now that it is published.
            self.series.wake();
        }
        tracing::info!(event = id.0, series = spec.repeat.is_some(), "the platform created an event");
        if let Err(err) = self.webhooks.event("event.created", &event, self.now()).await {
            tracing::warn!(%err, event = id.0, "the platform's webhook call was not queued");
        }
        Ok(EventPut::Created)
    }

    /// The event `first` (a series' first occurrence) as `spec` says. A series' schedule (its
    /// rule and first start) is fixed; the rest changes on its current occurrence, which the
    /// ones after it copy.
    async fn update_event(
        &self,
        owner: &crate::store::User,
        first: EventId,
        spec: &EventSpec,
    ) -> Result<EventPut, EventApiError> {
        let now = self.now();
        let first = self.events.get(first).await?.ok_or(EventApiError::Cancelled)?;
        let series = self.series_of(&first).await?;
        let event = match &series {
            None if spec.repeat.is_some() => return Err(EventApiError::Immutable { field: "repeat" }),
            None => first,
            Some(series) => {
                if series.cancelled {
                    return Err(EventApiError::Cancelled);
                }
                if spec.repeat.as_ref() != Some(&series.rule) {
                    return Err(EventApiError::Immutable { field: "repeat" });
                }
                if series.starts().first() != Some(&spec.starts_at) {
                    return Err(EventApiError::Immutable { field: "start" });
                }
                self.events.latest_occurrence(series.id).await?.ok_or(EventApiError::Cancelled)?
            }
        };
        let id = event.id;
        if event.status == EventStatus::Cancelled && series.is_none() {
            return Err(EventApiError::Cancelled);
        }
        if event.provider_id != Some(spec.provider_id) {
            return Err(EventApiError::Immutable { field: "provider" });
        }
        if event.tz != spec.tz {
            return Err(EventApiError::Immutable { field: "timezone" });
        }
        if event.host_email != spec.host_email {
            return Err(EventApiError::Immutable { field: "host_email" });
        }
        let mut told = false;
        let mut changed = false;
        if event.title != spec.title || event.description != spec.description {
            self.events.retitle(id, &spec.title, spec.description.as_deref(), now).await?;
            told = true;
        }
        // A series keeps its occurrences' starts: only a single event moves.
        let starts_at = if series.is_some() { event.starts_at } else { spec.starts_at };
        if event.starts_at != starts_at || event.duration_min != spec.duration_min {
            if event.starts_at != starts_at {
                crate::domain::time_input::check_not_past(starts_at, now).map_err(|_| EventApiError::StartInPast)?;
            }
            self.events.reschedule(id, starts_at, spec.duration_min, now).await?;
            told = true;
        }
        let mut reminders = event.reminders.clone();
        reminders.sort_unstable();
        if reminders != spec.reminders {
            self.events.set_reminders(id, &spec.reminders, now).await?;
            if event.is_planned() {
                self.delivery.replan_reminders(id).await?;
            }
            changed = true;
        }
        let mut groups = self.events.groups_of(id).await?;
        groups.sort_unstable_by_key(|g| g.get());
        let mut wanted = spec.groups.clone();
        wanted.sort_unstable_by_key(|g| g.get());
        wanted.dedup();
        if groups != wanted {
            self.events.set_groups(id, &wanted).await?;
            if event.is_planned() {
                // Newcomers get the invitation; whoever no group reaches any more hears nothing more.
                self.delivery.plan_event(id).await?;
                for user in self.left_audience(&groups, &wanted, id).await? {
                    self.delivery.drop_recipient(id, chat(user)).await?;
                }
            }
            changed = true;
        }
        if event.status == EventStatus::Draft {
            // The meeting could not be made last time: this PUT tries again.
            self.meetings.publish(id, owner).await?;
            if series.is_some() {
                self.series.wake();
            }
            return Ok(EventPut::Changed);
        }
        if told && event.is_planned() {
            // Carries the change to the service, edits the cards, tells the listeners.
            if let Some(refusal) = self.meetings.sync_changes(id).await? {
                tracing::warn!(event = id.0, %refusal, "the service refused a change the platform made");
            }
        }
        Ok(if told || changed { EventPut::Changed } else { EventPut::Unchanged })
    }

    /// The series `event` is an occurrence of, if any.
    async fn series_of(&self, event: &Event) -> StoreResult<Option<Series>> {
        match event.series {
            Some((series, _)) => self.series.store().get(series).await,
            None => Ok(None),
        }
    }

    /// Members of groups taken off an event who no longer reach it otherwise.
    async fn left_audience(&self, before: &[GroupId], after: &[GroupId], id: EventId) -> StoreResult<Vec<UserId>> {
        let mut gone = Vec::new();
        for group in before.iter().filter(|g| !after.contains(g)) {
            for member in self.groups.members(*group).await? {
                if !gone.contains(&member.user_id) && !self.groups.reaches_event(member.user_id, id).await? {
                    gone.push(member.user_id);
                }
            }
        }
        Ok(gone)
    }

    /// Cancels the event `external` as the dialogue's Cancel does (a series as a whole: its
    /// live occurrence is cancelled and no more are made); false when there is none.
    pub async fn cancel_event(&self, external: &str) -> Result<bool, EventApiError> {
        let _one_at_a_time = self.event_puts.lock().await;
        let Some(id) = self.store.event(external).await? else { return Ok(false) };
        let Some(event) = self.events.get(id).await? else { return Ok(false) };
        if let Some(series) = self.series_of(&event).await? {
            if !series.cancelled {
                self.series.cancel(series.id).await?;
                tracing::info!(series = series.id, "the platform cancelled a series");
            }
            return Ok(true);
        }
        match event.status {
            EventStatus::Cancelled => {}
            EventStatus::Draft => {
                self.events.set_status(id, EventStatus::Cancelled, None, self.now()).await?;
            }
            _ => {
                self.meetings.cancel(id).await?;
                tracing::info!(event = id.0, "the platform cancelled an event");
            }
        }
        Ok(true)
    }

    /// The event `external` as it stands: a series' current occurrence, with its series.
    pub async fn event(&self, external: &str) -> StoreResult<Option<PlatformEvent>> {
        let Some(id) = self.store.event(external).await? else { return Ok(None) };
        let Some(first) = self.events.get(id).await? else { return Ok(None) };
        let Some(series) = self.series_of(&first).await? else {
            let counts = self.delivery.outbox().counts(id).await?;
            return Ok(Some(PlatformEvent { event: first, counts, series: None }));
        };
        let current = self.events.latest_occurrence(series.id).await?.unwrap_or(first);
        let counts = self.delivery.outbox().counts(current.id).await?;
        Ok(Some(PlatformEvent { event: current, counts, series: Some(series) }))
    }

    /// One class of the event `external` (of a series: the occurrence numbered from 1, by
    /// default the current one) with each listener's answer, invitation and attendance.
    pub async fn report(&self, external: &str, occurrence: Option<u32>) -> StoreResult<Option<EventReport>> {
        let Some(found) = self.event(external).await? else { return Ok(None) };
        let event = match (&found.series, occurrence) {
            (_, None) | (None, Some(1)) => found.event,
            (None, Some(_)) => return Ok(None),
            (Some(series), Some(n)) => {
                let wanted = i64::from(n) - 1;
                let occurrences = self.events.occurrences(series.id).await?;
                match occurrences.into_iter().find(|e| e.series.is_some_and(|(_, number)| number == wanted)) {
                    Some(event) => event,
                    None => return Ok(None),
                }
            }
        };
        let (counted, rows, strangers) = self.attendance.class_rows(&event).await?;
        let mut facts: std::collections::HashMap<UserId, _> =
            self.store.listener_facts(event.id).await?.into_iter().map(|f| (f.user, f)).collect();
        let listeners = rows
            .into_iter()
            .map(|(user, row)| {
                let fact = facts.remove(&user);
                ReportLine {
                    platform_user: fact.as_ref().and_then(|f| f.platform_user.clone()),
                    rsvp: fact.as_ref().and_then(|f| f.rsvp),
                    invitation: fact.and_then(|f| f.invitation),
                    row,
                }
            })
            .collect();
        let counts = self.delivery.outbox().counts(event.id).await?;
        Ok(Some(EventReport { event, counted, listeners, strangers, counts }))
    }

    /// A listener answered on an event card: the platform hears of it if the event is its own.
    /// Never fails the answer: a lost notice is logged.
    pub async fn rsvp(&self, event: EventId, user: UserId, answer: crate::store::Rsvp) {
        if let Err(err) = self.webhooks.rsvp(event, user, answer, self.now()).await {
            tracing::warn!(%err, event = event.0, "the platform's rsvp webhook call was not queued");
        }
    }

    /// A provider the token's owner may use, by id or by name.
    pub async fn usable_provider(&self, owner: UserId, wanted: &ProviderRef) -> Result<Option<i64>, EventApiError> {
        let owner = self.users.get(owner).await?.ok_or(EventApiError::NoOwner)?;
        let providers = self.providers.usable_by(&owner).await?;
        Ok(providers
            .iter()
            .find(|p| match wanted {
                ProviderRef::Id(id) => p.id == *id,
                ProviderRef::Name(name) => p.name.eq_ignore_ascii_case(name.trim()),
            })
            .map(|p| p.id))
    }
}

/// How the platform names a provider: by the bot's id or by its name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ProviderRef {
    Id(i64),
    Name(String),
}

fn chat(user: UserId) -> ChatId {
    ChatId(user.0 as i64)
}

#[derive(Debug, thiserror::Error)]
pub enum OpenLinkError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
