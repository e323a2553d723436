//! Secrets at rest and bearer tokens.
//!
//! - Freshservice API keys are sealed with ChaCha20-Poly1305 under the operator's 32-byte key,
//!   with a fresh random nonce per record and the record's id as associated data, so a sealed
//!   key copied onto another row does not open.
//! - URL tokens and API tokens are `<id>.<secret>`: the id is public and indexed, so finding the
//!   record is one primary-key lookup; the secret is 256 random bits, stored only as a salted
//!   SHA-256 hash and compared in constant time. A fast hash is enough because the secret has
//!   full entropy: there is nothing for a slow password hash to protect against.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::Error;

/// Version byte in front of every sealed value, so the format can change later.
const SEALED_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
/// Bytes of randomness in a token secret.
const TOKEN_SECRET_BYTES: usize = 32;
const SALT_LEN: usize = 16;

/// Random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// A new record id: 128 random bits formatted like a UUID (version 4), so any database engine
/// can store it as text or as a native UUID.
pub(crate) fn new_id() -> Result<String, Error> {
    let mut bytes: [u8; 16] = random_bytes()?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex_encode(&bytes);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// Whether `text` has the shape [`new_id`] produces; anything else cannot name a record.
pub(crate) fn is_id(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(index, c)| match index {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

/// The 32-byte key that seals secrets at rest.
#[derive(Clone)]
pub(crate) struct SecretKey {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// Reads a key given as 64 hex digits or as standard or URL-safe base64 of 32 bytes.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = hex_decode(text)
            .or_else(|| STANDARD.decode(text).ok())
            .or_else(|| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok());
        match bytes {
            Some(bytes) if bytes.len() == 32 && !low_entropy(&bytes) => Ok(Self::from_bytes(&bytes)),
            Some(bytes) if bytes.len() == 32 => Err(
                "is not random: it repeats a byte or a short pattern; make one with `openssl rand -base64 32`"
                    .into(),
            ),
            // The value itself never goes into the message.
            _ => Err("must be 32 bytes written as 64 hex digits or as base64 (e.g. `openssl rand -base64 32`)".into()),
        }
    }

    /// A random key, for `--dev` (and the test of [`low_entropy`]).
    pub(crate) fn generate() -> Result<Self, Error> {
        let bytes: [u8; 32] = random_bytes()?;
        Ok(Self::from_bytes(&bytes))
    }

    fn from_bytes(bytes: &[u8]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(bytes)),
        }
    }

    /// Encrypts `plaintext`, binding it to `context` (e.g. the record id).
    pub(crate) fn seal(&self, plaintext: &[u8], context: &str) -> Result<Vec<u8>, Error> {
        let nonce: [u8; NONCE_LEN] = random_bytes()?;
        let ciphertext = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Unseal)?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(SEALED_VERSION);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// Decrypts what [`seal`](Self::seal) made with the same `context`.
    pub(crate) fn unseal(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, Error> {
        let Some((&SEALED_VERSION, rest)) = sealed.split_first() else {
            return Err(Error::Unseal);
        };
        if rest.len() < NONCE_LEN {
            return Err(Error::Unseal);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Unseal)
    }
}

/// The stored form of a token secret: a random salt and SHA-256(salt ‖ secret).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct TokenHash {
    pub(crate) salt: Vec<u8>,
    pub(crate) hash: Vec<u8>,
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

impl TokenHash {
    fn of(salt: &[u8], secret: &str) -> Vec<u8> {
        let mut hasher = Sha256::new();
        hasher.update(salt);
        hasher.update(secret.as_bytes());
        hasher.finalize().to_vec()
    }

    /// Whether `secret` is the one this hash was made from, in time independent of where the
    /// hashes differ.
    pub(crate) fn verify(&self, secret: &str) -> bool {
        let candidate = Self::of(&self.salt, secret);
        bool::from(candidate.as_slice().ct_eq(self.hash.as_slice()))
    }
}

/// A freshly issued token: the full text (shown once) and what is stored.
pub(crate) struct IssuedToken {
    pub(crate) token: String,
    pub(crate) hash: TokenHash,
}

/// Issues a token for the record `id`.
pub(crate) fn issue_token(id: &str) -> Result<IssuedToken, Error> {
    let secret = URL_SAFE_NO_PAD.encode(random_bytes::<TOKEN_SECRET_BYTES>()?);
    let salt = random_bytes::<SALT_LEN>()?.to_vec();
    let hash = TokenHash::of(&salt, &secret);
    Ok(IssuedToken {
        token: format!("{id}.{secret}"),
        hash: TokenHash { salt, hash },
    })
}

/// Splits a token into its record id and secret; `None` when it cannot be one of ours.
pub(crate) fn split_token(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.split_once('.')?;
    let secret_ok = secret.len() == 43
        && secret
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    (is_id(id) && secret_ok).then_some((id, secret))
}

/// Compares two secrets (e.g. admin keys) in constant time, including their lengths: both are
/// hashed first, so only equal-length digests are compared.
pub(crate) fn secrets_equal(given: &str, expected: &str) -> bool {
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    bool::from(given.as_slice().ct_eq(expected.as_slice()))
}

/// A random admin key for `--dev`.
pub(crate) fn generate_admin_key() -> Result<String, Error> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok())
        .collect()
}

/// Whether 32 key bytes are plainly not random: fewer than 8 distinct byte values, or a pattern
/// of up to 8 bytes repeated (all zeros, `0123…`, `abababab…`). A random key has about 30
/// distinct values, so this refuses no real key.
fn low_entropy(bytes: &[u8]) -> bool {
    let distinct = bytes
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let repeats = (1..=8).any(|period| {
        bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| *byte == bytes[index % period])
    });
    distinct < 8 || repeats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_are_plainly_not_random_are_refused() {
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        for weak in [
            vec![0_u8; 32],
            vec![0xff; 32],
            (0..32).map(|i| (i % 4) as u8).collect(),
            (0..32).map(|i| b"abcdefgh"[i % 8]).collect(),
            (0..32).map(|i| (i % 7) as u8).collect::<Vec<u8>>(),
        ] {
            let message = SecretKey::parse(&hex(&weak)).unwrap_err();
            assert!(message.contains("not random"), "{message}");
            assert!(!message.contains(&hex(&weak)), "the key is not echoed");
        }
        for _ in 0..200 {
            let random: [u8; 32] = random_bytes().unwrap();
            assert!(SecretKey::parse(&hex(&random)).is_ok());
        }
    }

    #[test]
    fn seal_round_trip_is_bound_to_key_and_context() {
        let key = SecretKey::generate().unwrap();
        let sealed = key.seal(b"api-key-123", "account-1").unwrap();
        assert!(!sealed.windows(11).any(|window| window == b"api-key-123"));
        assert_eq!(key.unseal(&sealed, "account-1").unwrap(), b"api-key-123");
        assert!(key.unseal(&sealed, "account-2").is_err());
        let other = SecretKey::generate().unwrap();
        assert!(other.unseal(&sealed, "account-1").is_err());
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(key.unseal(&tampered, "account-1").is_err());
        assert!(key.unseal(&[], "account-1").is_err());
        assert!(key.unseal(&[1, 2, 3], "account-1").is_err());
        // Two seals of the same value differ: the nonce is fresh each time.
        assert_ne!(sealed, key.seal(b"api-key-123", "account-1").unwrap());
    }

    #[test]
    fn secret_key_formats() {
        let check = |text: &str, ok: bool| {
            assert_eq!(SecretKey::parse(text).is_ok(), ok, "{text:?}");
        };
        let varied: Vec<u8> = (0..32_u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
        let hex: String = varied.iter().map(|b| format!("{b:02x}")).collect();
        check(&hex, true);
        check(&hex.to_uppercase(), true);
        check(&STANDARD.encode(&varied), true);
        check(&URL_SAFE_NO_PAD.encode(&varied), true);
        check(&"ab".repeat(31), false);
        check(&STANDARD.encode([7u8; 16]), false);
        check("", false);
        check("not a key", false);
        let error = SecretKey::parse("super-secret-value").unwrap_err();
        assert!(!error.contains("super-secret-value"));
    }

    #[test]
    fn tokens_verify_only_their_secret() {
        let id = new_id().unwrap();
        assert!(is_id(&id), "{id}");
        let issued = issue_token(&id).unwrap();
        let (token_id, secret) = split_token(&issued.token).unwrap();
        assert_eq!(token_id, id);
        assert!(issued.hash.verify(secret));
        let other = issue_token(&id).unwrap();
        let (_, other_secret) = split_token(&other.token).unwrap();
        assert!(!issued.hash.verify(other_secret));
        assert!(!issued.hash.verify(""));
        assert_ne!(issued.hash.salt, other.hash.salt);
    }

    #[test]
    fn split_token_trials() {
        let id = "0123abcd-0123-4567-89ab-0123456789ab";
        let secret = "a".repeat(43);
        let check = |token: String, ok: bool| {
            assert_eq!(split_token(&token).is_some(), ok, "{token}");
        };
        check(format!("{id}.{secret}"), true);
        check(format!("{id}.{}", "a".repeat(42)), false);
        check(format!("{id}.{}+", "a".repeat(42)), false);
        check(format!("{}.{secret}", id.to_uppercase()), false);
        check(format!("{id}{secret}"), false);
        check(format!("x{}.{secret}", &id[1..]), false);
        check(String::new(), false);
    }

    #[test]
    fn admin_key_comparison() {
        assert!(secrets_equal("admin-key", "admin-key"));
        assert!(!secrets_equal("admin-key", "admin-kez"));
        assert!(!secrets_equal("admin", "admin-key"));
        assert!(!secrets_equal("", "admin-key"));
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(
            hex_decode(&hex_encode(&[0, 1, 254, 255])).unwrap(),
            vec![0, 1, 254, 255]
        );
        assert_eq!(hex_decode("abc"), None);
        assert_eq!(hex_decode("zz"), None);
    }
}
