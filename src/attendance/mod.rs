//! Attendance: fetching the services' reports after a class, counting Join presses where no
//! report exists, and the reports teachers read.
//!
//! A class that started gets a fetch planned for its end. Reports appear with a delay, so the
//! service is asked at [`ASK_AFTER_END`] steps; a report found early is asked for once more while
//! it may still grow. A service that says its plan or key gives no reports is marked, told to
//! the teacher once, and not asked again for its next classes.

pub mod chart;
pub mod export;
pub mod report;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use teloxide::types::UserId;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::delivery::{Delivery, JoinLinks};
use crate::domain::attendance::{Listener, ReportFetch, Unavailable, match_participants, presence, share_percent};
use crate::domain::event::{EventId, EventStatus};
use crate::meetings::{MeetingError, Meetings};
use crate::store::attendance::{AttendanceRow, AttendanceStore, FetchState};
use crate::store::{Event, Events, Recipient, StoreResult, Users};
use report::{ClassReport, Counted, Row, SeriesClass, SeriesReport, SeriesRow, Status, Stranger};

/// When to ask for a class's report, counted from its end.
pub const ASK_AFTER_END: [Duration; 5] =
    [Duration::minutes(10), Duration::minutes(30), Duration::hours(2), Duration::hours(12), Duration::hours(36)];

/// A report found before this many attempts is asked for again: the service may still be adding
/// the last participants.
const GROWING_ATTEMPTS: u32 = 2;

/// Classes that started longer ago than this when the bot first looks are left alone (a bot
/// upgraded onto an old database does not ask for a year of reports).
const LOOK_BACK: Duration = Duration::days(3);

/// How often classes that started are looked for.
const SWEEP_EVERY: Duration = Duration::minutes(5);

#[derive(Clone)]
pub struct AttendanceService {
    inner: Arc<Inner>,
}

struct Inner {
    store: AttendanceStore,
    events: Events,
    users: Users,
    meetings: Arc<Meetings>,
    delivery: Delivery,
    clock: SharedClock,
    links: JoinLinks,
    wake: Notify,
}

impl AttendanceService {
    pub fn new(
        store: AttendanceStore,
        events: Events,
        users: Users,
        meetings: Arc<Meetings>,
        delivery: Delivery,
        clock: SharedClock,
        links: JoinLinks,
    ) -> Self {
        let inner = Inner { store, events, users, meetings, delivery, clock, links, wake: Notify::new() };
        Self { inner: Arc::new(inner) }
    }

    pub fn store(&self) -> &AttendanceStore {
        &self.inner.store
    }

    /// Looks again now (a test moved the clock, say).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    pub fn spawn(&self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move { this.run(shutdown).await })
    }

    async fn run(&self, shutdown: CancellationToken) {
        crate::clock::run_turns(&self.inner.clock, &self.inner.wake, shutdown, || async {
            let now = self.inner.clock.now();
            match self.work(now).await {
                Ok(next) => Some(next),
                Err(err) => {
                    tracing::error!(%err, "attendance: the database failed; trying again shortly");
                    Some(now + Duration::seconds(30))
                }
            }
        })
        .await;
    }

    /// Plans fetches for classes that started, asks for the due ones; returns when to look again.
    async fn work(&self, now: DateTime<Utc>) -> StoreResult<DateTime<Utc>> {
        for id in self.inner.store.started_without_fetch(now - LOOK_BACK, now).await? {
            if let Some(event) = self.inner.events.get(id).await? {
                self.plan(&event).await?;
            }
        }
        for fetch in self.inner.store.due_fetches(now, 20).await? {
            self.ask(fetch.event, fetch.attempts, fetch.state).await?;
        }
        let next = self.inner.store.next_fetch_at().await?;
        Ok(next.map_or(now + SWEEP_EVERY, |at| at.min(now + SWEEP_EVERY)).max(now))
    }

    /// What a class that started will be asked for: its report, or nothing (a service without
    /// reports counts presses, which need no asking).
    async fn plan(&self, event: &Event) -> StoreResult<()> {
        let Some(provider) = event.provider_id else { return Ok(()) };
        let reports = self.inner.store.provider_reports(provider).await?;
        let (state, first) = match reports {
            Some(r) if r.kind.reports_attendance() => match r.unavailable {
                None => (FetchState::Waiting, Some(event.ends_at() + ASK_AFTER_END[0])),
                Some(why) => (FetchState::Unavailable(why), None),
            },
            _ => (FetchState::Unavailable(Unavailable::NoApi), None),
        };
        self.inner.store.plan_fetch(event.id, state, first).await
    }

    /// One attempt at a class's report.
    async fn ask(&self, id: EventId, attempts: u32, before: FetchState) -> StoreResult<()> {
        let store = &self.inner.store;
        let now = self.inner.clock.now();
        let Some(event) = self.inner.events.get(id).await?.filter(|e| e.status != EventStatus::Cancelled) else {
            return store.record_fetch(id, FetchState::Failed, None, Some("cancelled"), now).await;
        };
        // Another class of the same service may have learnt since that it gives none.
        if let Some(provider) = event.provider_id
            && let Some(why) = store.provider_reports(provider).await?.and_then(|r| r.unavailable)
        {
            return store.record_fetch(id, FetchState::Unavailable(why), None, None, now).await;
        }
        let attempt = attempts + 1;
        let next = ASK_AFTER_END.get(attempt as usize).map(|after| event.ends_at() + *after);
        match self.inner.meetings.attendance(&event).await {
            Ok(ReportFetch::Ready(participants)) => {
                let rows = self.matched_rows(&event, participants).await?;
                store.replace_report(id, &rows).await?;
                let again = next.filter(|_| attempt < GROWING_ATTEMPTS);
                store.record_fetch(id, FetchState::Ready, again, None, now).await?;
                if before != FetchState::Ready {
                    tracing::info!(event = %id, rows = rows.len(), "attendance report stored");
                    self.inner.delivery.tell_owner_attendance(id).await?;
                    let listeners = rows.iter().filter(|row| row.user.is_some()).count();
                    self.inner.delivery.attendance_ready(&event, rows.len(), listeners).await;
                }
            }
            Ok(ReportFetch::NotReady) => {
                let state = if next.is_some() { FetchState::Waiting } else { FetchState::Failed };
                store.record_fetch(id, state, next, Some("not ready"), now).await?;
            }
            Ok(ReportFetch::Unavailable(why)) => {
                store.record_fetch(id, FetchState::Unavailable(why), None, None, now).await?;
                if let Some(provider) = event.provider_id
                    && store.mark_reports_unavailable(provider, why).await?
                {
                    tracing::warn!(provider, reason = why.code(), "the service gives no attendance reports");
                    self.inner.delivery.tell_owner_attendance(id).await?;
                }
            }
            Err(MeetingError::Store(err)) => return Err(err),
            Err(err) => {
                tracing::warn!(event = %id, %err, attempt, "attendance report not fetched");
                let state = if next.is_some() { before } else { FetchState::Failed };
                store.record_fetch(id, state, next, Some(&err.to_string()), now).await?;
            }
        }
        Ok(())
    }

    /// The report's participants matched to the class's listeners.
    async fn matched_rows(
        &self,
        event: &Event,
        participants: Vec<crate::domain::attendance::Participant>,
    ) -> StoreResult<Vec<AttendanceRow>> {
        let mut listeners = Vec::new();
        for user in self.listeners(event.id).await? {
            let profile = self.inner.users.profile(user).await?;
            listeners.push(Listener {
                user: user.0,
                token: Some(self.inner.links.tokens.token(event.id.0, user.0)),
                registrant_id: None,
                email: profile.email,
                full_name: profile.full_name,
            });
        }
        let matching = match_participants(&listeners, participants);
        let (start, end) = (event.starts_at, event.ends_at());
        let row = |user: Option<UserId>, by, name: String, email, stays: &[crate::domain::attendance::Stay]| {
            let first_joined = stays.iter().map(|s| s.joined).min().unwrap_or(start);
            let last_left = stays.iter().map(|s| s.left).max().unwrap_or(start);
            AttendanceRow {
                user,
                matched_by: by,
                name,
                email,
                presence: presence(stays, start, end),
                first_joined,
                last_left,
                stays: u32::try_from(stays.len()).unwrap_or(u32::MAX),
            }
        };
        let mut rows: Vec<AttendanceRow> = matching
            .matched
            .into_iter()
            .map(|m| row(Some(UserId(m.user)), Some(m.by), m.name, None, &m.stays))
            .collect();
        rows.extend(matching.unmatched.into_iter().map(|u| row(None, None, u.name, u.email, &u.stays)));
        Ok(rows)
    }

    /// The people a class was for: its private-chat recipients.
    async fn listeners(&self, id: EventId) -> StoreResult<Vec<UserId>> {
        Ok(self
            .inner
            .events
            .audience(id)
            .await?
            .into_iter()
            .filter_map(|r| match r {
                Recipient::Person(user) => Some(user),
                Recipient::GroupChat(_) => None,
            })
            .collect())
    }

    // ---- the reports teachers read ----

    /// A class's attendance as it stands now.
    pub async fn class_report(&self, event: &Event) -> StoreResult<ClassReport> {
        let (counted, listeners, strangers) = self.class_rows(event).await?;
        let mut rows: Vec<Row> = listeners.into_iter().map(|(_, row)| row).collect();
        rows.sort_by_key(|r| r.name.to_lowercase());
        Ok(ClassReport {
            title: event.title.clone(),
            starts_at: event.starts_at,
            ends_at: event.ends_at(),
            tz: event.tz,
            counted,
            rows,
            strangers,
        })
    }

    /// What a class's numbers come from, each listener's line, and who matched nobody.
    pub async fn class_rows(&self, event: &Event) -> StoreResult<(Counted, Vec<(UserId, Row)>, Vec<Stranger>)> {
        let counted = self.counted(event).await?;
        let rows = self.inner.store.report(event.id).await?;
        let presses = self.inner.store.presses(event.id).await?;
        let mut listeners = Vec::new();
        for user in self.listeners(event.id).await? {
            let (name, organisation) = self.name_of(user).await?;
            let found = rows.iter().find(|r| r.user == Some(user));
            let status = match counted {
                Counted::Report => found.map_or(Status::Absent, |r| Status::Attended(r.presence)),
                Counted::Presses => presses
                    .iter()
                    .find(|p| p.user == user)
                    .map_or(Status::Absent, |p| Status::Pressed { at: p.first_at }),
                _ => Status::Unknown,
            };
            listeners.push((user, Row { name, organisation, status, matched_by: found.and_then(|r| r.matched_by) }));
        }
        let strangers = if counted == Counted::Report {
            rows.iter()
                .filter(|r| r.user.is_none())
                .map(|r| Stranger { name: r.name.clone(), email: r.email.clone(), minutes: r.presence.minutes })
                .collect()
        } else {
            Vec::new()
        };
        Ok((counted, listeners, strangers))
    }

    /// Every class of a series that has started, each listener across them.
    pub async fn series_report(&self, series: i64, tz: chrono_tz::Tz) -> StoreResult<Option<SeriesReport>> {
        let now = self.inner.clock.now();
        let classes: Vec<Event> = self
            .inner
            .events
            .occurrences(series)
            .await?
            .into_iter()
            .filter(|e| e.status != EventStatus::Cancelled && e.status != EventStatus::Draft && e.starts_at <= now)
            .collect();
        let Some(first) = classes.first() else { return Ok(None) };
        let title = first.title.clone();
        let mut columns = Vec::new();
        let mut people: Vec<(UserId, SeriesRow)> = Vec::new();
        for (at, event) in classes.iter().enumerate() {
            let (counted, listeners, _) = self.class_rows(event).await?;
            let present = listeners.iter().filter(|(_, r)| is_present(r.status)).count();
            columns.push(SeriesClass { starts_at: event.starts_at, counted, present, invited: listeners.len() });
            for (user, row) in listeners {
                let at_user = match people.iter().position(|(u, _)| *u == user) {
                    Some(found) => found,
                    None => {
                        let marks = vec![None; classes.len()];
                        let name = row.name.clone();
                        let organisation = row.organisation.clone();
                        people.push((user, SeriesRow { name, organisation, marks, present: 0, counted: 0, share: 0 }));
                        people.len() - 1
                    }
                };
                let entry = &mut people[at_user].1;
                entry.marks[at] = Some(row.status);
                if row.status != Status::Unknown {
                    entry.counted += 1;
                    entry.present += usize::from(is_present(row.status));
                }
            }
        }
        let mut rows: Vec<SeriesRow> = people
            .into_iter()
            .map(|(_, mut row)| {
                row.share = share_percent(row.present, row.counted);
                row
            })
            .collect();
        rows.sort_by_key(|row| row.name.to_lowercase());
        Ok(Some(SeriesReport { title, tz, classes: columns, rows }))
    }

    /// What a class's numbers come from: the service's report once it came; presses where the
    /// class's buttons went through the redirect; else why there are none yet, or will be none.
    async fn counted(&self, event: &Event) -> StoreResult<Counted> {
        let store = &self.inner.store;
        let fetch = store.fetch(event.id).await?.map(|f| f.state);
        if fetch == Some(FetchState::Ready) {
            return Ok(Counted::Report);
        }
        if store.redirect_handed_out(event.id).await? {
            return Ok(Counted::Presses);
        }
        let reports = match event.provider_id {
            Some(id) => store.provider_reports(id).await?,
            None => None,
        };
        if !reports.is_some_and(|r| r.kind.reports_attendance()) {
            return Ok(Counted::PressesNotCounted);
        }
        Ok(match (fetch, reports.and_then(|r| r.unavailable)) {
            (Some(FetchState::Unavailable(why)), _) | (_, Some(why)) => Counted::Nothing(why),
            (Some(FetchState::Failed), None) => Counted::NoReport,
            _ => Counted::Waiting,
        })
    }

    /// The name a teacher knows a listener by: the full name they gave, else their Telegram name.
    async fn name_of(&self, user: UserId) -> StoreResult<(String, Option<String>)> {
        let profile = self.inner.users.profile(user).await?;
        let name = match profile.full_name {
            Some(full) => full,
            None => match self.inner.users.get(user).await? {
                Some(person) => match person.username {
                    Some(username) => format!("{} (@{username})", person.first_name),
                    None => person.first_name,
                },
                None => user.0.to_string(),
            },
        };
        Ok((name, profile.organisation))
    }
}

fn is_present(status: Status) -> bool {
    matches!(status, Status::Attended(_) | Status::Pressed { .. })
}
