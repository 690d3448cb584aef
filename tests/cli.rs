//! The program's command line: configuration errors and the `migrate` subcommand.

use std::process::Command;

fn bot(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_webinar-bot"));
    // A clean environment, run where no .env file is.
    command.env_clear().current_dir(dir);
    command
}

#[test]
fn a_missing_token_ends_with_one_line_naming_it_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = bot(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("TELOXIDE_TOKEN"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_malformed_value_names_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = bot(dir.path()).env("TELOXIDE_TOKEN", "123:abc").env("DEFAULT_TIMEZONE", "Moscow").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DEFAULT_TIMEZONE"), "{stderr}");
    assert!(!stderr.contains("123:abc"), "the token is never printed: {stderr}");
}

#[test]
fn migrate_creates_the_database_in_the_data_folder_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    let out = bot(dir.path()).env("TELOXIDE_TOKEN", "123:abc").arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("data/webinar-bot.sqlite").exists());
}

#[test]
fn the_env_file_is_read_from_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "TELOXIDE_TOKEN=123:abc\nADMIN_IDS=1,2\n").unwrap();
    let out = bot(dir.path()).arg("check-config").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("UserId(1)") && !stdout.contains("123:abc"), "{stdout}");
}

#[test]
fn an_unknown_subcommand_prints_the_usage() {
    let dir = tempfile::tempdir().unwrap();
    let out = bot(dir.path()).arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}
