//! Attendance report bodies as the services document them, for the fake provider servers.
//!
//! Zoom: `GET /report/meetings/{meetingId}/participants` and `/report/webinars/{webinarId}/
//! participants` in `shared/specs/zoom-meeting-api.openapi.json`. Kontur.Talk: `GET
//! /api/RoomReport/{roomName}/statistics/report` (`RoomStatisticsReport`) in
//! `shared/specs/kontur-talk-public-api.openapi.json`. Scenario tests queue these with
//! `FakeServer::on(..., Reply::json(200, body))`.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One Zoom participant record: one join and one leave. Somebody who joined twice is two.
#[derive(Debug, Clone)]
pub struct ZoomRecord {
    pub name: String,
    /// Zoom sends `""` for people outside the host's account; `None` here sends that.
    pub email: Option<String>,
    /// Sent only when set (the API sends it only with `include_fields=registrant_id`).
    pub registrant_id: Option<String>,
    pub join: DateTime<Utc>,
    pub leave: DateTime<Utc>,
    /// `in_meeting` unless [`ZoomRecord::in_waiting_room`].
    pub status: &'static str,
}

impl ZoomRecord {
    pub fn new(name: &str, join: DateTime<Utc>, leave: DateTime<Utc>) -> Self {
        Self { name: name.to_owned(), email: None, registrant_id: None, join, leave, status: "in_meeting" }
    }

    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.to_owned());
        self
    }

    pub fn registrant(mut self, id: &str) -> Self {
        self.registrant_id = Some(id.to_owned());
        self
    }

    pub fn in_waiting_room(mut self) -> Self {
        self.status = "in_waiting_room";
        self
    }

    fn to_json(&self, index: usize) -> Value {
        let mut record = json!({
            "id": "",
            "user_id": format!("{}", 16778240 + index),
            "name": self.name,
            "user_email": self.email.clone().unwrap_or_default(),
            "join_time": zoom_time(self.join),
            "leave_time": zoom_time(self.leave),
            "duration": (self.leave - self.join).num_seconds(),
            "failover": false,
            "status": self.status,
            "customer_key": "",
        });
        if let Some(id) = &self.registrant_id {
            record["registrant_id"] = json!(id);
        }
        record
    }
}

/// Zoom's `date-time` as its examples write it (`2022-03-23T06:58:09Z`).
pub fn zoom_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// One page of a Zoom participant report; `next_page_token` empty on the last page.
pub fn zoom_participants_page(records: &[ZoomRecord], next_page_token: &str) -> Value {
    json!({
        "page_size": 300,
        "total_records": records.len(),
        "next_page_token": next_page_token,
        "participants": records.iter().enumerate().map(|(i, r)| r.to_json(i)).collect::<Vec<_>>(),
    })
}

/// Zoom's error body `{"code", "message"}`.
pub fn zoom_error_body(code: i64, message: &str) -> Value {
    json!({"code": code, "message": message})
}

/// 404 + 3001: the report of a meeting that has not ended (or is gone).
pub fn zoom_report_not_found(meeting_id: &str) -> Value {
    zoom_error_body(3001, &format!("Meeting {meeting_id} not found or has expired."))
}

/// 400 + 200: reports are for paid accounts.
pub fn zoom_report_no_permission() -> Value {
    zoom_error_body(200, "No permission.")
}

/// 400 + 4711: the app's token lacks `report:read:admin`.
pub fn zoom_missing_report_scope() -> Value {
    zoom_error_body(4711, "Invalid access token, does not contain scopes:[report:read:admin].")
}

/// One Kontur.Talk entry and exit (`RoomStatisticsParticipantModel`).
#[derive(Debug, Clone)]
pub struct KonturRow {
    pub name: String,
    pub email: Option<String>,
    pub guest: bool,
    pub entry: DateTime<Utc>,
    /// `None`: still in the room when the report was made (`exitTime: null`).
    pub exit: Option<DateTime<Utc>>,
    /// The join link's parameters, as `urlParams` carries them (form not documented).
    pub url_params: Option<String>,
}

impl KonturRow {
    pub fn new(name: &str, entry: DateTime<Utc>, exit: Option<DateTime<Utc>>) -> Self {
        Self { name: name.to_owned(), email: None, guest: true, entry, exit, url_params: None }
    }

    /// A registered user of the space, with their e-mail.
    pub fn user(mut self, email: &str) -> Self {
        self.email = Some(email.to_owned());
        self.guest = false;
        self
    }

    pub fn url_params(mut self, params: &str) -> Self {
        self.url_params = Some(params.to_owned());
        self
    }

    fn to_json(&self, index: usize) -> Value {
        json!({
            "participantName": self.name,
            "participantId": format!("p{index}"),
            "isGuest": self.guest,
            "participant": if self.guest { "Гость" } else { "Участник" },
            "participantEmail": self.email,
            "sessionHall": null,
            "entryTime": kontur_time(self.entry),
            "exitTime": self.exit.map(kontur_time),
            "urlParams": self.url_params,
        })
    }
}

/// Kontur.Talk's ISO UTC with milliseconds (`2022-12-19T19:00:00.000Z`).
pub fn kontur_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A room report with these rows, their per-person totals and counts.
pub fn kontur_room_report(rows: &[KonturRow]) -> Value {
    let mut totals: BTreeMap<(&str, Option<&str>, bool), i64> = BTreeMap::new();
    for row in rows {
        let seconds = row.exit.map_or(0, |exit| (exit - row.entry).num_seconds());
        *totals.entry((row.name.as_str(), row.email.as_deref(), row.guest)).or_default() += seconds;
    }
    let durations: Vec<Value> = totals
        .iter()
        .map(|((name, email, guest), seconds)| {
            json!({
                "participantName": name,
                "isGuest": guest,
                "participant": if *guest { "Гость" } else { "Участник" },
                "participantEmail": email,
                "sessionHall": null,
                "duration": format!("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60),
            })
        })
        .collect();
    json!({
        "participantCount": totals.len(),
        "participantTotalDurations": durations,
        "roomParticipants": rows.iter().enumerate().map(|(i, r)| r.to_json(i)).collect::<Vec<_>>(),
        "streamViewers": [],
        "metrics": {"streamViewersCount": 0, "streamViewersBuildSecondsDuration": 0},
    })
}
