//! What each role can do, as `/start` and `/help` say it.

use crate::domain::roles::Role;
use crate::i18n::{Lang, tr};

/// What the asker's role can do, and nothing more.
pub fn help_text(lang: Lang, role: Role) -> String {
    let mut sections = vec![tr(lang, "help-everyone")];
    if role.can_create_events() {
        sections.push(tr(lang, "help-teacher"));
    }
    if role.is_admin() {
        sections.push(tr(lang, "help-admin"));
    }
    sections.join("\n\n")
}
