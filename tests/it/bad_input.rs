//! The catalogue of bad input (issue 8): every dialogue step and command gets forged, empty,
//! oversized, marked-up, emoji, right-to-left, impossible and misplaced input. Each row checks
//! the polite answer in the person's language, then gives the right answer and checks that the
//! dialogue went on. `finish()` then checks that no call broke Telegram's limits.
//!
//! One bot per area; each row has its own person (its own chat), so rows run side by side and
//! none depends on another's outcome or fills one chat's rate limit.

use crate::support;

use futures::future::join_all;
use support::scenario::{event, people};
use support::telegram::{Call, group_chat};
use support::{Clock, TestBot, TgUser};
use teloxide::types::UserId;
use webinar_bot::domain::invite::InviteKind;
use webinar_bot::providers::kontur::KonturSettings;
use webinar_bot::providers::{ProviderSettings, Secret, ServiceSettings};
use webinar_bot::store::providers::{NewProvider, Visibility};

#[derive(Clone, Copy, PartialEq)]
enum Who {
    Listener,
    ListenerEn,
    Teacher,
    Admin,
}

/// One thing the person does.
#[derive(Clone)]
enum Do {
    Text(String),
    Photo,
    /// Presses the button whose label contains this, on the newest message that has one.
    Button(&'static str),
    /// Presses raw callback data under the newest message of the bot in the chat.
    Data(String),
    /// Writes in a group chat the person is in.
    InGroup(String),
}

fn t(text: &str) -> Do {
    Do::Text(text.to_owned())
}

fn b(label: &'static str) -> Do {
    Do::Button(label)
}

/// `n` characters of Cyrillic text.
fn long(n: usize) -> String {
    "я".repeat(n)
}

/// What comes back.
#[derive(Clone, Copy)]
enum Answer {
    /// A message in the private chat, or the answer to the press, containing this.
    Says(&'static str),
    /// A message in the group chat containing this.
    InGroup(&'static str),
    /// Nothing, anywhere.
    Quiet,
}

struct Row {
    name: &'static str,
    who: Who,
    /// The steps to the question under test, each with a fragment of the bot's answer ("" for
    /// a press: its callback answer).
    setup: Vec<(Do, &'static str)>,
    bad: Do,
    answer: Answer,
    /// The right answers afterwards, each with a fragment of what must follow.
    then: Vec<(Do, &'static str)>,
}

fn row(name: &'static str, who: Who, setup: Vec<(Do, &'static str)>, bad: Do, answer: Answer) -> Row {
    Row { name, who, setup, bad, answer, then: Vec::new() }
}

impl Row {
    fn then(mut self, what: Do, expect: &'static str) -> Self {
        self.then.push((what, expect));
        self
    }

    fn then_all(mut self, steps: Vec<(Do, &'static str)>) -> Self {
        self.then.extend(steps);
        self
    }
}

use Answer::{InGroup, Quiet, Says};

/// The world one area's rows run in.
struct World {
    bot: TestBot,
}

impl World {
    async fn start(rows: &[Row], first_id: i64) -> (Self, Vec<TgUser>) {
        let admins: Vec<String> = std::iter::once(support::ADMIN_ID.to_string())
            .chain(
                rows.iter()
                    .enumerate()
                    .filter(|(_, r)| r.who == Who::Admin)
                    .map(|(i, _)| (first_id + i as i64).to_string()),
            )
            .collect();
        let bot = TestBot::start_with(&[("ADMIN_IDS", &admins.join(","))]).await;
        let mut users = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let id = first_id + i as i64;
            let user = if r.who == Who::ListenerEn { TgUser::en(id) } else { TgUser::ru(id) };
            if r.who == Who::Teacher {
                people(&bot, [id]).await;
                bot.ctx().users.promote_to_teacher(UserId(id as u64), bot.clock.now()).await.unwrap();
            }
            users.push(user);
        }
        (Self { bot }, users)
    }

    async fn run_all(&self, rows: &[Row], users: &[TgUser]) {
        join_all(rows.iter().zip(users).enumerate().map(|(i, (r, u))| self.run(r, u, -1_000_000 - i as i64))).await;
    }

    /// The newest message of the bot in the chat with a button labelled `label` (any when empty).
    fn screen(&self, chat: i64, label: &str) -> Call {
        self.bot
            .tg
            .calls()
            .into_iter()
            .rev()
            .filter(|c| c.is_ok() && c.chat_id() == Some(chat) && c.message_id().is_some())
            .filter(|c| c.method != "DeleteMessage")
            .find(|c| label.is_empty() || c.buttons().iter().any(|(l, _)| l.contains(label)))
            .unwrap_or_else(|| panic!("no message with a button {label:?} in chat {chat}"))
    }

    /// Does `what`; returns the mark before it and the callback query id of a press.
    fn act(&self, user: &TgUser, group: i64, what: &Do) -> (usize, Option<String>) {
        let tg = &self.bot.tg;
        let mark = tg.mark();
        let query = match what {
            Do::Text(text) => {
                tg.send_text(user, text);
                None
            }
            Do::Photo => {
                tg.send_photo(user);
                None
            }
            Do::Button(label) => {
                let screen = self.screen(user.id, label);
                Some(tg.press_query(user, screen.message_id().unwrap(), &screen.button_data(label)))
            }
            Do::Data(data) => {
                let screen = self.screen(user.id, "");
                Some(tg.press_query(user, screen.message_id().unwrap(), data))
            }
            Do::InGroup(text) => {
                tg.send_text_in_chat(user, group_chat(group, "Группа №15-ПБ"), text);
                None
            }
        };
        (mark, query)
    }

    /// Waits for an answer to the person (in their chat or to their press) containing `needle`.
    async fn expect(&self, row: &str, user: &TgUser, mark: usize, query: Option<&str>, needle: &'static str) -> Call {
        let what = format!("[{row}] an answer containing {needle:?}");
        self.bot
            .tg
            .wait_for(mark, &what, |c| {
                let ours = c.chat_id() == Some(user.id)
                    || query.is_some_and(|q| c.body.get("callback_query_id").and_then(|v| v.as_str()) == Some(q));
                let ours = ours && c.method != "DeleteMessage";
                ours && c.text().contains(needle)
                    && (!needle.is_empty() || query.is_none() || c.method == "AnswerCallbackQuery")
            })
            .await
    }

    async fn step(&self, row: &str, user: &TgUser, group: i64, what: &Do, needle: &'static str) {
        let (mark, query) = self.act(user, group, what);
        self.expect(row, user, mark, query.as_deref(), needle).await;
    }

    async fn run(&self, r: &Row, user: &TgUser, group: i64) {
        for (what, needle) in &r.setup {
            self.step(r.name, user, group, what, needle).await;
        }
        let (mark, query) = self.act(user, group, &r.bad);
        match r.answer {
            Says(needle) => {
                self.expect(r.name, user, mark, query.as_deref(), needle).await;
            }
            InGroup(needle) => {
                let what = format!("[{}] a group answer containing {needle:?}", r.name);
                self.bot.tg.wait_for(mark, &what, |c| c.chat_id() == Some(group) && c.text().contains(needle)).await;
            }
            Quiet => {
                self.bot.tg.assert_silent_after(mark, group).await;
                self.bot.tg.assert_silent_after(mark, user.id).await;
            }
        }
        for (what, needle) in &r.then {
            self.step(r.name, user, group, what, needle).await;
        }
        // Leave the person idle, whatever the row did.
        self.step(r.name, user, group, &t("/cancel"), "").await;
    }
}

// ---- `/start`, `/tz`, idle chatter, commands in groups, foreign buttons ----

#[tokio::test]
async fn start_links_time_zones_commands_and_foreign_buttons() {
    use Who::*;
    let invalid = "ссылка-приглашение недействительна";
    let help = (t("/help"), "Что я умею");
    let tz = || vec![(t("/tz"), "Сейчас ваш часовой пояс")];
    let tz_bad = "Не знаю такого часового пояса";
    let tz_ok = (t("Europe/Berlin"), "Часовой пояс сохранён");
    let mut rows = vec![
        row("start: forged code", Listener, vec![], t("/start gAAAAAAAAAAAAAAAAAAAAAA"), Says(invalid)),
        row("start: 200 characters", Listener, vec![], t(&format!("/start g{}", "A".repeat(200))), Says(invalid)),
        row("start: markup", Listener, vec![], t("/start <b>&amp;</b> *_["), Says(invalid)),
        row("start: emoji", Listener, vec![], t("/start 🎉🎉"), Says(invalid)),
        row("start: right-to-left", Listener, vec![], t("/start שלום"), Says(invalid)),
        row("start: forged, in English", ListenerEn, vec![], t("/start eZZZZZZZZZZZZZZZZZZZZZZ"), Says("not valid")),
        row("tz: unknown zone", Listener, tz(), t("Mars/Base"), Says(tz_bad)),
        row("tz: emoji", Listener, tz(), t("🕒🌍"), Says(tz_bad)),
        row("tz: right-to-left", Listener, tz(), t("אסיה/ירושלים"), Says(tz_bad)),
        row("tz: 4,097 characters", Listener, tz(), t(&long(4097)), Says(tz_bad)),
        row("tz: markup", Listener, tz(), t("<b>Europe/Moscow</b>"), Says(tz_bad)),
        row("tz: a photo", Listener, tz(), Do::Photo, Says(tz_bad)),
        row("tz: in English", ListenerEn, vec![(t("/tz"), "Your time zone")], t("Nowhere/City"), Says("don't know")),
        row("idle: unknown command", Listener, vec![], t("/frobnicate"), Says("Такой команды я не знаю")),
        row("idle: plain text", Listener, vec![], t("привет"), Says("Я не понял сообщение")),
        row("idle: a photo", Listener, vec![], Do::Photo, Says("Я не понял сообщение")),
        row(
            "idle: a listener asks for /new",
            Listener,
            vec![],
            t("/new"),
            Says("Создавать занятия могут преподаватели"),
        ),
        row("idle: a listener asks for /teachers", Listener, vec![], t("/teachers"), Says("только администраторам")),
        row("group: /tz", Listener, vec![], Do::InGroup("/tz".into()), InGroup("напишите мне в личные сообщения")),
        row("group: /new", Teacher, vec![], Do::InGroup("/new".into()), InGroup("напишите мне в личные сообщения")),
        row("group: /new@bot", Teacher, vec![], Do::InGroup("/new@webinar_test_bot".into()), InGroup("в личные")),
        row(
            "group: /providers",
            Admin,
            vec![],
            Do::InGroup("/providers".into()),
            InGroup("только в личных сообщениях"),
        ),
        row(
            "group: /events",
            Teacher,
            vec![],
            Do::InGroup("/events".into()),
            InGroup("напишите мне в личные сообщения"),
        ),
        row("group: /settings", Listener, vec![], Do::InGroup("/settings".into()), InGroup("в личные сообщения")),
        row("group: /groups", Teacher, vec![], Do::InGroup("/groups".into()), InGroup("в личные сообщения")),
        row("group: unknown command", Listener, vec![], Do::InGroup("/frobnicate".into()), Quiet),
        row("group: another bot's command", Teacher, vec![], Do::InGroup("/new@other_bot".into()), Quiet),
        row("button: foreign data x", Listener, vec![help.clone()], Do::Data("x".into()), Says("Эта кнопка устарела")),
        row("button: 64 bytes of junk", Listener, vec![help.clone()], Do::Data("z".repeat(64)), Says("устарела")),
        row(
            "button: a zone that is not",
            Listener,
            vec![help.clone()],
            Do::Data("tz:Mars/Base".into()),
            Says("устарела"),
        ),
        row(
            "button: leave a foreign group",
            Listener,
            vec![help.clone()],
            Do::Data("lv:G:999".into()),
            Says("не участник"),
        ),
        row(
            "button: a listener opens a group",
            Listener,
            vec![help.clone()],
            Do::Data("gr:o:1".into()),
            Says("ведут преподаватели"),
        ),
        row("button: /new press while idle", Teacher, vec![help.clone()], Do::Data("nw:go".into()), Says("устарела")),
    ];
    for r in rows.iter_mut() {
        if r.name.starts_with("tz") {
            let ok = if r.who == Who::ListenerEn { (t("Europe/Berlin"), "Time zone saved") } else { tz_ok.clone() };
            r.then.push(ok);
        } else if r.name.starts_with("group: /tz") {
            r.then.extend(tz());
            r.then.push(tz_ok.clone());
        } else if r.name.starts_with("group: /new") {
            r.then.push((t("/new"), "Как называется занятие"));
        } else if r.name.starts_with("group: /events") {
            r.then.push((t("/events"), ""));
        } else if r.who == Who::ListenerEn {
            r.then.push((t("/help"), "What I can do"));
        } else {
            r.then.push(help.clone());
        }
    }
    let (world, users) = World::start(&rows, 10_000).await;
    // A real event, so that a listener's press on its teacher button is checked for rights.
    let id = event(&world.bot, "Занятие администратора", chrono::Duration::days(2), &[]).await;
    let listener = TgUser::ru(19_999);
    let mut extra = vec![
        row(
            "button: a listener cancels someone's event",
            Listener,
            vec![help.clone()],
            Do::Data(format!("ev:{id}:cy")),
            Says("вам недоступно"),
        )
        .then(t("/help"), "Что я умею"),
    ];
    let extra_users = vec![listener];
    // Codes that existed: one revoked, one of the wrong kind.
    let ctx = world.bot.ctx();
    let owner = UserId(support::ADMIN_ID as u64);
    people(&world.bot, [support::ADMIN_ID]).await;
    let group = webinar_bot::domain::group::GroupName::parse("Группа №15-ПБ").unwrap();
    let group = ctx.groups.create(owner, &group, world.bot.clock.now()).await.unwrap();
    let revoked = ctx
        .invites
        .create(InviteKind::Group, Some(group.get()), owner, None, None, world.bot.clock.now())
        .await
        .unwrap();
    ctx.invites.revoke_for_target(InviteKind::Group, group.get(), world.bot.clock.now()).await.unwrap();
    let good = ctx
        .invites
        .create(InviteKind::Group, Some(group.get()), owner, None, None, world.bot.clock.now())
        .await
        .unwrap();
    let wrong_kind = format!("t{}", &good.to_string()[1..]);
    extra.push(
        row("start: revoked code", Listener, vec![], t(&format!("/start {revoked}")), Says(invalid))
            .then(t("/help"), "Что я умею"),
    );
    extra.push(
        row(
            "start: a group's code as a teacher's",
            Listener,
            vec![],
            t(&format!("/start {wrong_kind}")),
            Says(invalid),
        )
        .then(t("/help"), "Что я умею"),
    );
    extra.push(
        row(
            "start: a good code in a group chat",
            Listener,
            vec![],
            Do::InGroup(format!("/start {good}")),
            InGroup(invalid),
        )
        .then(t(&format!("/start {good}")), "Группа №15-ПБ"),
    );
    let extra_users: Vec<TgUser> = extra_users.into_iter().chain((0..3).map(|i| TgUser::ru(19_990 + i))).collect();
    world.run_all(&rows, &users).await;
    world.run_all(&extra, &extra_users).await;
    assert!(rows.len() + extra.len() >= 37);
    world.bot.finish().await;
}

// ---- `/new`, step by step ----

fn to_title() -> Vec<(Do, &'static str)> {
    vec![(t("/new"), "Как называется занятие")]
}

fn to_provider() -> Vec<(Do, &'static str)> {
    let mut steps = to_title();
    steps.push((t("Вебинар"), "Где провести встречу"));
    steps
}

fn to_date() -> Vec<(Do, &'static str)> {
    let mut steps = to_provider();
    steps.push((b("Jitsi"), "Какого числа"));
    steps
}

fn to_time() -> Vec<(Do, &'static str)> {
    let mut steps = to_date();
    steps.push((t("25.12"), "Во сколько начало"));
    steps
}

fn to_duration() -> Vec<(Do, &'static str)> {
    let mut steps = to_time();
    steps.push((t("18:30"), "Сколько длится"));
    steps
}

fn to_repeat() -> Vec<(Do, &'static str)> {
    let mut steps = to_duration();
    steps.push((t("90"), "повторяется"));
    steps
}

fn to_repeat_end() -> Vec<(Do, &'static str)> {
    let mut steps = to_repeat();
    steps.push((b("Каждый день"), "Сколько всего занятий"));
    steps
}

fn to_description() -> Vec<(Do, &'static str)> {
    let mut steps = to_duration();
    steps.extend([(t("90"), "повторяется"), (b("Не повторять"), "Добавьте описание")]);
    steps
}

/// From the reminders question to the summary, which must show `needle`.
fn reminders_to_summary(needle: &'static str) -> Vec<(Do, &'static str)> {
    // Without groups, the event's own link is ticked already.
    vec![(b("Готово"), "Кого пригласить"), (b("Готово"), needle)]
}

/// From an accepted title to the summary, which must show `needle`.
fn title_to_summary(needle: &'static str) -> Vec<(Do, &'static str)> {
    let mut steps = vec![
        (b("Jitsi"), "Какого числа"),
        (t("01.12.2026 18:30"), "Сколько длится"),
        (b("1 час 30 минут"), "повторяется"),
        (b("Не повторять"), "Добавьте описание"),
        (b("Пропустить"), "Когда напомнить"),
    ];
    steps.extend(reminders_to_summary(needle));
    steps
}

fn berlin(mut steps: Vec<(Do, &'static str)>) -> Vec<(Do, &'static str)> {
    steps.splice(0..0, [(t("/tz"), "Сейчас ваш часовой пояс"), (t("Europe/Berlin"), "Часовой пояс сохранён")]);
    steps
}

fn to_host_email() -> Vec<(Do, &'static str)> {
    let mut steps = to_provider();
    steps.extend([
        (b("Толк школы"), "Какого числа"),
        (t("25.12.2026 18:30"), "Сколько длится"),
        (t("90"), "повторяется"),
        (b("Не повторять"), "Добавьте описание"),
        (b("Пропустить"), "e-mail ведущего"),
    ]);
    steps
}

fn to_external_link() -> Vec<(Do, &'static str)> {
    let mut steps = to_provider();
    steps.push((b("Своя ссылка"), "ссылку на встречу"));
    steps
}

async fn shared_provider(bot: &TestBot, name: &str, service: ServiceSettings) {
    people(bot, [support::ADMIN_ID]).await;
    let settings = ProviderSettings::new(service);
    let new = NewProvider {
        name,
        owner: UserId(support::ADMIN_ID as u64),
        visibility: Visibility::Shared,
        host: None,
        settings: &settings,
        checked_at: None,
    };
    bot.ctx().providers.create(&new, bot.clock.now()).await.unwrap();
}

#[tokio::test]
async fn every_step_of_new_explains_bad_answers_and_goes_on() {
    use Who::Teacher;
    let title_ok = (t("Вебинар"), "Где провести встречу");
    let date_ok = (t("25.12"), "Во сколько начало");
    let time_ok = (t("18:30"), "Сколько длится");
    let duration_ok = (t("90"), "повторяется");
    let text_please = "Пришлите ответ текстом";
    let buttons_please = "Выберите вариант кнопкой";
    let stale = "Эта кнопка устарела";
    let rows = vec![
        row("title: blank", Teacher, to_title(), t("   "), Says("Название не может быть пустым"))
            .then(title_ok.0.clone(), title_ok.1),
        row("title: 4,097 characters", Teacher, to_title(), t(&long(4097)), Says("Название слишком длинное"))
            .then(title_ok.0.clone(), title_ok.1),
        row("title: two lines", Teacher, to_title(), t("Налоги\nи вычеты"), Says("одну строку"))
            .then(title_ok.0.clone(), title_ok.1),
        row("title: a photo", Teacher, to_title(), Do::Photo, Says(text_please)).then(title_ok.0.clone(), title_ok.1),
        row("title: an unknown command", Teacher, to_title(), t("/frobnicate"), Says(text_please))
            .then(title_ok.0.clone(), title_ok.1),
        row("title: HTML", Teacher, to_title(), t("<b>Налоги</b> & <i>вычеты</i>"), Says("Где провести встречу"))
            .then_all(title_to_summary("&lt;b&gt;Налоги&lt;/b&gt; &amp; &lt;i&gt;вычеты&lt;/i&gt;")),
        row(
            "title: Markdown",
            Teacher,
            to_title(),
            t("*жирный* _курсив_ [ссылка](http://x.ru) `код`"),
            Says("Где провести встречу"),
        )
        .then_all(title_to_summary("*жирный* _курсив_ [ссылка](http://x.ru) `код`")),
        row("title: emoji", Teacher, to_title(), t("🎓 Python для всех 🐍"), Says("Где провести встречу"))
            .then_all(title_to_summary("🎓 Python для всех 🐍")),
        row("title: right-to-left", Teacher, to_title(), t("שיעור פייתון"), Says("Где провести встречу"))
            .then_all(title_to_summary("שיעור פייתון")),
        row("provider: typed instead of pressed", Teacher, to_provider(), t("Jitsi"), Says(buttons_please))
            .then(b("Jitsi"), "Какого числа"),
        row("provider: a photo", Teacher, to_provider(), Do::Photo, Says(buttons_please))
            .then(b("Jitsi"), "Какого числа"),
        // The guard's refusal: the provider is not one the asker may use (it may not exist).
        row("provider: a forged provider", Teacher, to_provider(), Do::Data("nw:p:999999".into()), Says("недоступно"))
            .then(b("Jitsi"), "Какого числа"),
        row("date: 31.02", Teacher, to_date(), t("31.02"), Says("нет в календаре")).then(date_ok.0.clone(), date_ok.1),
        row("date: 24:00 for a date", Teacher, to_date(), t("24:00"), Says("Часа 24 не бывает"))
            .then(date_ok.0.clone(), date_ok.1),
        row("date: 00.13", Teacher, to_date(), t("00.13"), Says("Месяца с номером 13 нет"))
            .then(date_ok.0.clone(), date_ok.1),
        row("date: far past", Teacher, to_date(), t("01.01.2020"), Says("прош")).then(date_ok.0.clone(), date_ok.1),
        row("date: 29.02.2027", Teacher, to_date(), t("29.02.2027"), Says("нет в календаре"))
            .then(date_ok.0.clone(), date_ok.1),
        row("date: nonsense", Teacher, to_date(), t("абракадабра"), Says("Не удалось распознать"))
            .then(date_ok.0.clone(), date_ok.1),
        row("date: 4,097 characters", Teacher, to_date(), t(&long(4097)), Says("слишком длинно"))
            .then(date_ok.0.clone(), date_ok.1),
        row("date: with 24:00", Teacher, to_date(), t("25.12.2026 24:00"), Says("Часа 24 не бывает"))
            .then(date_ok.0.clone(), date_ok.1),
        row("date: emoji", Teacher, to_date(), t("📅 25.12"), Says("Не удалось распознать"))
            .then(date_ok.0.clone(), date_ok.1),
        row("date: a photo", Teacher, to_date(), Do::Photo, Says(text_please)).then(date_ok.0.clone(), date_ok.1),
        row("date: a forged past day", Teacher, to_date(), Do::Data("nw:d:20200101".into()), Says(stale))
            .then(date_ok.0.clone(), date_ok.1),
        row("date: a forged month", Teacher, to_date(), Do::Data("nw:m:ab€c".into()), Says(stale))
            .then(date_ok.0.clone(), date_ok.1),
        row("date: into the spring gap", Teacher, berlin(to_date()), t("28.03.2027 02:30"), Says("не наступит"))
            .then(t("28.03.2027 10:00"), "Сколько длится"),
        row("time: 24:00", Teacher, to_time(), t("24:00"), Says("Часа 24 не бывает"))
            .then(time_ok.0.clone(), time_ok.1),
        row("time: 12:60", Teacher, to_time(), t("12:60"), Says("Минуты 60 не бывает"))
            .then(time_ok.0.clone(), time_ok.1),
        row("time: -1", Teacher, to_time(), t("-1"), Says("Не удалось распознать время"))
            .then(time_ok.0.clone(), time_ok.1),
        row("time: a photo", Teacher, to_time(), Do::Photo, Says(text_please)).then(time_ok.0.clone(), time_ok.1),
        row(
            "time: the spring gap in Berlin",
            Teacher,
            berlin([to_date(), vec![(t("28.03.2027"), "Во сколько начало")]].concat()),
            t("02:30"),
            Says("не наступит"),
        )
        .then(t("03:30"), "Сколько длится"),
        row(
            "time: the autumn overlap in Berlin",
            Teacher,
            berlin([to_date(), vec![(t("31.10.2027"), "Во сколько начало")]].concat()),
            t("02:30"),
            Says("наступит дважды"),
        )
        .then(t("04:00"), "Сколько длится"),
        row("repeat: typed instead of pressed", Teacher, to_repeat(), t("каждую неделю"), Says(buttons_please))
            .then(b("Не повторять"), "Добавьте описание"),
        row("repeat end: 60 classes", Teacher, to_repeat_end(), t("60"), Says("от 2 до 50"))
            .then(t("5"), "Добавьте описание"),
        row("repeat end: before the first class", Teacher, to_repeat_end(), t("01.01.2026"), Says("раньше первого"))
            .then(t("5"), "Добавьте описание"),
        row("repeat end: nonsense", Teacher, to_repeat_end(), t("когда-нибудь"), Says("Не удалось распознать"))
            .then(t("31.12.2026"), "Добавьте описание"),
        row("duration: 0", Teacher, to_duration(), t("0"), Says("не может быть короче"))
            .then(duration_ok.0.clone(), duration_ok.1),
        row("duration: 100000", Teacher, to_duration(), t("100000"), Says("не может быть длиннее"))
            .then(duration_ok.0.clone(), duration_ok.1),
        row("duration: abc", Teacher, to_duration(), t("abc"), Says("Не удалось распознать длительность"))
            .then(duration_ok.0.clone(), duration_ok.1),
        row("duration: a forged button", Teacher, to_duration(), Do::Data("nw:u:7".into()), Says(stale))
            .then(duration_ok.0.clone(), duration_ok.1),
        row(
            "description: 4,097 characters",
            Teacher,
            to_description(),
            t(&long(4097)),
            Says("Описание слишком длинное"),
        )
        .then(t("Тема: дроби"), "Когда напомнить"),
        row("description: a photo", Teacher, to_description(), Do::Photo, Says(text_please))
            .then(t("Тема: дроби"), "Когда напомнить"),
        row(
            "description: HTML",
            Teacher,
            to_description(),
            t("<script>alert(1)</script> & co"),
            Says("Когда напомнить"),
        )
        .then_all(reminders_to_summary("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co")),
        row(
            "reminders: typed instead of pressed",
            Teacher,
            [to_description(), vec![(b("Пропустить"), "Когда напомнить")]].concat(),
            t("за час"),
            Says(buttons_please),
        )
        .then(b("Готово"), "Кого пригласить"),
        row(
            "audience: done with nobody",
            Teacher,
            [
                to_description(),
                vec![
                    (b("Пропустить"), "Когда напомнить"),
                    (b("Готово"), "Кого пригласить"),
                    (b("Ссылка-приглашение"), ""),
                ],
            ]
            .concat(),
            b("Готово"),
            Says("хотя бы одну"),
        )
        .then(b("Ссылка-приглашение"), "")
        .then(b("Готово"), "Проверьте занятие"),
        row(
            "stale: Cancel of a cancelled /new",
            Teacher,
            [to_title(), vec![(t("/cancel"), "Отменено")]].concat(),
            b("Отмена"),
            Says(stale),
        )
        .then(t("/new"), "Как называется занятие"),
        row(
            "stale: a date button of a cancelled /new",
            Teacher,
            [to_date(), vec![(t("/cancel"), "Отменено")]].concat(),
            b("Отмена"),
            Says(stale),
        )
        .then(t("/new"), "Как называется занятие"),
        row("host e-mail: no @", Teacher, to_host_email(), t("ivanov"), Says("не похоже на адрес"))
            .then(t("ivanov@school.ru"), "Когда напомнить"),
        row("host e-mail: no dot", Teacher, to_host_email(), t("ivanov@school"), Says("не похоже на адрес"))
            .then(t("ivanov@school.ru"), "Когда напомнить"),
        row("host e-mail: brackets", Teacher, to_host_email(), t("<ivanov@school.ru>"), Says("не похоже на адрес"))
            .then(t("ivanov@school.ru"), "Когда напомнить"),
        row("host e-mail: a space", Teacher, to_host_email(), t("a b@school.ru"), Says("не похоже на адрес"))
            .then(t("ivanov@school.ru"), "Когда напомнить"),
        row("link: http://", Teacher, to_external_link(), t("http://meet.example.com/x"), Says("не похоже на ссылку"))
            .then(t("https://meet.example.com/x"), "Какого числа"),
        row("link: javascript:", Teacher, to_external_link(), t("javascript:alert(1)"), Says("не похоже на ссылку"))
            .then(t("https://meet.example.com/x"), "Какого числа"),
        row("link: no host", Teacher, to_external_link(), t("https://"), Says("не похоже на ссылку"))
            .then(t("https://meet.example.com/x"), "Какого числа"),
    ];
    let (world, users) = World::start(&rows, 20_000).await;
    shared_provider(
        &world.bot,
        "Толк школы",
        ServiceSettings::Kontur(KonturSettings {
            space: "uchi".into(),
            api_key: Secret::new("kontur-API-key-1q2w3e4r5t"),
            anonymous_access: None,
            host_email: None,
        }),
    )
    .await;
    shared_provider(&world.bot, "Своя ссылка", ServiceSettings::External).await;
    world.run_all(&rows, &users).await;
    world.bot.finish().await;
}

// ---- `/providers`, `/groups`, `/settings` ----

fn to_provider_kinds() -> Vec<(Do, &'static str)> {
    vec![(t("/providers"), ""), (b("Подключить"), "Выберите сервис")]
}

fn to_jitsi_name() -> Vec<(Do, &'static str)> {
    let mut steps = to_provider_kinds();
    steps.extend([(b("Jitsi"), "Пришлите домен своего сервера"), (b("meet.jit.si"), "Как назвать провайдера")]);
    steps
}

const MTS_KEY: &str = "mts-link-API-key-0p9o8i7u";

fn to_mts_key() -> Vec<(Do, &'static str)> {
    let mut steps = to_provider_kinds();
    steps.push((b("МТС"), "Пришлите <b>API-ключ</b>"));
    steps
}

fn to_mts_url() -> Vec<(Do, &'static str)> {
    let mut steps = to_mts_key();
    steps.extend([(t(MTS_KEY), "Принято"), (t("МТС школы"), "Ссылка на сервис провайдера")]);
    steps
}

fn to_group_name() -> Vec<(Do, &'static str)> {
    vec![(t("/groups"), ""), (b("Создать группу"), "Напишите название группы")]
}

fn to_full_name() -> Vec<(Do, &'static str)> {
    vec![(t("/settings"), ""), (b("Фамилия"), "Напишите фамилию")]
}

fn to_organisation() -> Vec<(Do, &'static str)> {
    vec![(t("/settings"), ""), (b("Организация"), "Напишите название организации")]
}

#[tokio::test]
async fn providers_groups_and_profiles_explain_bad_answers_and_go_on() {
    use Who::*;
    let name_ok = (t("Свой Jitsi"), "Кому будет доступен");
    let group_ok = (t("Группа А"), "создана");
    let full_name_ok = (t("Иванов Иван Иванович"), "Фамилия, имя и отчество сохранены");
    let rows = vec![
        row("provider name: 65 characters", Admin, to_jitsi_name(), t(&long(65)), Says("от 1 до 64"))
            .then(name_ok.0.clone(), name_ok.1),
        row("provider name: two lines", Admin, to_jitsi_name(), t("Свой\nJitsi"), Says("от 1 до 64"))
            .then(name_ok.0.clone(), name_ok.1),
        row("provider name: a photo", Admin, to_jitsi_name(), Do::Photo, Says("Пришлите ответ текстом"))
            .then(name_ok.0.clone(), name_ok.1),
        row("provider name: HTML", Admin, to_jitsi_name(), t("<b>Jitsi</b> & Co"), Says("Кому будет доступен")),
        row(
            "provider placement: typed",
            Admin,
            [to_jitsi_name(), vec![name_ok.clone()]].concat(),
            t("всем"),
            Says("Выберите вариант кнопкой"),
        )
        .then(b("Назад"), "Как назвать провайдера"),
        row(
            "jitsi domain: not a domain",
            Admin,
            [to_provider_kinds(), vec![(b("Jitsi"), "Пришлите домен своего сервера")]].concat(),
            t("not a domain!"),
            Says("не похоже на домен"),
        )
        .then(t("jitsi.example.ru"), "Как назвать провайдера"),
        row(
            "jitsi domain: emoji",
            Admin,
            [to_provider_kinds(), vec![(b("Jitsi"), "Пришлите домен своего сервера")]].concat(),
            t("🎥.рф"),
            Says("не похоже на домен"),
        )
        .then(t("jitsi.example.ru"), "Как назвать провайдера"),
        row("mts key: with spaces", Admin, to_mts_key(), t("mts key with spaces"), Says("без пробелов"))
            .then(t(MTS_KEY), "Принято"),
        row("mts key: sent in a group chat", Admin, to_mts_key(), Do::InGroup(MTS_KEY.into()), Quiet)
            .then(t(MTS_KEY), "Принято"),
        row("service url: ftp", Admin, to_mts_url(), t("ftp://example.com"), Says("https://"))
            .then(b("Пропустить"), "Кому будет доступен"),
        row("service url: javascript:", Admin, to_mts_url(), t("javascript:alert(1)"), Says("https://"))
            .then(b("Пропустить"), "Кому будет доступен"),
        row("group name: blank", Teacher, to_group_name(), t("   "), Says("Текст пустой"))
            .then(group_ok.0.clone(), group_ok.1),
        row("group name: 101 characters", Teacher, to_group_name(), t(&long(101)), Says("Слишком длинно"))
            .then(group_ok.0.clone(), group_ok.1),
        row("group name: two lines", Teacher, to_group_name(), t("Группа\nА"), Says("в одну строку"))
            .then(group_ok.0.clone(), group_ok.1),
        row("group name: a photo", Teacher, to_group_name(), Do::Photo, Says("Пришлите, пожалуйста, текст"))
            .then(group_ok.0.clone(), group_ok.1),
        row("group name: a command", Teacher, to_group_name(), t("/frobnicate"), Says("похоже на команду"))
            .then(group_ok.0.clone(), group_ok.1),
        row(
            "group name: HTML",
            Teacher,
            to_group_name(),
            t("<b>Группа</b> & Co"),
            Says("&lt;b&gt;Группа&lt;/b&gt; &amp; Co"),
        ),
        row("group name: emoji and right-to-left", Teacher, to_group_name(), t("🎓 קבוצה"), Says("🎓 קבוצה")),
        row("full name: 151 characters", Listener, to_full_name(), t(&long(151)), Says("Слишком длинно"))
            .then(full_name_ok.0.clone(), full_name_ok.1),
        row("full name: two lines", Listener, to_full_name(), t("Иванов\nИван"), Says("в одну строку"))
            .then(full_name_ok.0.clone(), full_name_ok.1),
        row("full name: a photo", Listener, to_full_name(), Do::Photo, Says("Пришлите, пожалуйста, текст"))
            .then(full_name_ok.0.clone(), full_name_ok.1),
        row(
            "full name: HTML",
            Listener,
            to_full_name(),
            t("<i>Иванов</i> & сын"),
            Says("&lt;i&gt;Иванов&lt;/i&gt; &amp; сын"),
        ),
        row(
            "full name: in English",
            ListenerEn,
            vec![(t("/settings"), ""), (b("name"), "")],
            t(&long(151)),
            Says("Too long"),
        )
        .then(t("John Smith"), "John Smith"),
        row("organisation: 201 characters", Listener, to_organisation(), t(&long(201)), Says("Слишком длинно"))
            .then(t("ООО «Ромашка»"), "Организация сохранена"),
        row("organisation: blank", Listener, to_organisation(), t("  "), Says("Текст пустой"))
            .then(t("ООО «Ромашка»"), "Организация сохранена"),
    ];
    let (world, users) = World::start(&rows, 30_000).await;
    world.run_all(&rows, &users).await;
    world.bot.finish().await;
}
