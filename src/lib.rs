//! webinar-bot: online classes on external video services, run from Telegram.

pub mod app;
pub mod attendance;
pub mod backup;
pub mod bot;
pub mod callback;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod delivery;
pub mod domain;
pub mod health;
pub mod http;
pub mod i18n;
pub mod ics;
pub mod keyboards;
pub mod leader;
pub mod logging;
pub mod meetings;
pub mod metrics;
pub mod platform;
pub mod providers;
pub mod series;
pub mod store;
pub mod telegram;
pub mod webhooks;
