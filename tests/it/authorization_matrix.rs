//! The authorisation matrix: every kind of callback data × six roles (stranger, listener,
//! teacher, host, owner, administrator) × an object of the owner's or of another teacher's ×
//! a private or a group chat. Each cell is pressed through the fake Bot API and must act or be
//! refused as the rules below say. The rules match every variant with no wildcard, so a new
//! action does not compile until it has its row.

use crate::support;
use webinar_bot::callback::api::ApiCb;
use webinar_bot::domain::platform::Scope;

use chrono::{Duration, NaiveDate};
use serde_json::json;
use support::scenario::{jitsi_meeting, people};
use support::telegram::{Call, group_chat, private_chat};
use support::{ADMIN_ID, Clock, TestBot, TgUser};
use teloxide::types::{ChatId, UserId};
use webinar_bot::callback::CallbackData;
use webinar_bot::callback::events::{
    EventAction, Field as NewField, FileFormat, NewAction, OptionToggle, RepeatChoice,
};
use webinar_bot::callback::groups::GroupAction;
use webinar_bot::callback::profile::{LeaveAction, ProfileAction};
use webinar_bot::callback::providers::{Choice, Field as ProviderField, ProviderCb};
use webinar_bot::callback::teachers::TeacherCb;
use webinar_bot::domain::event::{EventId, EventStatus, GroupId};
use webinar_bot::domain::group::GroupName;
use webinar_bot::domain::reminders::ReminderOffset;
use webinar_bot::i18n::{Lang, tr};
use webinar_bot::providers::jitsi::JitsiSettings;
use webinar_bot::providers::{ProviderKind, ProviderSettings, ServiceSettings};
use webinar_bot::store::providers::{NewProvider, Visibility};
use webinar_bot::store::{NewEvent, Rsvp};

const STRANGER: i64 = 4000;
const LISTENER: i64 = 4001;
const TEACHER: i64 = 4002;
const HOST: i64 = 4003;
const OWNER: i64 = 4004;
const OTHER_OWNER: i64 = 4005;
/// A teacher the presses revoke or remove, so no asker loses a role half-way.
const DUMMY: i64 = 4009;
const GROUP_CHAT: i64 = -100_4444;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Stranger,
    Listener,
    Teacher,
    Host,
    Owner,
    Admin,
}

const ROLES: [Role; 6] = [Role::Stranger, Role::Listener, Role::Teacher, Role::Host, Role::Owner, Role::Admin];

impl Role {
    fn id(self) -> i64 {
        match self {
            Role::Stranger => STRANGER,
            Role::Listener => LISTENER,
            Role::Teacher => TEACHER,
            Role::Host => HOST,
            Role::Owner => OWNER,
            Role::Admin => ADMIN_ID,
        }
    }

    fn teaches(self) -> bool {
        matches!(self, Role::Teacher | Role::Host | Role::Owner | Role::Admin)
    }
}

/// The owner's objects (hosted by HOST, heard by LISTENER) or another teacher's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Whose {
    Owners,
    Others,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chat {
    Private,
    Group,
}

#[derive(Clone, Copy)]
struct Objects {
    event: EventId,
    group: GroupId,
    provider: i64,
}

struct World {
    owners: Objects,
    others: Objects,
}

impl World {
    fn of(&self, whose: Whose) -> Objects {
        match whose {
            Whose::Owners => self.owners,
            Whose::Others => self.others,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Acts,
    Refused,
}

/// Who may press what, on whose object, where. `mine`: the asker is the object's owner (or the
/// event's host, or a listener of it, as each row says).
fn rule(data: &CallbackData, role: Role, whose: Whose, chat: Chat) -> Verdict {
    use Verdict::{Acts, Refused};
    let owners = whose == Whose::Owners;
    let admin = role == Role::Admin;
    let owner = role == Role::Owner && owners;
    let host = role == Role::Host && owners;
    let listener = role == Role::Listener && owners;
    let when = |allowed: bool| if allowed { Acts } else { Refused };
    let in_group_too = matches!(data, CallbackData::Rsvp(..) | CallbackData::Calendar(_) | CallbackData::Lang(_));
    if chat == Chat::Group && !in_group_too {
        return Refused;
    }
    match data {
        CallbackData::Lang(_) | CallbackData::Tz(_) => Acts,
        CallbackData::Profile(
            ProfileAction::Language
            | ProfileAction::Timezone
            | ProfileAction::FullName
            | ProfileAction::Organisation
            | ProfileAction::Email
            | ProfileAction::Skip,
        ) => Acts,
        CallbackData::Leave(LeaveAction::Stay) => Acts,
        CallbackData::Leave(
            LeaveAction::Group(_)
            | LeaveAction::GroupConfirmed(_)
            | LeaveAction::Event(_)
            | LeaveAction::EventConfirmed(_),
        ) => when(listener),
        CallbackData::Rsvp(..) => when(listener),
        CallbackData::Calendar(_) => when(admin || owner || host || listener),
        CallbackData::EventList(_) | CallbackData::PastEvents(_) => when(role.teaches()),
        CallbackData::Event(
            _,
            EventAction::Open
            | EventAction::Edit
            | EventAction::EditTitle
            | EventAction::EditDescription
            | EventAction::EditWhen
            | EventAction::EditDuration
            | EventAction::Reminder(_)
            | EventAction::NewLink
            | EventAction::RemoveLink
            | EventAction::Cancel
            | EventAction::CancelConfirmed
            | EventAction::CancelSeries
            | EventAction::CancelSeriesConfirmed
            | EventAction::Copy
            | EventAction::DeleteDraft
            | EventAction::Retry
            | EventAction::Answers
            | EventAction::Nudge
            | EventAction::Missed
            | EventAction::InviteLink
            | EventAction::InviteNew(_)
            | EventAction::InviteRevoke
            | EventAction::Attendance
            | EventAction::AttendanceFile(_)
            | EventAction::SeriesAttendance
            | EventAction::SeriesAttendanceFile(_),
        ) => when(admin || owner || host),
        CallbackData::Group(GroupAction::List | GroupAction::New) => when(role.teaches()),
        CallbackData::Group(
            GroupAction::Open(_)
            | GroupAction::Rename(_)
            | GroupAction::Delete(_)
            | GroupAction::DeleteConfirmed(_)
            | GroupAction::Members(..)
            | GroupAction::Remove(..)
            | GroupAction::RemoveConfirmed(..)
            | GroupAction::Links(_)
            | GroupAction::NewLink(..)
            | GroupAction::Revoke(_)
            | GroupAction::Chats(_)
            | GroupAction::ChatCode(_)
            | GroupAction::Unlink(..),
        ) => when(admin || owner),
        CallbackData::Provider(
            ProviderCb::List
            | ProviderCb::Add
            | ProviderCb::Kind(_)
            | ProviderCb::Answer(_)
            | ProviderCb::Back
            | ProviderCb::Cancel
            | ProviderCb::Fix(_)
            | ProviderCb::Recheck,
        ) => when(role.teaches()),
        CallbackData::Provider(
            ProviderCb::View(_)
            | ProviderCb::Rename(_)
            | ProviderCb::Replace(_)
            | ProviderCb::Check(_)
            | ProviderCb::Delete(_)
            | ProviderCb::DeleteYes(_),
        ) => when(admin || owner),
        CallbackData::Teacher(
            TeacherCb::List
            | TeacherCb::Invite
            | TeacherCb::RevokeInvite(_)
            | TeacherCb::Revoke(_)
            | TeacherCb::RevokeYes(_)
            | TeacherCb::AllowProviders(_),
        ) => when(admin),
        CallbackData::Api(ApiCb::List | ApiCb::New | ApiCb::Scope(_) | ApiCb::Revoke(_) | ApiCb::RevokeYes(_)) => {
            when(admin)
        }
        CallbackData::New(NewAction::Provider(_)) => when(admin || owner),
        CallbackData::New(
            NewAction::Noop
            | NewAction::Back
            | NewAction::Month(..)
            | NewAction::Day(_)
            | NewAction::Duration(_)
            | NewAction::Repeat(_)
            | NewAction::Weekday(_)
            | NewAction::Skip
            | NewAction::Host(_)
            | NewAction::Toggle(_)
            | NewAction::Reminder(_)
            | NewAction::Group(_)
            | NewAction::EventLink
            | NewAction::Done
            | NewAction::Edit(_)
            | NewAction::DropMissed
            | NewAction::Confirm
            | NewAction::Abort,
        ) => when(role.teaches()),
    }
}

/// Presses that change the world for the cells after them: pressed last.
fn destroys(data: &CallbackData) -> bool {
    matches!(
        data,
        CallbackData::Provider(ProviderCb::DeleteYes(_))
            | CallbackData::Teacher(TeacherCb::RevokeYes(_))
            | CallbackData::Group(GroupAction::DeleteConfirmed(_) | GroupAction::RemoveConfirmed(..))
            | CallbackData::Leave(LeaveAction::GroupConfirmed(_) | LeaveAction::EventConfirmed(_))
            | CallbackData::Event(_, EventAction::CancelConfirmed | EventAction::RemoveLink)
    )
}

/// One value of every kind of callback data, naming the objects of `o`.
fn samples(o: Objects) -> Vec<CallbackData> {
    let (e, g, p) = (o.event, o.group, o.provider);
    let mut all = vec![
        CallbackData::Lang(Lang::Ru),
        CallbackData::Tz(chrono_tz::Europe::Moscow),
        CallbackData::Rsvp(e, Rsvp::Yes),
        CallbackData::Calendar(e),
        CallbackData::EventList(0),
        CallbackData::PastEvents(0),
    ];
    all.extend(
        [
            ProviderCb::List,
            ProviderCb::Add,
            ProviderCb::Kind(ProviderKind::Jitsi),
            ProviderCb::Answer(Choice::Skip),
            ProviderCb::Back,
            ProviderCb::Cancel,
            ProviderCb::Fix(ProviderField::Name),
            ProviderCb::Recheck,
            ProviderCb::View(p),
            ProviderCb::Rename(p),
            ProviderCb::Replace(p),
            ProviderCb::Check(p),
            ProviderCb::Delete(p),
            ProviderCb::DeleteYes(p),
        ]
        .map(CallbackData::Provider),
    );
    all.extend(
        [
            TeacherCb::List,
            TeacherCb::Invite,
            TeacherCb::RevokeInvite(1),
            TeacherCb::Revoke(DUMMY as u64),
            TeacherCb::RevokeYes(DUMMY as u64),
            TeacherCb::AllowProviders(true),
        ]
        .map(CallbackData::Teacher),
    );
    all.extend(
        [ApiCb::List, ApiCb::New, ApiCb::Scope(Scope::Read), ApiCb::Revoke(1), ApiCb::RevokeYes(1)]
            .map(CallbackData::Api),
    );
    let dummy = UserId(DUMMY as u64);
    all.extend(
        [
            GroupAction::List,
            GroupAction::New,
            GroupAction::Open(g),
            GroupAction::Rename(g),
            GroupAction::Delete(g),
            GroupAction::DeleteConfirmed(g),
            GroupAction::Members(g, 0),
            GroupAction::Remove(g, dummy),
            GroupAction::RemoveConfirmed(g, dummy),
            GroupAction::Links(g),
            GroupAction::NewLink(g, 0),
            GroupAction::Revoke(g),
            GroupAction::Chats(g),
            GroupAction::ChatCode(g),
            GroupAction::Unlink(g, ChatId(-1)),
        ]
        .map(CallbackData::Group),
    );
    all.extend(
        [
            ProfileAction::Language,
            ProfileAction::Timezone,
            ProfileAction::FullName,
            ProfileAction::Organisation,
            ProfileAction::Email,
            ProfileAction::Skip,
        ]
        .map(CallbackData::Profile),
    );
    all.extend(
        [
            LeaveAction::Group(g),
            LeaveAction::GroupConfirmed(g),
            LeaveAction::Event(e),
            LeaveAction::EventConfirmed(e),
            LeaveAction::Stay,
        ]
        .map(CallbackData::Leave),
    );
    let day = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    all.extend(
        [
            NewAction::Noop,
            NewAction::Back,
            NewAction::Provider(p),
            NewAction::Month(2026, 12),
            NewAction::Day(day),
            NewAction::Duration(60),
            NewAction::Repeat(RepeatChoice::Once),
            NewAction::Weekday(chrono::Weekday::Mon),
            NewAction::Skip,
            NewAction::Host(UserId(HOST as u64)),
            NewAction::Toggle(OptionToggle::LiveStream),
            NewAction::Reminder(ReminderOffset::Hour1),
            NewAction::Group(g),
            NewAction::EventLink,
            NewAction::Done,
            NewAction::Edit(NewField::Title),
            NewAction::DropMissed,
            NewAction::Confirm,
            NewAction::Abort,
        ]
        .map(CallbackData::New),
    );
    all.extend(
        [
            EventAction::Open,
            EventAction::Edit,
            EventAction::EditTitle,
            EventAction::EditDescription,
            EventAction::EditWhen,
            EventAction::EditDuration,
            EventAction::Reminder(ReminderOffset::Hour1),
            EventAction::NewLink,
            EventAction::RemoveLink,
            EventAction::Cancel,
            EventAction::CancelConfirmed,
            EventAction::CancelSeries,
            EventAction::CancelSeriesConfirmed,
            EventAction::Copy,
            EventAction::DeleteDraft,
            EventAction::Retry,
            EventAction::Answers,
            EventAction::Nudge,
            EventAction::Missed,
            EventAction::InviteLink,
            EventAction::InviteNew(0),
            EventAction::InviteRevoke,
            EventAction::Attendance,
            EventAction::AttendanceFile(FileFormat::Xlsx),
            EventAction::AttendanceFile(FileFormat::Csv),
            EventAction::SeriesAttendance,
            EventAction::SeriesAttendanceFile(FileFormat::Csv),
        ]
        .map(|action| CallbackData::Event(e, action)),
    );
    all
}

/// The answers a refused press gets: every guard's one answer, and the handlers' own refusals
/// for what only the handler can know (not a listener, not a member).
fn refusals() -> Vec<String> {
    [
        "event-not-yours",
        "groups-not-found",
        "groups-teachers-only",
        "pv-not-allowed",
        "tc-not-allowed",
        "api-not-allowed",
        "new-not-allowed",
        "button-private-only",
        "rsvp-not-listener",
        "leave-not-member",
    ]
    .iter()
    .map(|key| tr(Lang::Ru, key))
    .collect()
}

async fn provider(bot: &TestBot, owner: i64, name: &str) -> i64 {
    let settings = ProviderSettings::new(ServiceSettings::Jitsi(JitsiSettings::default()));
    let new = NewProvider {
        name,
        owner: UserId(owner as u64),
        visibility: Visibility::Private,
        host: None,
        settings: &settings,
        checked_at: None,
    };
    bot.ctx().providers.create(&new, bot.clock.now()).await.unwrap()
}

async fn objects(bot: &TestBot, owner: i64, host: i64, members: &[i64], title: &str) -> Objects {
    let ctx = bot.ctx();
    let now = bot.clock.now();
    let provider = provider(bot, owner, title).await;
    let group = ctx.groups.create(UserId(owner as u64), &GroupName::parse(title).unwrap(), now).await.unwrap();
    for member in members {
        ctx.groups.add_member(group, UserId(*member as u64), now).await.unwrap();
    }
    let new = NewEvent {
        owner_id: UserId(owner as u64),
        host_id: Some(UserId(host as u64)),
        host_email: None,
        provider_id: Some(provider),
        title: title.to_owned(),
        description: None,
        starts_at: now + Duration::days(5),
        duration_min: 60,
        tz: chrono_tz::Europe::Moscow,
        status: EventStatus::Planned,
        meeting: Some(jitsi_meeting("matrixroom1")),
        options: json!({}),
        reminders: Vec::new(),
    };
    let event = ctx.events.insert(&new, now).await.unwrap();
    ctx.events.set_groups(event, &[group]).await.unwrap();
    for member in members {
        ctx.events.add_direct_listener(event, UserId(*member as u64)).await.unwrap();
    }
    Objects { event, group, provider }
}

async fn world(bot: &TestBot) -> World {
    people(bot, [ADMIN_ID, STRANGER, LISTENER, TEACHER, HOST, OWNER, OTHER_OWNER, DUMMY]).await;
    let ctx = bot.ctx();
    for teacher in [TEACHER, HOST, OWNER, OTHER_OWNER, DUMMY] {
        ctx.users.promote_to_teacher(UserId(teacher as u64), bot.clock.now()).await.unwrap();
    }
    ctx.settings.set_teachers_may_register_providers(true).await.unwrap();
    let owners = objects(bot, OWNER, HOST, &[LISTENER, DUMMY], "Занятие владельца").await;
    let others = objects(bot, OTHER_OWNER, OTHER_OWNER, &[DUMMY], "Чужое занятие").await;
    World { owners, others }
}

struct Cell {
    data: CallbackData,
    role: Role,
    whose: Whose,
    chat: Chat,
    verdict: Verdict,
}

/// Presses one cell's button; returns the answer to that press.
async fn press(bot: &TestBot, anchors: &[(i64, i64)], cell: &Cell) -> Call {
    let user = TgUser::ru(cell.role.id());
    let data = cell.data.encode();
    let mark = bot.tg.mark();
    let query = match cell.chat {
        Chat::Private => {
            let anchor = anchors.iter().find(|(id, _)| *id == user.id).map(|(_, m)| *m).unwrap();
            bot.tg.press_query(&user, anchor, &data)
        }
        Chat::Group => format!("cb{}", bot.tg.press_in(&user, group_chat(GROUP_CHAT, "Класс"), &data)),
    };
    bot.tg
        .wait_for(mark, &format!("the answer to {data}"), |c| {
            c.method == "AnswerCallbackQuery" && c.body["callback_query_id"] == query
        })
        .await
}

#[tokio::test]
async fn every_button_as_every_role_on_every_object_in_every_chat_acts_or_is_refused_as_the_rules_say() {
    let bot = TestBot::start_unthrottled(&[]).await;
    let world = world(&bot).await;
    // A message of the bot in each private chat, to press buttons under.
    let mut anchors = Vec::new();
    for role in ROLES {
        let user = TgUser::ru(role.id());
        let _ = private_chat(&user);
        anchors.push((user.id, bot.tg.ask(&user, "/help").await.message_id().unwrap()));
    }
    let mut cells = Vec::new();
    for whose in [Whose::Owners, Whose::Others] {
        for data in samples(world.of(whose)) {
            for role in ROLES {
                for chat in [Chat::Private, Chat::Group] {
                    let verdict = rule(&data, role, whose, chat);
                    cells.push(Cell { data: data.clone(), role, whose, chat, verdict });
                }
            }
        }
    }
    // Refusals first: they must change nothing, so every later cell sees the same world. Then
    // what acts, and what destroys last.
    cells.sort_by_key(|c| (c.verdict == Verdict::Acts, destroys(&c.data)));
    let refusals = refusals();
    let (mut breaches, mut wrongly_refused) = (Vec::new(), Vec::new());
    for cell in &cells {
        let answer = press(&bot, &anchors, cell).await;
        let refused = refusals.iter().any(|r| r == answer.text());
        let label =
            format!("{:?} as {:?} on {:?} in {:?}: {:?}", cell.data, cell.role, cell.whose, cell.chat, answer.text());
        match (cell.verdict, refused) {
            (Verdict::Refused, false) => breaches.push(label),
            // A press after a destroying one may find its object gone: not a rights question.
            (Verdict::Acts, true) if !destroys(&cell.data) => wrongly_refused.push(label),
            _ => {}
        }
    }
    let kinds = samples(world.owners).len();
    let refused = cells.iter().filter(|c| c.verdict == Verdict::Refused).count();
    println!(
        "authorisation matrix: {} cells ({kinds} kinds of callback data × 6 roles × 2 objects × 2 chats), \
         {refused} to refuse, {} breaches",
        cells.len(),
        breaches.len()
    );
    assert!(refused > 0 && refused < cells.len(), "the rules both allow and refuse");
    assert_eq!(cells.len(), kinds * ROLES.len() * 2 * 2);
    assert!(breaches.is_empty(), "{} breaches: {breaches:#?}", breaches.len());
    assert!(wrongly_refused.is_empty(), "{} refused though allowed: {wrongly_refused:#?}", wrongly_refused.len());
    bot.finish().await;
}
