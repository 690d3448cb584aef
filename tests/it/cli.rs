//! The program's command line: configuration errors and the `migrate` subcommand.

use std::process::Command;

fn bot(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_webinar-bot"));
    // A clean environment, run where no .env file is.
    // Tests run side by side: none may take the default port.
    command.env_clear().current_dir(dir).env("HTTP_ADDR", "off");
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

#[test]
fn an_api_url_without_a_scheme_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        bot(dir.path()).env("TELOXIDE_TOKEN", "123:abc").env("TELOXIDE_API_URL", "localhost:8081").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("TELOXIDE_API_URL") && stderr.contains("http://"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_malformed_secret_key_is_a_configuration_error_and_check_config_says_so() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&[][..], &["check-config"][..]] {
        let out =
            bot(dir.path()).env("TELOXIDE_TOKEN", "123:abc").env("BOT_SECRET_KEY", "c2hvcnQ=").args(args).output();
        let out = out.unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("BOT_SECRET_KEY") && stderr.contains("32"), "{stderr}");
        assert!(!stderr.contains("c2hvcnQ"), "the key is never printed: {stderr}");
    }
}

#[test]
fn a_database_that_cannot_be_opened_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the data folder should be: nothing can be created under it, even as root.
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, "").unwrap();
    let out =
        bot(dir.path()).env("TELOXIDE_TOKEN", "123:abc").env("DATA_DIR", &blocked).arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&blocked.join("webinar-bot.sqlite").display().to_string()), "{stderr}");
}
