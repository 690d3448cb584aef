//! webinar-bot: online classes on external video services, run from Telegram.

pub mod crypto;
pub mod domain;
pub mod ics;
