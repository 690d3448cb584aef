//! The provider side of an event's life: create the meeting, move it, give it a new link, remove
//! it, cancel. Handlers call this; it calls the services and the store, never the other way round.
//!
//! Two rules live here: a meeting is created at most once per attempt (never retried blindly), and
//! a meeting created but not saved is deleted again, so nothing is left behind at the provider.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::clock::SharedClock;
use crate::delivery::Delivery;
use crate::domain::attendance::ReportFetch;
use crate::domain::event::{EventId, EventStatus};
use crate::metrics::Metrics;
use crate::providers::telemost::WaitingRoomLevel;
use crate::providers::zoom::ZoomMeetingType;
use crate::providers::{
    AddressPolicy, CheckReport, DeleteOutcome, Meeting, MeetingRequest, Provider, ProviderError, ProviderKind,
    ProviderSettings, ServiceSettings, vet_settings,
};
use crate::store::{Event, Events, Providers, StoreError, User, Users};

/// Per-event choices that refine the provider's defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventOptions {
    /// Telemost: add a live stream for viewers.
    #[serde(default)]
    pub live_stream: bool,
    /// Telemost: who waits in the waiting room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_room: Option<WaitingRoomLevel>,
    /// Zoom: a meeting or a webinar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom_type: Option<ZoomMeetingType>,
    /// External: the link the teacher pasted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
}

impl EventOptions {
    pub fn from_event(event: &Event) -> Self {
        serde_json::from_value(event.options.clone()).unwrap_or_default()
    }

    /// The provider's settings with this event's choices applied.
    fn apply(&self, mut settings: ProviderSettings) -> ProviderSettings {
        match &mut settings.service {
            ServiceSettings::Telemost(s) => {
                if let Some(level) = self.waiting_room {
                    s.waiting_room_level = level;
                }
            }
            ServiceSettings::Zoom(s) => {
                if let Some(kind) = self.zoom_type {
                    s.meeting_type = kind;
                }
            }
            _ => {}
        }
        settings
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MeetingError {
    #[error("provider: {0}")]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the event has no provider, or it was deleted")]
    NoProvider,
    #[error("no such event")]
    NoEvent,
    /// The person acting may not (or may no longer) use the event's provider: rights are
    /// checked at every use, not only when the provider was chosen.
    #[error("the provider is not one this person may use")]
    NotUsable,
}

/// What happened at the provider when a meeting was removed, for an honest message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Removal {
    pub kind: ProviderKind,
    pub outcome: DeleteOutcome,
}

pub struct Meetings {
    events: Events,
    providers: Providers,
    users: Users,
    http: reqwest::Client,
    delivery: Delivery,
    clock: SharedClock,
    /// Where provider requests may go; vetted before every provider is built.
    policy: AddressPolicy,
    /// Built providers by settings fingerprint, so Zoom's access token is cached between calls.
    built: Mutex<HashMap<u64, Arc<Provider>>>,
    metrics: Metrics,
}

impl Meetings {
    pub fn new(
        events: Events,
        providers: Providers,
        users: Users,
        http: reqwest::Client,
        delivery: Delivery,
        clock: SharedClock,
        policy: AddressPolicy,
    ) -> Self {
        let metrics = Metrics::disabled();
        Self { events, providers, users, http, delivery, clock, policy, built: Mutex::default(), metrics }
    }

    /// Counts and times every call to a service.
    pub fn with_metrics(self, metrics: Metrics) -> Self {
        Self { metrics, ..self }
    }

    /// Runs one call to a service, counting it by outcome and timing it.
    async fn timed<T>(
        &self,
        kind: ProviderKind,
        operation: &'static str,
        call: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        let started = std::time::Instant::now();
        let result = call.await;
        self.metrics.provider_call(kind.as_str(), operation, result.is_ok(), started.elapsed());
        result
    }

    /// Checks credentials live, once every address they name is vetted: handlers never call a
    /// provider themselves.
    pub async fn check(&self, settings: ProviderSettings) -> Result<CheckReport, ProviderError> {
        vet_settings(&settings, self.policy).await?;
        let provider = Provider::new(settings, self.http.clone())?;
        self.timed(provider.kind(), "check", provider.check()).await
    }

    /// Creates the meeting of a draft, as `by`, and plans it: the event becomes planned and the
    /// invitations are queued. On a provider failure the event stays a draft with the reason.
    pub async fn publish(&self, id: EventId, by: &User) -> Result<Event, MeetingError> {
        let event = self.event(id).await?;
        self.ensure_usable(&event, by).await?;
        self.publish_event(event).await
    }

    /// Publishes as the event's owner, whose rights are looked up now (series renewals: the
    /// owner may have lost the provider, or the teacher role, since the series began).
    pub async fn publish_as_owner(&self, id: EventId) -> Result<Event, MeetingError> {
        let event = self.event(id).await?;
        let owner = self.users.get(event.owner_id).await?.ok_or(MeetingError::NotUsable)?;
        if !owner.role.can_create_events() {
            return Err(MeetingError::NotUsable);
        }
        self.ensure_usable(&event, &owner).await?;
        self.publish_event(event).await
    }

    /// Whether `by` may use the event's provider right now.
    async fn ensure_usable(&self, event: &Event, by: &User) -> Result<(), MeetingError> {
        let provider = event.provider_id.ok_or(MeetingError::NoProvider)?;
        if self.providers.is_usable_by(provider, by).await? { Ok(()) } else { Err(MeetingError::NotUsable) }
    }

    async fn publish_event(&self, event: Event) -> Result<Event, MeetingError> {
        let id = event.id;
        let provider = self.provider_for(&event).await?;
        let meeting = match self.timed(provider.kind(), "create", provider.create(&request(&event))).await {
            Ok(meeting) => meeting,
            Err(err) => {
                self.events.set_status(id, EventStatus::Draft, Some(&err.to_string()), self.clock.now()).await?;
                return Err(err.into());
            }
        };
        if let Err(err) = self.events.publish(id, &meeting, self.clock.now()).await {
            self.undo_create(&provider, &meeting).await;
            return Err(err.into());
        }
        self.delivery.plan_event(id).await?;
        self.event(id).await
    }

    /// Carries a change the store already has to the provider, where the service keeps a
    /// schedule or a title, and tells the listeners. A provider refusal does not stop the notice
    /// (our record and the listeners' cards are right); it is returned for the teacher.
    pub async fn sync_changes(&self, id: EventId) -> Result<Option<ProviderError>, MeetingError> {
        let event = self.event(id).await?;
        let refusal = match &event.meeting {
            Some(meeting) => self.update_at_provider(&event, meeting).await?,
            None => None,
        };
        if event.is_planned() {
            self.delivery.event_changed(id).await?;
        }
        Ok(refusal)
    }

    async fn update_at_provider(
        &self,
        event: &Event,
        meeting: &Meeting,
    ) -> Result<Option<ProviderError>, MeetingError> {
        let provider = self.provider_for(event).await?;
        if !provider.supports_schedule() {
            return Ok(None);
        }
        match self.timed(provider.kind(), "update", provider.update(meeting, &request(event))).await {
            Ok(updated) if &updated != meeting => {
                self.events.set_meeting(event.id, Some(&updated), self.clock.now()).await?;
                Ok(None)
            }
            Ok(_) => Ok(None),
            Err(err) => Ok(Some(err)),
        }
    }

    /// A new link, made by `by`: a new meeting is made and saved, then the old one is deleted.
    pub async fn new_link(&self, id: EventId, by: &User) -> Result<Option<Removal>, MeetingError> {
        let event = self.event(id).await?;
        self.ensure_usable(&event, by).await?;
        let provider = self.provider_for(&event).await?;
        let meeting = self.timed(provider.kind(), "create", provider.create(&request(&event))).await?;
        if let Err(err) = self.events.set_meeting(id, Some(&meeting), self.clock.now()).await {
            self.undo_create(&provider, &meeting).await;
            return Err(err.into());
        }
        let removal = match &event.meeting {
            Some(old) => Some(self.delete_at_provider(&provider, old).await?),
            None => None,
        };
        self.delivery.event_changed(id).await?;
        Ok(removal)
    }

    /// Removes the link: the meeting is deleted at the provider (seed 004 §3.4).
    pub async fn remove_link(&self, id: EventId) -> Result<Option<Removal>, MeetingError> {
        let event = self.event(id).await?;
        let Some(old) = &event.meeting else { return Ok(None) };
        let provider = self.provider_for(&event).await?;
        let removal = self.delete_at_provider(&provider, old).await?;
        self.events.set_meeting(id, None, self.clock.now()).await?;
        self.delivery.event_changed(id).await?;
        Ok(Some(removal))
    }

    /// Cancels: the meeting is deleted at the provider and listeners are told (seed 004 §3.5).
    pub async fn cancel(&self, id: EventId) -> Result<Option<Removal>, MeetingError> {
        let event = self.event(id).await?;
        let removal = match &event.meeting {
            Some(old) => {
                let provider = self.provider_for(&event).await?;
                Some(self.delete_at_provider(&provider, old).await?)
            }
            None => None,
        };
        self.events.set_status(id, EventStatus::Cancelled, None, self.clock.now()).await?;
        self.delivery.event_cancelled(id).await?;
        Ok(removal)
    }

    /// An occurrence of a series is over: its meeting is deleted at the provider, since only the
    /// next occurrence keeps one (seed 004 §3.6), and the event is marked finished.
    pub async fn retire(&self, id: EventId) -> Result<(), MeetingError> {
        let event = self.event(id).await?;
        if let Some(old) = &event.meeting {
            let provider = self.provider_for(&event).await?;
            let outcome = self.delete_at_provider(&provider, old).await?;
            tracing::info!(event = id.0, ?outcome, "the meeting of a past occurrence was removed");
        }
        self.events.set_status(id, EventStatus::Finished, None, self.clock.now()).await?;
        Ok(())
    }

    async fn event(&self, id: EventId) -> Result<Event, MeetingError> {
        self.events.get(id).await?.ok_or(MeetingError::NoEvent)
    }

    /// Asks the event's service for its participant report.
    pub async fn attendance(&self, event: &Event) -> Result<ReportFetch, MeetingError> {
        let meeting = event.meeting.as_ref().ok_or(MeetingError::NoProvider)?;
        let provider = self.provider_for(event).await?;
        let call = provider.attendance(meeting, event.starts_at, event.ends_at());
        Ok(self.timed(provider.kind(), "attendance", call).await?)
    }

    async fn provider_for(&self, event: &Event) -> Result<Arc<Provider>, MeetingError> {
        let id = event.provider_id.ok_or(MeetingError::NoProvider)?;
        let settings = self.providers.settings(id).await?.ok_or(MeetingError::NoProvider)?;
        let settings = EventOptions::from_event(event).apply(settings);
        // Vetted at every build: settings saved before the rule, or a name that now resolves
        // inside, reach nothing.
        vet_settings(&settings, self.policy).await?;
        let fingerprint = fingerprint(id, &settings);
        if let Some(built) = self.cache().get(&fingerprint) {
            return Ok(built.clone());
        }
        let built = Arc::new(Provider::new(settings, self.http.clone())?);
        self.cache().insert(fingerprint, built.clone());
        Ok(built)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Provider>>> {
        self.built.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn delete_at_provider(&self, provider: &Provider, meeting: &Meeting) -> Result<Removal, MeetingError> {
        let outcome = self.timed(provider.kind(), "delete", provider.delete(meeting)).await?;
        Ok(Removal { kind: provider.kind(), outcome })
    }

    /// Saving failed after the service made the meeting: take it back so none is orphaned.
    async fn undo_create(&self, provider: &Provider, meeting: &Meeting) {
        match self.timed(provider.kind(), "delete", provider.delete(meeting)).await {
            Ok(outcome) => tracing::warn!(?outcome, "saving failed after create; the new meeting was deleted"),
            Err(err) => tracing::error!(%err, "saving failed after create and the meeting could not be deleted"),
        }
    }
}

/// Settings hold secrets; only a hash of them is kept, in memory, as the cache key.
fn fingerprint(id: i64, settings: &ProviderSettings) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut hasher);
    serde_json::to_string(settings).unwrap_or_default().hash(&mut hasher);
    hasher.finish()
}

/// What the service is asked for.
pub fn request(event: &Event) -> MeetingRequest {
    let options = EventOptions::from_event(event);
    MeetingRequest {
        title: event.title.clone(),
        description: event.description.clone(),
        start: event.starts_at,
        duration_minutes: event.duration_min,
        timezone: event.tz,
        host_email: event.host_email.clone(),
        cohosts: Vec::new(),
        live_stream: options.live_stream,
        external_url: options.external_url,
    }
}
