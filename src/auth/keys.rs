//! Token signing keys: Ed25519 (JWS `EdDSA`), each with a key id (`kid`).
//!
//! EdDSA because it is asymmetric (instances and third parties verify with public keys, published at
//! `/.well-known/jwks.json`), has small keys and signatures, no parameters to get wrong, and
//! deterministic signing (no nonce to reuse). The first configured key signs; every configured key
//! verifies, so a new key can be put first while tokens signed by the old one run out.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};

/// The only algorithm tokens are signed with or accepted in.
pub const ALGORITHM: Algorithm = Algorithm::EdDSA;

/// The PKCS#8 v1 prefix of an Ed25519 private key (RFC 8410 section 7); the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// Why the configured keys cannot be used. Messages name key ids and paths, never key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("REGISTRY_JWT_KEYS lists no key")]
    Empty,
    #[error("REGISTRY_JWT_KEYS entry `{0}` is not KID=PATH")]
    Syntax(String),
    #[error("key id `{0}` is not 1 to 64 letters, digits, `.`, `_` or `-`")]
    BadKid(String),
    #[error("key id `{0}` is listed twice in REGISTRY_JWT_KEYS")]
    DuplicateKid(String),
    #[error("cannot read key `{kid}` from {}: {reason}", path.display())]
    Read {
        kid: String,
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error(
        "key `{kid}` in {} is not an Ed25519 private or public key in PEM \
         (make one with `openssl genpkey -algorithm ed25519`)",
        path.display()
    )]
    NotEd25519 { kid: String, path: PathBuf },
    #[error("key `{0}` is listed first, so it signs, but its file holds only a public key")]
    FirstNotPrivate(String),
    #[error("cannot generate a key: {0}")]
    Random(String),
}

/// The keys tokens are signed and verified with. Not `Debug`-printable beyond the key ids.
#[derive(Clone)]
pub struct KeySet {
    signing_kid: String,
    signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    jwks: JwkSet,
    ephemeral: bool,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("kids", &self.kids())
            .field("ephemeral", &self.ephemeral)
            .finish_non_exhaustive()
    }
}

/// One configured key: its id, the private key when the file held one, and the public key as a JWK.
struct Entry {
    kid: String,
    private: Option<EncodingKey>,
    public: Jwk,
}

impl KeySet {
    /// Parses `KID=PATH[,KID=PATH...]`: PEM files holding Ed25519 keys, the first of them private.
    /// Later entries may be private or public keys (`openssl pkey -pubout`); they only verify.
    pub fn from_config(spec: &str) -> Result<Self, KeyError> {
        let mut entries: Vec<Entry> = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (kid, path) = item
                .split_once('=')
                .ok_or_else(|| KeyError::Syntax(item.to_owned()))?;
            let kid = kid.trim();
            check_kid(kid)?;
            if entries.iter().any(|e| e.kid == kid) {
                return Err(KeyError::DuplicateKid(kid.to_owned()));
            }
            entries.push(read_pem(kid, Path::new(path.trim()))?);
        }
        Self::build(entries, false)
    }

    /// A fresh random key that lives only as long as this process.
    pub fn ephemeral() -> Result<Self, KeyError> {
        let random = |e: getrandom::Error| KeyError::Random(e.to_string());
        let mut der = [0u8; 48];
        der[..16].copy_from_slice(&ED25519_PKCS8_PREFIX);
        getrandom::fill(&mut der[16..]).map_err(random)?;
        let mut kid = [0u8; 4];
        getrandom::fill(&mut kid).map_err(random)?;
        let key = EncodingKey::from_ed_der(&der);
        let public =
            Jwk::from_encoding_key(&key, ALGORITHM).map_err(|e| KeyError::Random(e.to_string()))?;
        let entry = Entry {
            kid: format!("ephemeral-{}", hex::encode(kid)),
            private: Some(key),
            public,
        };
        Self::build(vec![entry], true)
    }

    fn build(entries: Vec<Entry>, ephemeral: bool) -> Result<Self, KeyError> {
        let first = entries.first().ok_or(KeyError::Empty)?;
        let signing = first
            .private
            .clone()
            .ok_or_else(|| KeyError::FirstNotPrivate(first.kid.clone()))?;
        let signing_kid = first.kid.clone();
        let mut verifying = HashMap::new();
        let mut jwks = JwkSet::default();
        for Entry {
            kid, mut public, ..
        } in entries
        {
            public.common.key_id = Some(kid.clone());
            public.common.public_key_use = Some(PublicKeyUse::Signature);
            public.common.key_algorithm = Some(KeyAlgorithm::EdDSA);
            let key = DecodingKey::from_jwk(&public)
                .expect("a JWK derived from a parsed Ed25519 key converts back");
            verifying.insert(kid, key);
            jwks.keys.push(public);
        }
        Ok(Self {
            signing_kid,
            signing,
            verifying,
            jwks,
            ephemeral,
        })
    }

    /// The key that signs new tokens, and its id.
    pub(super) fn signing(&self) -> (&str, &EncodingKey) {
        (&self.signing_kid, &self.signing)
    }

    /// The key with id `kid`, if it is one of ours.
    pub(super) fn verifying(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifying.get(kid)
    }

    /// The public keys, as published at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// Key ids, the signing key first.
    pub fn kids(&self) -> Vec<&str> {
        self.jwks
            .keys
            .iter()
            .filter_map(|k| k.common.key_id.as_deref())
            .collect()
    }

    /// True for a key generated at start because none was configured.
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral
    }
}

fn check_kid(kid: &str) -> Result<(), KeyError> {
    let ok = (1..=64).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(KeyError::BadKid(kid.chars().take(80).collect()))
    }
}

fn read_pem(kid: &str, path: &Path) -> Result<Entry, KeyError> {
    let pem = std::fs::read(path).map_err(|reason| KeyError::Read {
        kid: kid.to_owned(),
        path: path.to_owned(),
        reason,
    })?;
    let not_ed25519 = || KeyError::NotEd25519 {
        kid: kid.to_owned(),
        path: path.to_owned(),
    };
    // A private key is tried first; its public half is derived here, so a key of another kind
    // (RSA, P-256) is reported now, with its path.
    let (private, public) = match EncodingKey::from_ed_pem(&pem) {
        Ok(key) => {
            let public = Jwk::from_encoding_key(&key, ALGORITHM).map_err(|_| not_ed25519())?;
            (Some(key), public)
        }
        Err(_) => {
            let key = DecodingKey::from_ed_pem(&pem).map_err(|_| not_ed25519())?;
            let public =
                Jwk::from_decoding_key(&key, Some(ALGORITHM)).map_err(|_| not_ed25519())?;
            (None, public)
        }
    };
    Ok(Entry {
        kid: kid.to_owned(),
        private,
        public,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\n\
        MC4CAQAwBQYDK2VwBCIEIEpqA5CE6eH5ILjVA1/nTXKxQdFfSct67dBnAuPzyCeO\n\
        -----END PRIVATE KEY-----\n";
    const PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\n\
        MCowBQYDK2VwAyEAZ22BXGoYWxsZy3aGy5ReWEyancXCok/9OJ9P9bT5Qr4=\n\
        -----END PUBLIC KEY-----\n";

    fn files() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("new.pem"), PRIVATE).unwrap();
        std::fs::write(dir.path().join("old.pub.pem"), PUBLIC).unwrap();
        std::fs::write(dir.path().join("junk.pem"), "not a key").unwrap();
        let base = dir.path().display().to_string();
        (dir, base)
    }

    #[test]
    fn first_key_signs_and_every_key_is_published() {
        let (_dir, base) = files();
        let keys = KeySet::from_config(&format!(
            "2026-11={base}/new.pem, 2026-08={base}/old.pub.pem"
        ))
        .unwrap();
        assert_eq!(keys.signing().0, "2026-11");
        assert_eq!(keys.kids(), ["2026-11", "2026-08"]);
        assert!(keys.verifying("2026-08").is_some());
        // The public half of the private key is what `openssl pkey -pubout` printed.
        let published = serde_json::to_value(keys.jwks()).unwrap();
        assert_eq!(
            published["keys"][0],
            serde_json::json!({"kid": "2026-11", "use": "sig", "alg": "EdDSA", "kty": "OKP",
                "crv": "Ed25519", "x": published["keys"][1]["x"]})
        );
        assert!(!format!("{keys:?}").contains("MC4C"));
    }

    #[test]
    fn bad_configurations_name_the_key_but_not_its_material() {
        let (_dir, base) = files();
        for (spec, expected) in [
            ("", "lists no key"),
            ("nokid", "not KID=PATH"),
            ("bad kid=/x", "is not 1 to 64"),
            (
                &format!("a={base}/new.pem,a={base}/new.pem"),
                "listed twice",
            ),
            ("a=/does/not/exist.pem", "cannot read key `a`"),
            (&format!("a={base}/junk.pem"), "not an Ed25519"),
            (&format!("a={base}/old.pub.pem"), "only a public key"),
        ] {
            let error = KeySet::from_config(spec).unwrap_err().to_string();
            assert!(error.contains(expected), "{spec}: {error}");
        }
    }

    #[test]
    fn ephemeral_keys_differ() {
        let a = KeySet::ephemeral().unwrap();
        let b = KeySet::ephemeral().unwrap();
        assert!(a.is_ephemeral());
        assert_ne!(a.jwks().keys[0], b.jwks().keys[0]);
    }
}
