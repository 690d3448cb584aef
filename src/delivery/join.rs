//! Where a listener's Join button leads. Where the service can tell people apart by the link
//! they joined with (Kontur.Talk returns each participant's link parameters), it is the meeting's
//! link with the listener's own token; where the service reports nothing and the bot is
//! reachable (`PUBLIC_URL`), it is the bot's redirect `/j/<token>`, which counts the press; else
//! the meeting's link as it is. Group chats always get the shared link: one button serves all.

use chrono::{DateTime, Utc};
use teloxide::types::UserId;
use url::Url;

use crate::domain::attendance::JoinTokens;
use crate::providers::{ProviderKind, kontur};
use crate::store::attendance::AttendanceStore;
use crate::store::{Event, StoreResult};

/// Turns personal links on; without it every button is the meeting's own link.
#[derive(Clone, Debug)]
pub struct JoinLinks {
    pub tokens: JoinTokens,
    /// The bot's public address, for the redirect; None: presses are not counted.
    pub public_url: Option<Url>,
}

impl JoinLinks {
    /// The redirect's address for a token.
    pub fn redirect_url(public_url: &Url, token: &str) -> String {
        format!("{}/j/{token}", public_url.as_str().trim_end_matches('/'))
    }
}

/// The button's target for `user`; records the token's hash when the bot must recognise it later.
pub(super) async fn target_for(
    links: Option<&JoinLinks>,
    store: &AttendanceStore,
    event: &Event,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<Option<String>> {
    let Some(shared) = event.join_url() else { return Ok(None) };
    let (Some(links), Some(provider)) = (links, event.provider_id) else { return Ok(Some(shared.to_owned())) };
    let Some(reports) = store.provider_reports(provider).await? else { return Ok(Some(shared.to_owned())) };
    let token = links.tokens.token(event.id.0, user.0);
    if reports.kind == ProviderKind::Kontur {
        return Ok(Some(kontur::personal_join_url(shared, &token).unwrap_or_else(|| shared.to_owned())));
    }
    let counts_itself = reports.kind.reports_attendance() && reports.unavailable.is_none();
    match &links.public_url {
        Some(public) if !counts_itself => {
            store.remember_link(&JoinTokens::hash(&token), event.id, user, now).await?;
            Ok(Some(JoinLinks::redirect_url(public, &token)))
        }
        _ => Ok(Some(shared.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redirect_sits_under_the_public_address() {
        let public = Url::parse("https://bot.example.org/base/").unwrap();
        assert_eq!(JoinLinks::redirect_url(&public, "tok"), "https://bot.example.org/base/j/tok");
    }
}
