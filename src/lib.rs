//! webinar-bot: online classes on external video services, run from Telegram.

pub mod providers;
