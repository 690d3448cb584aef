//! Typed callback data. Telegram's clients send it back as they please, so it is parsed, never
//! trusted, and must fit Telegram's 64 bytes. A leaf module: the bot reads it, the delivery
//! engine writes it under the cards it sends, and neither imports the other for it.

use chrono_tz::Tz;
use teloxide::types::CallbackQuery;

pub mod api;
pub mod events;
pub mod groups;
pub mod profile;
pub mod providers;
pub mod teachers;

use api::ApiCb;
use events::{EventAction, NewAction};
use groups::GroupAction;
use profile::{LeaveAction, ProfileAction};
use providers::ProviderCb;
use teachers::TeacherCb;

use crate::domain::event::EventId;
use crate::i18n::Lang;
use crate::store::Rsvp;

#[derive(Clone, Debug, PartialEq)]
pub enum CallbackData {
    Lang(Lang),
    Tz(Tz),
    Provider(ProviderCb),
    Teacher(TeacherCb),
    /// `api:` an administrator managing the platform's API tokens.
    Api(ApiCb),
    /// `gr:` a teacher managing listener groups.
    Group(GroupAction),
    /// `pf:` a listener's own settings and profile.
    Profile(ProfileAction),
    /// `lv:` a listener leaving a group or an event.
    Leave(LeaveAction),
    /// A listener's answer on an event card.
    Rsvp(EventId, Rsvp),
    /// "Add to calendar" on an event card.
    Calendar(EventId),
    /// A press inside `/new`.
    New(NewAction),
    /// A press on a teacher's event card.
    Event(EventId, EventAction),
    /// A page of the teacher's event list.
    EventList(u32),
    /// A page of the teacher's classes that ended, for their attendance.
    PastEvents(u32),
}

impl CallbackData {
    /// Telegram's limit on `callback_data`.
    pub const MAX_BYTES: usize = 64;

    pub fn encode(&self) -> String {
        match self {
            CallbackData::Lang(lang) => format!("lang:{}", lang.code()),
            CallbackData::Tz(tz) => format!("tz:{}", tz.name()),
            CallbackData::Provider(cb) => cb.encode(),
            CallbackData::Teacher(cb) => cb.encode(),
            CallbackData::Api(cb) => cb.encode(),
            CallbackData::Group(action) => format!("gr:{}", action.encode()),
            CallbackData::Profile(action) => format!("pf:{}", action.encode()),
            CallbackData::Leave(action) => format!("lv:{}", action.encode()),
            CallbackData::Rsvp(event, Rsvp::Yes) => format!("rsvp:{event}:y"),
            CallbackData::Rsvp(event, Rsvp::No) => format!("rsvp:{event}:n"),
            CallbackData::Calendar(event) => format!("ics:{event}"),
            CallbackData::New(action) => action.encode(),
            CallbackData::Event(event, action) => action.encode(*event),
            CallbackData::EventList(page) => format!("evl:{page}"),
            CallbackData::PastEvents(page) => format!("evp:{page}"),
        }
    }

    pub fn parse(data: &str) -> Option<Self> {
        if data.len() > Self::MAX_BYTES {
            return None;
        }
        let (kind, value) = data.split_once(':')?;
        match kind {
            "lang" => Lang::from_code(value).map(CallbackData::Lang),
            "tz" => value.parse().ok().map(CallbackData::Tz),
            ProviderCb::PREFIX => ProviderCb::parse(value).map(CallbackData::Provider),
            TeacherCb::PREFIX => TeacherCb::parse(value).map(CallbackData::Teacher),
            ApiCb::PREFIX => ApiCb::parse(value).map(CallbackData::Api),
            "gr" => GroupAction::parse(value).map(CallbackData::Group),
            "pf" => ProfileAction::parse(value).map(CallbackData::Profile),
            "lv" => LeaveAction::parse(value).map(CallbackData::Leave),
            "rsvp" => {
                let (event, answer) = value.split_once(':')?;
                let answer = match answer {
                    "y" => Rsvp::Yes,
                    "n" => Rsvp::No,
                    _ => return None,
                };
                Some(CallbackData::Rsvp(event.parse().ok()?, answer))
            }
            "ics" => value.parse().ok().map(CallbackData::Calendar),
            "nw" => NewAction::parse(value).map(CallbackData::New),
            "ev" => EventAction::parse(value).map(|(event, action)| CallbackData::Event(event, action)),
            "evl" => value.parse().ok().map(CallbackData::EventList),
            "evp" => value.parse().ok().map(CallbackData::PastEvents),
            _ => None,
        }
    }

    /// Buttons that may be pressed in a group chat: those of an event card posted there, and the
    /// language, which is each person's own. Every other button belongs to a private dialogue.
    pub fn works_in_groups(&self) -> bool {
        matches!(self, CallbackData::Rsvp(..) | CallbackData::Calendar(_) | CallbackData::Lang(_))
    }

    pub fn from_query(q: CallbackQuery) -> Option<Self> {
        q.data.as_deref().and_then(Self::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_within_the_limit() {
        let samples = [
            CallbackData::Lang(Lang::Ru),
            CallbackData::Lang(Lang::En),
            CallbackData::Tz(chrono_tz::America::Argentina::ComodRivadavia),
            CallbackData::Tz(chrono_tz::Asia::Yekaterinburg),
            CallbackData::Rsvp(EventId(i64::MAX), Rsvp::Yes),
            CallbackData::Rsvp(EventId(1), Rsvp::No),
            CallbackData::Calendar(EventId(42)),
        ];
        for data in samples {
            let encoded = data.encode();
            assert!(encoded.len() <= CallbackData::MAX_BYTES, "{encoded}");
            assert_eq!(CallbackData::parse(&encoded), Some(data));
        }
    }

    #[test]
    fn foreign_data_is_rejected() {
        for bad in [
            "",
            "lang",
            "lang:fr",
            "tz:Mars/Base",
            "admin:1",
            ":",
            "rsvp:1:maybe",
            "rsvp:x:y",
            "ics:",
            // Six bytes, but the fourth is inside a character.
            "nw:m:ab€c",
            &"x".repeat(200),
        ] {
            assert_eq!(CallbackData::parse(bad), None, "{bad}");
        }
    }

    mod generated {
        use chrono::NaiveDate;
        use proptest::prelude::*;
        use teloxide::types::{ChatId, UserId};

        use super::super::*;
        use crate::callback::events::{Field as NewField, OptionToggle};
        use crate::callback::providers::{Choice, Field as ProviderField};
        use crate::domain::event::GroupId;
        use crate::domain::reminders::ReminderOffset;
        use crate::providers::ProviderKind;
        use crate::providers::telemost::WaitingRoomLevel;
        use crate::providers::zoom::ZoomMeetingType;

        /// Database ids: positive, as SQLite's rowids are.
        fn row_id() -> impl Strategy<Value = i64> {
            1..=i64::MAX
        }

        fn event_id() -> impl Strategy<Value = EventId> {
            any::<i64>().prop_map(EventId)
        }

        fn group_id() -> impl Strategy<Value = GroupId> {
            any::<i64>().prop_map(GroupId)
        }

        fn reminder() -> impl Strategy<Value = ReminderOffset> {
            proptest::sample::select(ReminderOffset::ALL.to_vec())
        }

        fn zone() -> impl Strategy<Value = Tz> {
            proptest::sample::select(chrono_tz::TZ_VARIANTS.to_vec())
        }

        fn day() -> impl Strategy<Value = NaiveDate> {
            (1000i32..=9999, 1u32..=366).prop_filter_map("a real day", |(y, d)| NaiveDate::from_yo_opt(y, d))
        }

        fn new_field() -> impl Strategy<Value = NewField> {
            proptest::sample::select(vec![
                NewField::Title,
                NewField::Provider,
                NewField::ExternalUrl,
                NewField::Date,
                NewField::Time,
                NewField::Duration,
                NewField::Description,
                NewField::Host,
                NewField::HostEmail,
                NewField::Options,
                NewField::Reminders,
                NewField::Audience,
                NewField::Summary,
            ])
        }

        fn new_action() -> impl Strategy<Value = NewAction> {
            prop_oneof![
                Just(NewAction::Noop),
                Just(NewAction::Back),
                any::<i64>().prop_map(NewAction::Provider),
                (0i32..=9999, 1u32..=12).prop_map(|(y, m)| NewAction::Month(y, m)),
                day().prop_map(NewAction::Day),
                any::<u32>().prop_map(NewAction::Duration),
                Just(NewAction::Skip),
                any::<u64>().prop_map(|u| NewAction::Host(UserId(u))),
                proptest::sample::select(vec![
                    OptionToggle::LiveStream,
                    OptionToggle::WaitingRoom,
                    OptionToggle::ZoomType
                ])
                .prop_map(NewAction::Toggle),
                reminder().prop_map(NewAction::Reminder),
                group_id().prop_map(NewAction::Group),
                Just(NewAction::EventLink),
                Just(NewAction::Done),
                new_field().prop_map(NewAction::Edit),
                Just(NewAction::DropMissed),
                Just(NewAction::Confirm),
                Just(NewAction::Abort),
            ]
        }

        fn event_action() -> impl Strategy<Value = EventAction> {
            prop_oneof![
                proptest::sample::select(vec![
                    EventAction::Open,
                    EventAction::Edit,
                    EventAction::EditTitle,
                    EventAction::EditDescription,
                    EventAction::EditWhen,
                    EventAction::EditDuration,
                    EventAction::NewLink,
                    EventAction::RemoveLink,
                    EventAction::Cancel,
                    EventAction::CancelConfirmed,
                    EventAction::Copy,
                    EventAction::DeleteDraft,
                    EventAction::Retry,
                    EventAction::Answers,
                    EventAction::Nudge,
                    EventAction::Missed,
                    EventAction::InviteLink,
                    EventAction::Attendance,
                    EventAction::AttendanceFile(super::events::FileFormat::Xlsx),
                    EventAction::AttendanceFile(super::events::FileFormat::Csv),
                    EventAction::SeriesAttendance,
                    EventAction::SeriesAttendanceFile(super::events::FileFormat::Csv),
                ]),
                reminder().prop_map(EventAction::Reminder),
            ]
        }

        fn provider_field() -> impl Strategy<Value = ProviderField> {
            proptest::sample::select(vec![
                ProviderField::TelemostClientId,
                ProviderField::TelemostToken,
                ProviderField::TelemostWaitingRoom,
                ProviderField::ZoomAccountId,
                ProviderField::ZoomClientId,
                ProviderField::ZoomClientSecret,
                ProviderField::ZoomHost,
                ProviderField::ZoomType,
                ProviderField::KonturSpace,
                ProviderField::KonturKey,
                ProviderField::KonturHost,
                ProviderField::KonturAnonymous,
                ProviderField::MtsKey,
                ProviderField::JitsiDomain,
                ProviderField::Name,
                ProviderField::ServiceUrl,
                ProviderField::Placement,
            ])
        }

        fn choice() -> impl Strategy<Value = Choice> {
            prop_oneof![
                Just(Choice::Skip),
                proptest::sample::select(vec![
                    WaitingRoomLevel::Public,
                    WaitingRoomLevel::Organization,
                    WaitingRoomLevel::Admins
                ])
                .prop_map(Choice::Waiting),
                proptest::sample::select(vec![ZoomMeetingType::Meeting, ZoomMeetingType::Webinar])
                    .prop_map(Choice::Zoom),
                proptest::sample::select(vec![Some(true), Some(false), None]).prop_map(Choice::Anonymous),
                Just(Choice::Shared),
                any::<u64>().prop_map(Choice::Host),
            ]
        }

        fn provider_cb() -> impl Strategy<Value = ProviderCb> {
            prop_oneof![
                Just(ProviderCb::List),
                Just(ProviderCb::Add),
                proptest::sample::select(ProviderKind::ALL.to_vec()).prop_map(ProviderCb::Kind),
                choice().prop_map(ProviderCb::Answer),
                Just(ProviderCb::Back),
                Just(ProviderCb::Cancel),
                provider_field().prop_map(ProviderCb::Fix),
                Just(ProviderCb::Recheck),
                row_id().prop_map(ProviderCb::View),
                row_id().prop_map(ProviderCb::Rename),
                row_id().prop_map(ProviderCb::Replace),
                row_id().prop_map(ProviderCb::Check),
                row_id().prop_map(ProviderCb::Delete),
                row_id().prop_map(ProviderCb::DeleteYes),
            ]
        }

        fn teacher_cb() -> impl Strategy<Value = TeacherCb> {
            prop_oneof![
                Just(TeacherCb::List),
                Just(TeacherCb::Invite),
                row_id().prop_map(TeacherCb::RevokeInvite),
                (1..=u64::MAX).prop_map(TeacherCb::Revoke),
                (1..=u64::MAX).prop_map(TeacherCb::RevokeYes),
                any::<bool>().prop_map(TeacherCb::AllowProviders),
            ]
        }

        fn api_cb() -> impl Strategy<Value = ApiCb> {
            use crate::domain::platform::Scope;
            prop_oneof![
                Just(ApiCb::List),
                Just(ApiCb::New),
                proptest::sample::select(Scope::ALL.to_vec()).prop_map(ApiCb::Scope),
                row_id().prop_map(ApiCb::Revoke),
                row_id().prop_map(ApiCb::RevokeYes),
            ]
        }

        fn group_action() -> impl Strategy<Value = GroupAction> {
            let g = group_id;
            prop_oneof![
                Just(GroupAction::List),
                Just(GroupAction::New),
                g().prop_map(GroupAction::Open),
                g().prop_map(GroupAction::Rename),
                g().prop_map(GroupAction::Delete),
                g().prop_map(GroupAction::DeleteConfirmed),
                (g(), any::<u32>()).prop_map(|(g, page)| GroupAction::Members(g, page)),
                (g(), any::<u64>()).prop_map(|(g, u)| GroupAction::Remove(g, UserId(u))),
                (g(), any::<u64>()).prop_map(|(g, u)| GroupAction::RemoveConfirmed(g, UserId(u))),
                g().prop_map(GroupAction::Links),
                (g(), proptest::sample::select(vec![0u16, 1, 7, 30])).prop_map(|(g, d)| GroupAction::NewLink(g, d)),
                g().prop_map(GroupAction::Revoke),
                g().prop_map(GroupAction::Chats),
                g().prop_map(GroupAction::ChatCode),
                (g(), any::<i64>()).prop_map(|(g, c)| GroupAction::Unlink(g, ChatId(c))),
            ]
        }

        fn profile_action() -> impl Strategy<Value = ProfileAction> {
            proptest::sample::select(vec![
                ProfileAction::Language,
                ProfileAction::Timezone,
                ProfileAction::FullName,
                ProfileAction::Organisation,
                ProfileAction::Email,
                ProfileAction::Skip,
            ])
        }

        fn leave_action() -> impl Strategy<Value = LeaveAction> {
            prop_oneof![
                group_id().prop_map(LeaveAction::Group),
                group_id().prop_map(LeaveAction::GroupConfirmed),
                event_id().prop_map(LeaveAction::Event),
                event_id().prop_map(LeaveAction::EventConfirmed),
                Just(LeaveAction::Stay),
            ]
        }

        /// Every kind of callback data the bot makes, nested actions included.
        fn callback_data() -> impl Strategy<Value = CallbackData> {
            prop_oneof![
                proptest::sample::select(Lang::ALL.to_vec()).prop_map(CallbackData::Lang),
                zone().prop_map(CallbackData::Tz),
                provider_cb().prop_map(CallbackData::Provider),
                teacher_cb().prop_map(CallbackData::Teacher),
                api_cb().prop_map(CallbackData::Api),
                group_action().prop_map(CallbackData::Group),
                profile_action().prop_map(CallbackData::Profile),
                leave_action().prop_map(CallbackData::Leave),
                (event_id(), any::<bool>())
                    .prop_map(|(e, yes)| CallbackData::Rsvp(e, if yes { Rsvp::Yes } else { Rsvp::No })),
                event_id().prop_map(CallbackData::Calendar),
                new_action().prop_map(CallbackData::New),
                (event_id(), event_action()).prop_map(|(e, a)| CallbackData::Event(e, a)),
                any::<u32>().prop_map(CallbackData::EventList),
                any::<u32>().prop_map(CallbackData::PastEvents),
            ]
        }

        /// Strings that look like ours: a known prefix, then fields of digits, letters and colons.
        fn data_like() -> impl Strategy<Value = String> {
            let prefix = proptest::sample::select(vec![
                "lang", "tz", "pv", "tc", "gr", "pf", "lv", "rsvp", "ics", "nw", "ev", "evl", "",
            ]);
            (prefix, "[-:a-zA-Z0-9_/+ая€]{0,40}").prop_map(|(p, rest)| format!("{p}:{rest}"))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn any_string_parses_or_is_refused_without_panic(data in any::<String>()) {
                if let Some(parsed) = CallbackData::parse(&data) {
                    prop_assert!(parsed.encode().len() <= CallbackData::MAX_BYTES);
                }
            }

            #[test]
            fn data_like_strings_parse_or_are_refused_without_panic(data in data_like()) {
                if let Some(parsed) = CallbackData::parse(&data) {
                    let encoded = parsed.encode();
                    prop_assert!(encoded.len() <= CallbackData::MAX_BYTES, "{}", encoded);
                    prop_assert_eq!(CallbackData::parse(&encoded), Some(parsed));
                }
            }

            #[test]
            fn every_value_fits_telegram_and_reads_back(data in callback_data()) {
                let encoded = data.encode();
                prop_assert!(encoded.len() <= CallbackData::MAX_BYTES, "{} is {} bytes", encoded, encoded.len());
                prop_assert_eq!(CallbackData::parse(&encoded), Some(data));
            }
        }
    }
}
