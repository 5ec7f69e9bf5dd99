//! Passwords: argon2id with the argon2 crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's
//! recommendation), a random salt per hash, and a type that never prints what it holds.

use std::fmt;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use serde::Deserialize;

/// Shortest password accepted for an account.
pub const MIN_LENGTH: usize = 12;
/// Longest password accepted anywhere, so nobody can make the server hash megabytes.
pub const MAX_LENGTH: usize = 1024;
/// Length of a generated password: 24 characters from 62 carry about 143 bits.
const GENERATED_LENGTH: usize = 24;
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A password in plain text, held only long enough to hash or check it. Its `Debug` shows nothing.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    pub fn new(plain: impl Into<String>) -> Self {
        Self(plain.into())
    }

    /// The password to set on an account: `given` if it is strong enough (else why not), or a
    /// generated one. The flag says it was generated, so it must be shown to the caller once.
    pub fn given_or_generated(given: Option<Self>) -> Result<(Self, bool), String> {
        match given {
            Some(given) => match given.weakness() {
                Some(weakness) => Err(weakness),
                None => Ok((given, false)),
            },
            None => Ok((Self::generate(), true)),
        }
    }

    /// A random password of letters and digits.
    fn generate() -> Self {
        let mut password = String::with_capacity(GENERATED_LENGTH);
        while password.len() < GENERATED_LENGTH {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).expect("the operating system's random source works");
            // Rejection sampling: 248 = 4 * 62, so every accepted byte maps to a letter uniformly.
            password.extend(
                bytes
                    .iter()
                    .filter(|&&b| b < 248)
                    .map(|&b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
                    .take(GENERATED_LENGTH - password.len()),
            );
        }
        Self(password)
    }

    /// Why this password may not be set on an account, if it may not.
    fn weakness(&self) -> Option<String> {
        let length = self.0.chars().count();
        if length < MIN_LENGTH {
            Some(format!("must be at least {MIN_LENGTH} characters long"))
        } else if self.0.len() > MAX_LENGTH {
            Some(format!("must be at most {MAX_LENGTH} bytes long"))
        } else {
            None
        }
    }

    /// The plain text, for showing a generated password to its owner once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// An argon2id PHC string (`$argon2id$v=19$...`) with a fresh random salt.
    pub fn hash(&self) -> Result<String, argon2::password_hash::Error> {
        Ok(Argon2::default()
            .hash_password(self.0.as_bytes())?
            .to_string())
    }

    /// True when this password matches `hash`. A malformed hash matches nothing.
    pub fn matches(&self, hash: &str) -> bool {
        self.0.len() <= MAX_LENGTH
            && PasswordHash::new(hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(self.0.as_bytes(), &parsed)
                    .is_ok()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_nothing_prints() {
        let password = Password::new("correct horse battery staple");
        let hash = password.hash().unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password.matches(&hash));
        assert!(!Password::new("wrong password!").matches(&hash));
        assert!(!password.matches("not a hash"));
        assert_eq!(format!("{password:?}"), "Password(<redacted>)");
    }

    #[test]
    fn the_decoy_hash_costs_what_a_real_one_does() {
        let decoy = PasswordHash::new(super::super::DECOY_HASH).unwrap();
        let real_hash = Password::new("any password at all").hash().unwrap();
        let real = PasswordHash::new(&real_hash).unwrap();
        assert_eq!(decoy.algorithm, real.algorithm);
        assert_eq!(decoy.params, real.params);
    }

    #[test]
    fn generated_passwords_are_long_random_and_strong() {
        let (a, generated) = Password::given_or_generated(None).unwrap();
        assert!(generated);
        let b = Password::generate();
        assert_eq!(a.reveal().len(), GENERATED_LENGTH);
        assert!(a.reveal().bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a.reveal(), b.reveal());
        assert_eq!(a.weakness(), None);
        assert!(Password::given_or_generated(Some(Password::new("short"))).is_err());
        let (given, generated) =
            Password::given_or_generated(Some(Password::new("long enough, really"))).unwrap();
        assert_eq!((given.reveal(), generated), ("long enough, really", false));
        assert!(Password::new("x".repeat(MAX_LENGTH + 1))
            .weakness()
            .is_some());
    }
}
