//! Attendance: who came to a class and for how long.
//!
//! A service's report lists participants, each with the times they were in the meeting. The bot
//! matches them to the listeners it invited in a fixed order of certainty (the personal link's
//! token, the service's registrant id, the e-mail, the full name) and never guesses past that:
//! whoever matches nobody is listed as unmatched for the teacher to read.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// One stay in the meeting: from joining to leaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay {
    pub joined: DateTime<Utc>,
    pub left: DateTime<Utc>,
}

/// A participant as a service's report gives them. A person who joined twice may come as one
/// participant with two stays or as two participants with the same keys: matching merges both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Participant {
    /// The display name the person used in the meeting.
    pub name: String,
    pub email: Option<String>,
    /// Zoom's registrant id, when the meeting had registration.
    pub registrant_id: Option<String>,
    /// The token of the personal link the person joined by (Kontur.Talk's `urlParams`).
    pub token: Option<String>,
    pub stays: Vec<Stay>,
}

/// What a service said when asked for a class's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportFetch {
    Ready(Vec<Participant>),
    /// Reports appear some time after a class ends: ask again later.
    NotReady,
    /// This account will never give reports; asking for every class would only repeat the error.
    Unavailable(Unavailable),
}

/// Why a service gives no reports. Each has a text in `locales/*/attendance.ftl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// The plan has no reports (Zoom's reports need a paid plan).
    Plan,
    /// The credentials lack the permission to read reports.
    Permission,
    /// The service has no report API (Telemost, Jitsi Meet, an external link).
    NoApi,
}

impl Unavailable {
    pub fn code(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::Permission => "permission",
            Self::NoApi => "no_api",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Plan, Self::Permission, Self::NoApi].into_iter().find(|u| u.code() == code)
    }

    pub fn i18n_key(self) -> &'static str {
        match self {
            Self::Plan => "attendance-unavailable-plan",
            Self::Permission => "attendance-unavailable-permission",
            Self::NoApi => "attendance-unavailable-no-api",
        }
    }
}

/// An invited listener, with what the bot knows that a report may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub user: u64,
    /// The token of the listener's personal link, if they were given one.
    pub token: Option<String>,
    pub registrant_id: Option<String>,
    pub email: Option<String>,
    /// The full name the listener gave at their first join.
    pub full_name: Option<String>,
}

/// How a participant was recognised, most certain first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchedBy {
    Token,
    Registrant,
    Email,
    Name,
}

impl MatchedBy {
    pub fn code(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Registrant => "registrant",
            Self::Email => "email",
            Self::Name => "name",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Token, Self::Registrant, Self::Email, Self::Name].into_iter().find(|m| m.code() == code)
    }
}

/// A listener found in the report, with every stay of theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub user: u64,
    pub by: MatchedBy,
    pub name: String,
    pub stays: Vec<Stay>,
}

/// A participant nobody matched, with their stays merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub name: String,
    pub email: Option<String>,
    pub stays: Vec<Stay>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matching {
    /// By user id, each listener once.
    pub matched: Vec<Matched>,
    pub unmatched: Vec<Unmatched>,
}

/// Matches a report's participants to the listeners. Each participant is tried against every
/// key in turn; a name shared by two listeners names neither, since the report cannot say which.
pub fn match_participants(listeners: &[Listener], participants: Vec<Participant>) -> Matching {
    let by_token = index(listeners, |l| l.token.clone());
    let by_registrant = index(listeners, |l| l.registrant_id.clone());
    let by_email = index(listeners, |l| l.email.as_deref().map(normalise_email));
    let by_name = index(listeners, |l| l.full_name.as_deref().map(normalise_name).filter(|n| !n.is_empty()));

    let mut matched: Vec<Matched> = Vec::new();
    let mut unmatched: Vec<Unmatched> = Vec::new();
    for participant in participants {
        let found = lookup(&by_token, participant.token.clone(), MatchedBy::Token)
            .or_else(|| lookup(&by_registrant, participant.registrant_id.clone(), MatchedBy::Registrant))
            .or_else(|| lookup(&by_email, participant.email.as_deref().map(normalise_email), MatchedBy::Email))
            .or_else(|| lookup(&by_name, Some(normalise_name(&participant.name)), MatchedBy::Name));
        match found {
            Some((user, by)) => match matched.iter_mut().find(|m| m.user == user) {
                Some(known) => {
                    known.stays.extend(participant.stays);
                    known.by = known.by.min(by);
                }
                None => matched.push(Matched { user, by, name: participant.name, stays: participant.stays }),
            },
            None => {
                let key = normalise_name(&participant.name);
                match unmatched.iter_mut().find(|u| normalise_name(&u.name) == key && u.email == participant.email) {
                    Some(known) => known.stays.extend(participant.stays),
                    None => unmatched.push(Unmatched {
                        name: participant.name,
                        email: participant.email,
                        stays: participant.stays,
                    }),
                }
            }
        }
    }
    for stays in matched.iter_mut().map(|m| &mut m.stays).chain(unmatched.iter_mut().map(|u| &mut u.stays)) {
        stays.sort_by_key(|s| s.joined);
    }
    Matching { matched, unmatched }
}

/// Key → the one listener holding it; a key two listeners hold maps to `None`.
fn index(listeners: &[Listener], key: impl Fn(&Listener) -> Option<String>) -> HashMap<String, Option<u64>> {
    let mut map: HashMap<String, Option<u64>> = HashMap::new();
    for listener in listeners {
        if let Some(k) = key(listener) {
            map.entry(k).and_modify(|holder| *holder = None).or_insert(Some(listener.user));
        }
    }
    map
}

fn lookup(map: &HashMap<String, Option<u64>>, key: Option<String>, by: MatchedBy) -> Option<(u64, MatchedBy)> {
    map.get(&key?).copied().flatten().map(|user| (user, by))
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A name as matching compares it: lower case, ё read as е, punctuation as spaces, the words in
/// alphabetical order (a report may say "Иванов Иван" for "Иван Иванов").
pub fn normalise_name(name: &str) -> String {
    let folded: String = name
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    words.sort_unstable();
    words.join(" ")
}

/// How long and how fully a listener was in a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    /// Minutes in the meeting, overlapping stays counted once.
    pub minutes: u32,
    pub joined_late: bool,
    pub left_early: bool,
}

/// Later than this after the start is "joined late"; earlier than this before the end is "left
/// early". A class's first and last minutes are for settling in and saying goodbye.
pub const GRACE: Duration = Duration::minutes(5);

/// The presence that `stays` make of a class running from `start` to `end`.
pub fn presence(stays: &[Stay], start: DateTime<Utc>, end: DateTime<Utc>) -> Presence {
    let mut sorted: Vec<Stay> = stays.iter().copied().filter(|s| s.left > s.joined).collect();
    sorted.sort_by_key(|s| s.joined);
    let mut seconds = 0i64;
    let mut covered_to: Option<DateTime<Utc>> = None;
    for stay in &sorted {
        let from = covered_to.map_or(stay.joined, |c| c.max(stay.joined));
        if stay.left > from {
            seconds += (stay.left - from).num_seconds();
        }
        covered_to = Some(covered_to.map_or(stay.left, |c| c.max(stay.left)));
    }
    let first = sorted.first().map(|s| s.joined);
    let last = covered_to;
    Presence {
        minutes: u32::try_from((seconds + 30) / 60).unwrap_or(u32::MAX),
        joined_late: first.is_some_and(|f| f > start + GRACE),
        left_early: last.is_some_and(|l| l < end - GRACE),
    }
}

/// The tokens of personal join links: the first 128 bits of an HMAC over the class and the
/// listener, in URL-safe base64 (22 characters). Derived, never stored: the database keeps only
/// their SHA-256, so a copy of it can forge no press.
#[derive(Clone)]
pub struct JoinTokens {
    key: [u8; 32],
}

impl std::fmt::Debug for JoinTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JoinTokens(<redacted>)")
    }
}

/// The length of a token: anything else is refused before the database is asked.
pub const TOKEN_CHARS: usize = 22;

impl JoinTokens {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    pub fn token(&self, event: i64, user: u64) -> String {
        use base64::Engine;
        use hmac::Mac;
        let mut mac =
            <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(format!("join:{event}:{user}").as_bytes());
        let digest = mac.finalize().into_bytes();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    }

    /// What the database keeps of a token.
    pub fn hash(token: &str) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether `text` could be a token at all.
    pub fn well_formed(text: &str) -> bool {
        text.len() == TOKEN_CHARS && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

/// The share of classes a listener attended, in whole per cent.
pub fn share_percent(attended: usize, classes: usize) -> u32 {
    if classes == 0 {
        return 0;
    }
    u32::try_from((attended * 100 + classes / 2) / classes).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
    }

    fn stay(from: (u32, u32), to: (u32, u32)) -> Stay {
        Stay { joined: at(from.0, from.1), left: at(to.0, to.1) }
    }

    fn listener(user: u64, name: &str) -> Listener {
        Listener { user, token: None, registrant_id: None, email: None, full_name: Some(name.to_owned()) }
    }

    fn participant(name: &str) -> Participant {
        Participant { name: name.to_owned(), stays: vec![stay((10, 0), (11, 0))], ..Default::default() }
    }

    #[test]
    fn names_match_whatever_the_case_the_letter_yo_and_the_word_order() {
        assert_eq!(normalise_name("Фёдор  ИВАНОВ"), normalise_name("иванов федор"));
        assert_eq!(normalise_name(" Anna-Maria Smith "), "anna maria smith");
        assert_ne!(normalise_name("Иван Иванов"), normalise_name("Иван Петров"));
    }

    #[test]
    fn the_token_wins_over_a_name_that_names_somebody_else() {
        let mut first = listener(1, "Анна Петрова");
        first.token = Some("t1".into());
        let second = listener(2, "Мария Сидорова");
        let mut p = participant("Мария Сидорова");
        p.token = Some("t1".into());
        let m = match_participants(&[first, second], vec![p]);
        assert_eq!(m.matched.len(), 1);
        assert_eq!((m.matched[0].user, m.matched[0].by), (1, MatchedBy::Token));
    }

    #[test]
    fn registrant_then_email_then_name() {
        let mut a = listener(1, "A One");
        a.registrant_id = Some("reg-1".into());
        let mut b = listener(2, "B Two");
        b.email = Some("b@example.org".into());
        let c = listener(3, "C Three");
        let mut pa = participant("someone");
        pa.registrant_id = Some("reg-1".into());
        let mut pb = participant("nickname");
        pb.email = Some(" B@Example.org".into());
        let pc = participant("three c");
        let m = match_participants(&[a, b, c], vec![pa, pb, pc]);
        let got: Vec<_> = m.matched.iter().map(|x| (x.user, x.by)).collect();
        assert_eq!(got, [(1, MatchedBy::Registrant), (2, MatchedBy::Email), (3, MatchedBy::Name)]);
        assert!(m.unmatched.is_empty());
    }

    #[test]
    fn a_name_two_listeners_share_matches_neither_and_is_listed_unmatched() {
        let m = match_participants(
            &[listener(1, "Иван Иванов"), listener(2, "Иванов Иван")],
            vec![participant("Иван Иванов")],
        );
        assert!(m.matched.is_empty());
        assert_eq!(m.unmatched.len(), 1);
    }

    #[test]
    fn a_participant_who_joined_twice_is_one_listener_with_two_stays() {
        let mut first = participant("Иван Иванов");
        first.stays = vec![stay((10, 30), (10, 50))];
        let mut second = participant("ИВАНОВ иван");
        second.stays = vec![stay((10, 0), (10, 20))];
        let m = match_participants(&[listener(1, "Иван Иванов")], vec![first, second]);
        assert_eq!(m.matched.len(), 1);
        assert_eq!(m.matched[0].stays, [stay((10, 0), (10, 20)), stay((10, 30), (10, 50))]);
    }

    #[test]
    fn strangers_who_rejoined_are_one_unmatched_row() {
        let m = match_participants(&[], vec![participant("Гость"), participant("гость")]);
        assert_eq!(m.unmatched.len(), 1);
        assert_eq!(m.unmatched[0].stays.len(), 2);
    }

    #[test]
    fn presence_counts_overlaps_once_and_flags_late_and_early() {
        let (start, end) = (at(10, 0), at(11, 0));
        let whole = presence(&[stay((9, 58), (11, 1))], start, end);
        assert_eq!(whole, Presence { minutes: 63, joined_late: false, left_early: false });
        let twice = presence(&[stay((10, 10), (10, 40)), stay((10, 30), (10, 45))], start, end);
        assert_eq!(twice, Presence { minutes: 35, joined_late: true, left_early: true });
        let within_grace = presence(&[stay((10, 5), (10, 55))], start, end);
        assert!(!within_grace.joined_late && !within_grace.left_early);
    }

    #[test]
    fn shares_round_to_whole_percent() {
        assert_eq!(share_percent(2, 3), 67);
        assert_eq!(share_percent(0, 0), 0);
        assert_eq!(share_percent(3, 3), 100);
    }

    #[test]
    fn tokens_differ_per_class_and_listener_and_are_well_formed() {
        let tokens = JoinTokens::new([7; 32]);
        let a = tokens.token(1, 2);
        assert!(JoinTokens::well_formed(&a), "{a}");
        assert_eq!(a, tokens.token(1, 2));
        assert_ne!(a, tokens.token(1, 3));
        assert_ne!(a, tokens.token(2, 2));
        assert_ne!(a, JoinTokens::new([8; 32]).token(1, 2));
        assert_eq!(JoinTokens::hash(&a).len(), 64);
        assert!(!JoinTokens::well_formed("short"));
        assert!(!JoinTokens::well_formed(&format!("{}!", &a[..21])));
    }

    #[test]
    fn codes_round_trip() {
        for by in [MatchedBy::Token, MatchedBy::Registrant, MatchedBy::Email, MatchedBy::Name] {
            assert_eq!(MatchedBy::from_code(by.code()), Some(by));
        }
        for u in [Unavailable::Plan, Unavailable::Permission, Unavailable::NoApi] {
            assert_eq!(Unavailable::from_code(u.code()), Some(u));
        }
    }
}
