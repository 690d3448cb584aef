//! A saved provider's card: never a secret, only its last four characters.

use teloxide::prelude::*;

use crate::bot::screen::{self, Place, Screen};
use teloxide::types::InlineKeyboardMarkup;
use teloxide::utils::html;

use super::{ProviderCb, button};
use crate::bot::{AppBot, Asker, HandlerResult, SharedCtx};
use crate::i18n::{Lang, text, tr, tr_args};
use crate::store::{ProviderSummary, Visibility};

/// The provider's card: never a secret, only its last four characters.
pub(crate) async fn send_card(
    bot: &AppBot,
    chat: ChatId,
    place: Place,
    asker: &Asker,
    ctx: &SharedCtx,
    id: i64,
    lead: Option<String>,
) -> HandlerResult {
    let lang = asker.lang();
    let Some(p) = ctx.providers.get(id).await? else {
        screen::show(bot, chat, place, Screen::plain(tr(lang, "pv-gone"))).await?;
        return Ok(());
    };
    let settings = ctx.providers.settings(id).await?;
    let url = settings.as_ref().and_then(|s| s.base_url.clone());
    let mut lines: Vec<String> = lead.into_iter().map(|lead| format!("{lead}\n")).collect();
    lines.extend([
        tr_args(lang, "pv-card-title", &[("name", text(html::escape(&p.name)))]),
        tr_args(lang, "pv-card-kind", &[("kind", text(tr(lang, p.kind.i18n_key())))]),
        placement(lang, ctx, &p).await?,
    ]);
    if let Some(url) = url {
        lines.push(tr_args(lang, "pv-card-url", &[("url", text(html::escape(&url)))]));
    }
    if let Some(hint) = &p.secret_hint {
        lines.push(tr_args(lang, "pv-card-secret", &[("hint", text(html::escape(hint)))]));
    }
    lines.push(match p.checked_at {
        Some(at) => {
            let local = at.with_timezone(&asker.user.tz).format("%Y-%m-%d %H:%M").to_string();
            tr_args(lang, "pv-card-checked", &[("time", text(local))])
        }
        None => tr(lang, "pv-card-unchecked"),
    });
    let rows = vec![
        vec![button(tr(lang, "pv-button-rename"), ProviderCb::Rename(id))],
        vec![button(tr(lang, "pv-button-replace"), ProviderCb::Replace(id))],
        vec![button(tr(lang, "pv-button-check"), ProviderCb::Check(id))],
        vec![button(tr(lang, "pv-button-delete"), ProviderCb::Delete(id))],
        vec![button(tr(lang, "pv-button-list"), ProviderCb::List)],
    ];
    screen::show(bot, chat, place, Screen::new(lines.join("\n"), InlineKeyboardMarkup::new(rows))).await?;
    Ok(())
}

async fn placement(lang: Lang, ctx: &SharedCtx, p: &ProviderSummary) -> HandlerResult<String> {
    Ok(match (p.visibility, p.host_id) {
        (Visibility::Shared, _) => tr(lang, "pv-card-shared"),
        (Visibility::Host, Some(host)) => {
            let name = ctx.users.get(host).await?.map(|u| u.first_name).unwrap_or_else(|| host.0.to_string());
            tr_args(lang, "pv-card-host", &[("name", text(html::escape(&name)))])
        }
        _ => {
            let name = ctx.users.get(p.owner_id).await?.map(|u| u.first_name).unwrap_or_default();
            tr_args(lang, "pv-card-private", &[("name", text(html::escape(&name)))])
        }
    })
}
