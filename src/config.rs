//! Configuration from the environment (and an optional `.env`), validated once at start.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use chrono_tz::Tz;
use teloxide::types::UserId;
use url::Url;

use crate::i18n::Lang;

/// A configuration value that is missing or does not parse; names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

impl ConfigError {
    pub fn new(var: &'static str, reason: impl Into<String>) -> Self {
        Self { var, reason: reason.into() }
    }
}

#[derive(Clone)]
pub struct Config {
    pub token: String,
    pub database_url: String,
    /// Where the SQLite file (by default) and the generated secret key live.
    pub data_dir: PathBuf,
    pub admin_ids: Vec<UserId>,
    pub default_timezone: Tz,
    pub default_language: Lang,
    pub secret_key: Option<String>,
    pub api_url: Option<Url>,
    /// Messages a second the bot may send overall: Telegram's free limit is about 30; paid
    /// broadcasts allow more.
    pub send_rate: u32,
    /// Provider service URLs may point at this machine (loopback, plain http there too):
    /// `ALLOW_LOOPBACK_PROVIDERS=1` for the tests' fake services or a local proxy. Off by
    /// default, because a URL typed in the chat must not reach the bot's own host.
    pub allow_loopback_providers: bool,
    /// Messages a second in all with Telegram's paid broadcasts, for reminders that would
    /// otherwise be late (0.1 Stars a message); None: never paid.
    pub paid_broadcast_rate: Option<u32>,
    /// Where the HTTP server (health, metrics, webhook) listens; None: `HTTP_ADDR=off`.
    pub http_addr: Option<SocketAddr>,
    /// When set, `/metrics` wants `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    pub log_format: LogFormat,
    /// Updates come by webhook instead of long polling.
    pub webhook: Option<Webhook>,
    /// The address people reach the HTTP server at. With it, Join buttons of services that report
    /// no attendance lead through the bot's redirect `/j/<token>`, which counts the press.
    pub public_url: Option<Url>,
    /// Where the learning platform hears about its events (`API_WEBHOOK_URL`), and the secret
    /// the bot signs those requests with (`API_WEBHOOK_SECRET`).
    pub platform_webhook: Option<PlatformWebhook>,
    /// Requests a second each API token may make (`API_RATE`), in bursts of twice as many.
    pub api_rate: u32,
}

/// Requests a second per API token when `API_RATE` is not set.
pub const DEFAULT_API_RATE: u32 = 10;

/// The platform's webhook: an http(s) address and the signing secret (never logged).
#[derive(Clone)]
pub struct PlatformWebhook {
    pub url: Url,
    pub secret: String,
}

impl fmt::Debug for PlatformWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformWebhook").field("url", &self.url.as_str()).field("secret", &"<set>").finish()
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// For people: one readable line per event.
    Text,
    /// For log collectors: one JSON object a line.
    Json,
}

/// Telegram pushes updates to `url`; every request carries `secret` in
/// `X-Telegram-Bot-Api-Secret-Token`.
#[derive(Clone)]
pub struct Webhook {
    pub url: Url,
    pub secret: String,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook").field("url", &self.url.as_str()).field("secret", &"<set>").finish()
    }
}

/// The default of `HTTP_ADDR`: this machine only; a container sets 0.0.0.0:8080.
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";

/// A database URL fit for a log: a password in it is replaced by `***`.
pub fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

// The token is a secret: a derived Debug would print it.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &without_password(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("admin_ids", &self.admin_ids)
            .field("default_timezone", &self.default_timezone)
            .field("default_language", &self.default_language)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<set>"))
            .field("api_url", &self.api_url)
            .field("send_rate", &self.send_rate)
            .field("allow_loopback_providers", &self.allow_loopback_providers)
            .field("paid_broadcast_rate", &self.paid_broadcast_rate)
            .field("http_addr", &self.http_addr)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<set>"))
            .field("log_format", &self.log_format)
            .field("webhook", &self.webhook)
            .field("platform_webhook", &self.platform_webhook)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Where provider requests may go.
    pub fn address_policy(&self) -> crate::providers::AddressPolicy {
        crate::providers::AddressPolicy { allow_loopback: self.allow_loopback_providers }
    }

    /// Reads the process environment after loading `.env` from the working directory, if any.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is reported by the variables it fails to set.
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable source (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |name: &str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let token = value("TELOXIDE_TOKEN")
            .ok_or_else(|| ConfigError::new("TELOXIDE_TOKEN", "is required: the bot token from @BotFather"))?;
        if !looks_like_bot_token(&token) {
            return Err(ConfigError::new(
                "TELOXIDE_TOKEN",
                "does not look like a bot token (expected <digits>:<secret> from @BotFather)",
            ));
        }
        let data_dir = PathBuf::from(value("DATA_DIR").unwrap_or_else(|| "data".to_owned()));
        let database_url = match value("DATABASE_URL") {
            Some(url) if url.starts_with("sqlite:") => url,
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => url,
            Some(_) => {
                return Err(ConfigError::new("DATABASE_URL", "must start with sqlite: or postgres://"));
            }
            None => format!("sqlite://{}", data_dir.join("webinar-bot.sqlite").display()),
        };
        let admin_ids = value("ADMIN_IDS").map(|v| parse_admin_ids(&v)).transpose()?.unwrap_or_default();
        let default_timezone = match value("DEFAULT_TIMEZONE") {
            Some(name) => name.parse::<Tz>().map_err(|_| {
                ConfigError::new("DEFAULT_TIMEZONE", format!("{name:?} is not an IANA time zone such as Europe/Moscow"))
            })?,
            None => chrono_tz::Europe::Moscow,
        };
        let default_language = match value("DEFAULT_LANGUAGE") {
            Some(code) => Lang::from_code(&code)
                .ok_or_else(|| ConfigError::new("DEFAULT_LANGUAGE", format!("{code:?} is not one of: ru, en")))?,
            None => Lang::Ru,
        };
        let api_url = value("TELOXIDE_API_URL").map(|v| parse_api_url(&v)).transpose()?;
        let secret_key = value(crate::crypto::KEY_ENV_VAR);
        if let Some(key) = &secret_key {
            crate::crypto::Key::parse(key).map_err(|e| ConfigError::new(crate::crypto::KEY_ENV_VAR, e.to_string()))?;
        }
        let send_rate = match value("SEND_RATE") {
            Some(rate) => rate.parse::<u32>().ok().filter(|r| (1..=1000).contains(r)).ok_or_else(|| {
                ConfigError::new("SEND_RATE", format!("{rate:?} is not a number of messages a second from 1 to 1000"))
            })?,
            None => 30,
        };
        let allow_loopback_providers = match value("ALLOW_LOOPBACK_PROVIDERS").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => {
                return Err(ConfigError::new("ALLOW_LOOPBACK_PROVIDERS", format!("{other:?} is not 1 or 0")));
            }
        };
        let paid_broadcast_rate = match value("PAID_BROADCAST_RATE") {
            Some(rate) => Some(rate.parse::<u32>().ok().filter(|r| *r > send_rate && *r <= 1000).ok_or_else(|| {
                ConfigError::new(
                    "PAID_BROADCAST_RATE",
                    format!(
                        "{rate:?} is not a number of messages a second above SEND_RATE ({send_rate}) and at most 1000"
                    ),
                )
            })?),
            None => None,
        };
        let http_addr = parse_http_addr(value("HTTP_ADDR").as_deref().unwrap_or(DEFAULT_HTTP_ADDR))?;
        let metrics_token = value("METRICS_TOKEN");
        let log_format = match value("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(ConfigError::new("LOG_FORMAT", format!("{other:?} is not one of: text, json"))),
        };
        let public_url = value("PUBLIC_URL").map(|url| parse_public_url(&url, http_addr)).transpose()?;
        let webhook = match value("WEBHOOK_URL") {
            Some(url) => Some(parse_webhook(&url, value("WEBHOOK_SECRET"), http_addr)?),
            None if value("WEBHOOK_SECRET").is_some() => {
                return Err(ConfigError::new("WEBHOOK_SECRET", "is set without WEBHOOK_URL; set both or neither"));
            }
            None => None,
        };
        let platform_webhook = match (value("API_WEBHOOK_URL"), value("API_WEBHOOK_SECRET")) {
            (Some(url), Some(secret)) => Some(parse_platform_webhook(&url, secret)?),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "API_WEBHOOK_SECRET",
                    "is needed with API_WEBHOOK_URL: the bot signs every call",
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "API_WEBHOOK_SECRET",
                    "is set without API_WEBHOOK_URL; set both or neither",
                ));
            }
        };
        let api_rate = match value("API_RATE") {
            Some(rate) => rate.parse::<u32>().ok().filter(|r| (1..=1000).contains(r)).ok_or_else(|| {
                ConfigError::new("API_RATE", format!("{rate:?} is not a number of requests a second from 1 to 1000"))
            })?,
            None => DEFAULT_API_RATE,
        };
        Ok(Self {
            token,
            database_url,
            data_dir,
            admin_ids,
            default_timezone,
            default_language,
            secret_key,
            api_url,
            send_rate,
            allow_loopback_providers,
            paid_broadcast_rate,
            http_addr,
            metrics_token,
            log_format,
            webhook,
            public_url,
            platform_webhook,
            api_rate,
        })
    }
}

/// The platform's webhook address and a secret long enough to sign with.
fn parse_platform_webhook(url: &str, secret: String) -> Result<PlatformWebhook, ConfigError> {
    let parsed = Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some_and(|h| !h.is_empty()))
        .ok_or_else(|| ConfigError::new("API_WEBHOOK_URL", format!("{url:?} is not an http:// or https:// address")))?;
    if secret.len() < 16 {
        return Err(ConfigError::new("API_WEBHOOK_SECRET", "must be at least 16 characters"));
    }
    Ok(PlatformWebhook { url: parsed, secret })
}

/// An http(s) address with nothing after its path: the redirect's path is added to it.
fn parse_public_url(url: &str, http_addr: Option<SocketAddr>) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::new("PUBLIC_URL", reason);
    let parsed = Url::parse(url).map_err(|e| invalid(format!("{url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("{url:?} is not an http:// or https:// address")));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid(format!("{url:?} has a query or a fragment; give the address only")));
    }
    if http_addr.is_none() {
        return Err(invalid("needs the HTTP server, but HTTP_ADDR is off".to_owned()));
    }
    Ok(parsed)
}

fn parse_http_addr(text: &str) -> Result<Option<SocketAddr>, ConfigError> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    text.parse::<SocketAddr>().map(Some).map_err(|_| {
        ConfigError::new("HTTP_ADDR", format!("{text:?} is not an address and port such as 127.0.0.1:8080, or off"))
    })
}

/// Telegram sends webhooks only to https on ports 443, 80, 88 and 8443, with a secret of 1-256
/// characters from `A-Z a-z 0-9 _ -`. Without `WEBHOOK_SECRET` a random one is made at each start
/// (Telegram learns it from setWebhook, nobody else needs it).
fn parse_webhook(url: &str, secret: Option<String>, http_addr: Option<SocketAddr>) -> Result<Webhook, ConfigError> {
    let invalid = |reason: String| ConfigError::new("WEBHOOK_URL", reason);
    let parsed = Url::parse(url).map_err(|e| invalid(format!("{url:?} is not a URL: {e}")))?;
    if parsed.scheme() != "https" || parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("{url:?} is not a public https:// address; Telegram sends webhooks only there")));
    }
    if !matches!(parsed.port_or_known_default(), Some(443 | 80 | 88 | 8443)) {
        return Err(invalid(format!("{url:?}: Telegram sends webhooks only to ports 443, 80, 88 and 8443")));
    }
    if http_addr.is_none() {
        return Err(invalid("needs the HTTP server, but HTTP_ADDR is off".to_owned()));
    }
    let secret = match secret {
        Some(secret) => {
            let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
            if secret.len() > 256 || !secret.bytes().all(allowed) {
                return Err(ConfigError::new(
                    "WEBHOOK_SECRET",
                    "must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)",
                ));
            }
            secret
        }
        None => random_secret(),
    };
    Ok(Webhook { url: parsed, secret })
}

fn random_secret() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::rngs::OsRng;
    (0..48).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// `localhost:8081` parses as a URL whose scheme is "localhost"; only http(s) with a host will do.
fn parse_api_url(text: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::new("TELOXIDE_API_URL", reason);
    let url = Url::parse(text).map_err(|e| invalid(format!("{text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("{text:?} is not an http:// or https:// address such as http://localhost:8081")));
    }
    Ok(url)
}

fn looks_like_bot_token(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, secret)) => !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !secret.is_empty(),
        None => false,
    }
}

fn parse_admin_ids(list: &str) -> Result<Vec<UserId>, ConfigError> {
    list.split([',', ' ', ';'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<u64>()
                .map(UserId)
                .map_err(|_| ConfigError::new("ADMIN_IDS", format!("{part:?} is not a numeric Telegram user id")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    const TOKEN: (&str, &str) = ("TELOXIDE_TOKEN", "123456:ABC-def");

    #[test]
    fn public_url_is_an_address_the_server_answers_at() {
        let ok = config(&[TOKEN, ("PUBLIC_URL", "https://bot.example.org/")]).unwrap();
        assert_eq!(ok.public_url.unwrap().as_str(), "https://bot.example.org/");
        for bad in ["ftp://bot.example.org", "https://bot.example.org/?a=1", "not a url"] {
            assert_eq!(config(&[TOKEN, ("PUBLIC_URL", bad)]).unwrap_err().var, "PUBLIC_URL", "{bad}");
        }
        let off = config(&[TOKEN, ("PUBLIC_URL", "https://bot.example.org"), ("HTTP_ADDR", "off")]);
        assert_eq!(off.unwrap_err().var, "PUBLIC_URL");
        assert!(config(&[TOKEN]).unwrap().public_url.is_none());
    }

    #[test]
    fn defaults_apply_when_only_the_token_is_set() {
        let c = config(&[TOKEN]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/webinar-bot.sqlite");
        assert_eq!(c.default_timezone, chrono_tz::Europe::Moscow);
        assert_eq!(c.default_language, Lang::Ru);
        assert!(c.admin_ids.is_empty());
        assert!(c.api_url.is_none());
        assert!(!c.allow_loopback_providers, "providers never reach this machine unless asked");
    }

    #[test]
    fn missing_token_names_the_variable() {
        assert_eq!(config(&[]).unwrap_err().var, "TELOXIDE_TOKEN");
        assert_eq!(config(&[("TELOXIDE_TOKEN", "nonsense")]).unwrap_err().var, "TELOXIDE_TOKEN");
    }

    #[test]
    fn a_postgres_url_is_taken_and_its_password_never_shown() {
        let c = config(&[TOKEN, ("DATABASE_URL", "postgres://bot:s3cret@db.example.org:5432/school")]).unwrap();
        assert_eq!(c.database_url, "postgres://bot:s3cret@db.example.org:5432/school");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("s3cret") && shown.contains("postgres://bot:***@db.example.org:5432/school"),
            "{shown}"
        );
    }

    #[test]
    fn malformed_values_name_their_variable() {
        for (var, bad) in [
            ("ADMIN_IDS", "12,abc"),
            ("DEFAULT_TIMEZONE", "Mars/Olympus"),
            ("DEFAULT_LANGUAGE", "fr"),
            ("TELOXIDE_API_URL", "not a url"),
            ("TELOXIDE_API_URL", "localhost:8081"),
            ("TELOXIDE_API_URL", "ftp://example.org"),
            ("BOT_SECRET_KEY", "too-short"),
            ("DATABASE_URL", "mysql://x"),
            ("SEND_RATE", "0"),
            ("SEND_RATE", "fast"),
            ("API_RATE", "0"),
            ("API_RATE", "lots"),
            ("ALLOW_LOOPBACK_PROVIDERS", "yes please"),
            ("PAID_BROADCAST_RATE", "20"),
            ("PAID_BROADCAST_RATE", "5000"),
            ("HTTP_ADDR", "8080"),
            ("LOG_FORMAT", "yaml"),
            ("WEBHOOK_URL", "http://bot.example.org/hook"),
            ("WEBHOOK_URL", "https://bot.example.org:9000/hook"),
            ("WEBHOOK_SECRET", "only-the-secret"),
        ] {
            let err = config(&[TOKEN, (var, bad)]).unwrap_err();
            assert_eq!(err.var, var, "{err}");
        }
    }

    #[test]
    fn the_http_server_listens_on_this_machine_unless_told_otherwise() {
        assert_eq!(config(&[TOKEN]).unwrap().http_addr, Some("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(config(&[TOKEN, ("HTTP_ADDR", "off")]).unwrap().http_addr, None);
        assert_eq!(config(&[TOKEN]).unwrap().log_format, LogFormat::Text);
    }

    #[test]
    fn a_webhook_wants_the_server_and_a_secret_telegram_accepts() {
        let url = ("WEBHOOK_URL", "https://bot.example.org/telegram");
        let c = config(&[TOKEN, url]).unwrap();
        let generated = c.webhook.unwrap().secret;
        assert!(generated.len() >= 32, "a random secret when none is given");
        assert_eq!(config(&[TOKEN, url, ("HTTP_ADDR", "off")]).unwrap_err().var, "WEBHOOK_URL");
        assert_eq!(config(&[TOKEN, url, ("WEBHOOK_SECRET", "no spaces allowed")]).unwrap_err().var, "WEBHOOK_SECRET");
        let c = config(&[TOKEN, url, ("WEBHOOK_SECRET", "s3cret_-X")]).unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("s3cret_-X"), "{printed}");
    }

    #[test]
    fn admin_ids_accept_commas_and_spaces() {
        let c = config(&[TOKEN, ("ADMIN_IDS", "1, 2 3")]).unwrap();
        assert_eq!(c.admin_ids, vec![UserId(1), UserId(2), UserId(3)]);
    }

    #[test]
    fn debug_never_prints_the_token() {
        let key = "ab".repeat(32);
        let c = config(&[TOKEN, ("BOT_SECRET_KEY", &key)]).unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("ABC-def") && !printed.contains(&key), "{printed}");
    }
}
