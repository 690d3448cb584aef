//! Pure rules: no Telegram, HTTP or SQL.

pub mod roles;
