//! Sealing provider secrets before they touch the database.
//!
//! A sealed value is `version (1 byte) || nonce (24 bytes) || ciphertext with its 16-byte tag`,
//! made with XChaCha20-Poly1305. The 24-byte nonce is random for every seal: with that size random
//! nonces never realistically repeat, so no counter has to be kept. The version byte and the
//! caller's associated data (for example "provider:7:api_key") are authenticated, so a sealed
//! value cannot be replayed into another row or column.
//!
//! The key comes from `BOT_SECRET_KEY`, or from `secret.key` in the data folder, generated on
//! first run with owner-only permissions.

use std::{
    fmt,
    fs::{self, OpenOptions},
    io::{self, Write},
    path::{Path, PathBuf},
};

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD},
};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit, Payload},
};
use rand::{RngCore, rngs::OsRng};

/// The file in the data folder that holds a generated key.
pub const KEY_FILE_NAME: &str = "secret.key";
/// The environment variable that, when set, overrides the key file.
pub const KEY_ENV_VAR: &str = "BOT_SECRET_KEY";

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;
const FORMAT_VERSION: u8 = 1;

/// What went wrong with the key or a sealed value. Operator-facing (logs, start-up), never shown
/// to a Telegram user, and never containing key material.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("{KEY_ENV_VAR} is not a 32-byte key: {0}")]
    InvalidEnvKey(KeyFormatError),
    #[error("the key file {path} is not a 32-byte key: {reason}")]
    InvalidKeyFile { path: PathBuf, reason: KeyFormatError },
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: io::Error },
    #[error("the sealed value is too short to be one")]
    Truncated,
    #[error("the sealed value has format version {0}, this build reads only version {FORMAT_VERSION}")]
    UnsupportedVersion(u8),
    #[error("the sealed value does not open: wrong key, wrong associated data, or tampered")]
    Unauthentic,
}

/// Why a text is not a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    #[error("it is empty")]
    Empty,
    #[error("it is neither 64 hex digits nor base64")]
    NotHexOrBase64,
    #[error("it decodes to {0} bytes instead of 32")]
    WrongLength(usize),
    #[error("it has {0} hex digits instead of 64")]
    WrongHexLength(usize),
}

/// A 32-byte key. Its `Debug` never shows the bytes, so it can sit in a config struct that gets
/// logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; KEY_BYTES]);

impl Key {
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = [0u8; KEY_BYTES];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Reads 64 hex digits or base64 (standard or url-safe, padded or not) of 32 bytes.
    pub fn parse(text: &str) -> Result<Self, KeyFormatError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyFormatError::Empty);
        }
        let bytes = if text.bytes().all(|b| b.is_ascii_hexdigit()) {
            decode_hex(text)?
        } else {
            decode_base64(text).ok_or(KeyFormatError::NotHexOrBase64)?
        };
        let bytes: [u8; KEY_BYTES] =
            bytes.try_into().map_err(|wrong: Vec<u8>| KeyFormatError::WrongLength(wrong.len()))?;
        Ok(Self(bytes))
    }

    /// A key of its own for `purpose` (HMAC-SHA256 of the purpose under this key), so one secret
    /// can sign links without the sealing key ever being used for anything else.
    pub fn derive(&self, purpose: &str) -> [u8; KEY_BYTES] {
        use hmac::Mac;
        let mut mac =
            <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The text written to the key file: standard base64, which `parse` and `BOT_SECRET_KEY`
    /// accept, so an operator can move the key into the environment as it is.
    fn to_file_text(&self) -> String {
        format!("{}\n", STANDARD.encode(self.0))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

/// All-hex text is read as hex (base64 of 32 random bytes is never all hex digits in practice),
/// so a mistyped hex key is reported by its digit count rather than as odd base64.
fn decode_hex(text: &str) -> Result<Vec<u8>, KeyFormatError> {
    if text.len() != 2 * KEY_BYTES {
        return Err(KeyFormatError::WrongHexLength(text.len()));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| text.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or(KeyFormatError::NotHexOrBase64)
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|engine| engine.decode(text).ok())
}

/// Seals and opens secrets with one key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl SecretBox {
    pub fn new(key: &Key) -> Self {
        Self { cipher: XChaCha20Poly1305::new((&key.0).into()) }
    }

    /// Encrypts `plaintext`, binding it to `associated` (which is not stored: the caller passes the
    /// same value to [`SecretBox::open`]).
    pub fn seal(&self, plaintext: &[u8], associated: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_BYTES];
        OsRng.fill_bytes(&mut nonce);
        let aad = versioned_aad(FORMAT_VERSION, associated);
        let ciphertext = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &aad })
            // Only a plaintext of about 256 GiB could fail; secrets are a few hundred bytes.
            .expect("XChaCha20-Poly1305 encrypts any realistic plaintext");
        let mut sealed = Vec::with_capacity(1 + NONCE_BYTES + ciphertext.len());
        sealed.push(FORMAT_VERSION);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Decrypts a value made by [`SecretBox::seal`] with the same key and associated data.
    pub fn open(&self, sealed: &[u8], associated: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let (&version, rest) = sealed.split_first().ok_or(CryptoError::Truncated)?;
        if version != FORMAT_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        if rest.len() < NONCE_BYTES + TAG_BYTES {
            return Err(CryptoError::Truncated);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
        let aad = versioned_aad(version, associated);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: &aad })
            .map_err(|_| CryptoError::Unauthentic)
    }
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBox(<redacted>)")
    }
}

/// The version byte is authenticated too, so a value cannot be relabelled as another format.
fn versioned_aad(version: u8, associated: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(1 + associated.len());
    aad.push(version);
    aad.extend_from_slice(associated);
    aad
}

/// The key to seal secrets with.
///
/// `env_value` is `BOT_SECRET_KEY` as read from the environment; when it is set (and not blank,
/// as in a copied `.env.example`) it must be a valid key, and the file is not consulted.
/// Otherwise `data_dir/secret.key` is read, or created with a fresh key, owner-only (0600).
pub fn load_or_create_key(env_value: Option<&str>, data_dir: &Path) -> Result<Key, CryptoError> {
    if let Some(value) = env_value.filter(|value| !value.trim().is_empty()) {
        return Key::parse(value).map_err(CryptoError::InvalidEnvKey);
    }
    let path = data_dir.join(KEY_FILE_NAME);
    match read_key_file(&path)? {
        Some(key) => Ok(key),
        None => create_key_file(data_dir, &path),
    }
}

/// The key as `load_or_create_key` would find it, but never made: None when neither
/// `BOT_SECRET_KEY` nor `data_dir/secret.key` holds one (a restore checks the key it will meet).
pub fn load_existing_key(env_value: Option<&str>, data_dir: &Path) -> Result<Option<Key>, CryptoError> {
    if let Some(value) = env_value.filter(|value| !value.trim().is_empty()) {
        return Key::parse(value).map(Some).map_err(CryptoError::InvalidEnvKey);
    }
    read_key_file(&data_dir.join(KEY_FILE_NAME))
}

/// `Ok(None)` when the file does not exist yet.
fn read_key_file(path: &Path) -> Result<Option<Key>, CryptoError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(io_error("read", path, source)),
    };
    Key::parse(&text).map(Some).map_err(|reason| CryptoError::InvalidKeyFile { path: path.to_owned(), reason })
}

/// Writes a new key to a private temporary file, then links it into place. The link fails if
/// another process got there first, so two starts never end up with two different keys, and a
/// crash never leaves a half-written key file behind.
fn create_key_file(data_dir: &Path, path: &Path) -> Result<Key, CryptoError> {
    fs::create_dir_all(data_dir).map_err(|source| io_error("create", data_dir, source))?;
    let key = Key::generate();
    let temp = data_dir.join(format!(".{KEY_FILE_NAME}.{}.{:016x}.tmp", std::process::id(), OsRng.next_u64()));
    let published = write_private_file(&temp, key.to_file_text().as_bytes())
        .and_then(|()| publish(&temp, path).map_err(|e| io_error("create", path, e)));
    // The temporary name is only a staging step; failing to remove it loses nothing.
    let _ = fs::remove_file(&temp);
    match published {
        Ok(()) => {
            sync_dir(data_dir);
            Ok(key)
        }
        Err(CryptoError::Io { source, .. }) if source.kind() == io::ErrorKind::AlreadyExists => {
            read_key_file(path)?.ok_or_else(|| io_error("read", path, io::Error::from(io::ErrorKind::NotFound)))
        }
        Err(error) => Err(error),
    }
}

/// Moves the finished temporary file to its final name without replacing an existing key. Some
/// file systems (network shares, some container volumes) have no hard links; there a rename is
/// the fallback, which could only clobber a key written in the same instant by a second start.
fn publish(temp: &Path, path: &Path) -> io::Result<()> {
    match fs::hard_link(temp, path) {
        Err(error) if error.kind() != io::ErrorKind::AlreadyExists => fs::rename(temp, path),
        linked => linked,
    }
}

/// Creates `path` (it must not exist) readable and writable by the owner only from the first
/// instant, writes `contents` and flushes them to disk.
fn write_private_file(path: &Path, contents: &[u8]) -> Result<(), CryptoError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|source| io_error("create", path, source))?;
    file.write_all(contents).and_then(|()| file.sync_all()).map_err(|source| io_error("write", path, source))
}

/// Makes the new directory entry durable. Best effort: not every platform can sync a directory,
/// and the key is already in memory either way.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

fn io_error(action: &'static str, path: &Path, source: io::Error) -> CryptoError {
    CryptoError::Io { action, path: path.to_owned(), source }
}

#[cfg(test)]
mod tests;
