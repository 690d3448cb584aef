use super::*;

fn key(byte: u8) -> Key {
    Key::from_bytes([byte; KEY_BYTES])
}

#[test]
fn seal_then_open_gives_the_plaintext_back() {
    let secrets = SecretBox::new(&key(1));
    let sealed = secrets.seal(b"zoom-client-secret", b"provider:7:client_secret");
    assert_eq!(sealed[0], FORMAT_VERSION);
    assert_eq!(sealed.len(), 1 + NONCE_BYTES + 18 + TAG_BYTES);
    assert_eq!(secrets.open(&sealed, b"provider:7:client_secret").unwrap(), b"zoom-client-secret");
}

#[test]
fn empty_plaintext_round_trips() {
    let secrets = SecretBox::new(&key(1));
    let sealed = secrets.seal(b"", b"");
    assert_eq!(secrets.open(&sealed, b"").unwrap(), b"");
}

#[test]
fn every_seal_uses_a_new_nonce() {
    let secrets = SecretBox::new(&key(1));
    assert_ne!(secrets.seal(b"same", b"ad"), secrets.seal(b"same", b"ad"));
}

#[test]
fn sealed_value_does_not_contain_the_plaintext() {
    let secrets = SecretBox::new(&key(1));
    let sealed = secrets.seal(b"plain-secret-token", b"");
    assert!(!sealed.windows(6).any(|w| w == b"secret"));
}

#[test]
fn any_flipped_bit_is_detected() {
    let secrets = SecretBox::new(&key(1));
    let sealed = secrets.seal(b"token", b"ad");
    for index in 1..sealed.len() {
        let mut tampered = sealed.clone();
        tampered[index] ^= 0x01;
        assert!(matches!(secrets.open(&tampered, b"ad"), Err(CryptoError::Unauthentic)), "byte {index}");
    }
}

#[test]
fn wrong_key_does_not_open() {
    let sealed = SecretBox::new(&key(1)).seal(b"token", b"ad");
    assert!(matches!(SecretBox::new(&key(2)).open(&sealed, b"ad"), Err(CryptoError::Unauthentic)));
}

#[test]
fn wrong_associated_data_does_not_open() {
    let secrets = SecretBox::new(&key(1));
    let sealed = secrets.seal(b"token", b"provider:7:api_key");
    assert!(matches!(secrets.open(&sealed, b"provider:8:api_key"), Err(CryptoError::Unauthentic)));
}

#[test]
fn short_or_unknown_formats_are_refused() {
    let secrets = SecretBox::new(&key(1));
    assert!(matches!(secrets.open(&[], b""), Err(CryptoError::Truncated)));
    assert!(matches!(secrets.open(&[FORMAT_VERSION; 40], b""), Err(CryptoError::Truncated)));
    let mut sealed = secrets.seal(b"token", b"");
    sealed[0] = 2;
    assert!(matches!(secrets.open(&sealed, b""), Err(CryptoError::UnsupportedVersion(2))));
}

#[test]
fn debug_never_shows_key_bytes() {
    let key = key(0xAB);
    assert_eq!(format!("{key:?}"), "Key(<redacted>)");
    let shown = format!("{:?}", SecretBox::new(&key));
    assert!(!shown.to_lowercase().contains("ab"), "{shown}");
}

// ---- key text ----

const HEX_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn counting_key() -> Key {
    Key::from_bytes(std::array::from_fn(|i| i as u8))
}

#[test]
fn env_key_in_hex_or_any_base64() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0u8..32).collect();
    let forms = [
        HEX_KEY.to_owned(),
        HEX_KEY.to_uppercase(),
        STANDARD.encode(&bytes),
        STANDARD_NO_PAD.encode(&bytes),
        URL_SAFE.encode([0xFB; 32]),
        format!("  {}\n", STANDARD.encode(&bytes)),
    ];
    for form in &forms[..4] {
        assert_eq!(load_or_create_key(Some(form), dir.path()).unwrap(), counting_key(), "{form}");
    }
    assert_eq!(load_or_create_key(Some(&forms[4]), dir.path()).unwrap(), key(0xFB));
    assert_eq!(load_or_create_key(Some(&forms[5]), dir.path()).unwrap(), counting_key());
    // An environment key never creates the file.
    assert!(!dir.path().join(KEY_FILE_NAME).exists());
}

#[test]
fn invalid_env_keys_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("not a key!", KeyFormatError::NotHexOrBase64),
        (&HEX_KEY[..62], KeyFormatError::WrongHexLength(62)),
        ("c2hvcnQ=", KeyFormatError::WrongLength(5)),
        (
            // 52 characters of base64 (not hex digits): 39 bytes.
            "QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
            KeyFormatError::WrongLength(39),
        ),
    ];
    for (value, expected) in cases {
        match load_or_create_key(Some(value), dir.path()) {
            Err(CryptoError::InvalidEnvKey(reason)) => assert_eq!(reason, expected, "{value}"),
            other => panic!("{value}: {other:?}"),
        }
    }
    let message = load_or_create_key(Some("short"), dir.path()).unwrap_err().to_string();
    assert!(message.contains("BOT_SECRET_KEY"), "{message}");
    assert!(!message.contains("short"), "the value itself is not echoed");
}

#[test]
fn blank_text_is_no_key() {
    assert_eq!(Key::parse(" \n"), Err(KeyFormatError::Empty));
}

#[test]
fn blank_env_value_falls_back_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = load_or_create_key(Some("  "), dir.path()).unwrap();
    assert_eq!(load_or_create_key(None, dir.path()).unwrap(), key);
}

// ---- key file ----

#[test]
fn key_file_is_created_once_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = load_or_create_key(None, &data).unwrap();
    let second = load_or_create_key(None, &data).unwrap();
    assert_eq!(first, second);
    let text = fs::read_to_string(data.join(KEY_FILE_NAME)).unwrap();
    assert_eq!(Key::parse(&text).unwrap(), first);
    // Only the key file is left behind, no staging files.
    assert_eq!(fs::read_dir(&data).unwrap().count(), 1);
}

#[test]
fn sealed_values_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = SecretBox::new(&load_or_create_key(None, dir.path()).unwrap()).seal(b"t", b"a");
    let reloaded = load_or_create_key(None, dir.path()).unwrap();
    assert_eq!(SecretBox::new(&reloaded).open(&sealed, b"a").unwrap(), b"t");
}

#[test]
fn an_existing_key_file_is_used_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(KEY_FILE_NAME), format!("{HEX_KEY}\n")).unwrap();
    assert_eq!(load_or_create_key(None, dir.path()).unwrap(), counting_key());
}

#[test]
fn a_broken_key_file_is_an_error_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(KEY_FILE_NAME);
    fs::write(&path, "").unwrap();
    assert!(matches!(
        load_or_create_key(None, dir.path()),
        Err(CryptoError::InvalidKeyFile { reason: KeyFormatError::Empty, .. })
    ));
    assert_eq!(fs::read_to_string(&path).unwrap(), "");
}

#[cfg(unix)]
#[test]
fn key_file_is_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    load_or_create_key(None, dir.path()).unwrap();
    let mode = fs::metadata(dir.path().join(KEY_FILE_NAME)).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[cfg(unix)]
#[test]
fn unreadable_data_dir_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the data folder should be.
    let not_a_dir = dir.path().join("file");
    fs::write(&not_a_dir, "x").unwrap();
    assert!(matches!(load_or_create_key(None, &not_a_dir), Err(CryptoError::Io { .. })));
}
