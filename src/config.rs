//! Configuration from the environment (and an optional `.env`), validated once at start.

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
}

// The token is a secret: a derived Debug would print it.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url)
            .field("data_dir", &self.data_dir)
            .field("admin_ids", &self.admin_ids)
            .field("default_timezone", &self.default_timezone)
            .field("default_language", &self.default_language)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<set>"))
            .field("api_url", &self.api_url)
            .field("send_rate", &self.send_rate)
            .field("allow_loopback_providers", &self.allow_loopback_providers)
            .field("paid_broadcast_rate", &self.paid_broadcast_rate)
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
            Some(_) => return Err(ConfigError::new("DATABASE_URL", "must start with sqlite:")),
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
        })
    }
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
    fn malformed_values_name_their_variable() {
        for (var, bad) in [
            ("ADMIN_IDS", "12,abc"),
            ("DEFAULT_TIMEZONE", "Mars/Olympus"),
            ("DEFAULT_LANGUAGE", "fr"),
            ("TELOXIDE_API_URL", "not a url"),
            ("TELOXIDE_API_URL", "localhost:8081"),
            ("TELOXIDE_API_URL", "ftp://example.org"),
            ("BOT_SECRET_KEY", "too-short"),
            ("DATABASE_URL", "postgres://x"),
            ("SEND_RATE", "0"),
            ("SEND_RATE", "fast"),
            ("ALLOW_LOOPBACK_PROVIDERS", "yes please"),
            ("PAID_BROADCAST_RATE", "20"),
            ("PAID_BROADCAST_RATE", "5000"),
        ] {
            let err = config(&[TOKEN, (var, bad)]).unwrap_err();
            assert_eq!(err.var, var, "{err}");
        }
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
