//! Bearer tokens: short-lived JWTs signed with the first configured key, checked against all of them.

use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{decode, decode_header, encode, get_current_timestamp, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::{KeySet, ALGORITHM};
use crate::domain::Role;
use crate::store::accounts::Account;

/// The `aud` of every token: this API, so a token minted for another service sharing a key (or
/// one of ours replayed elsewhere) is refused.
pub const AUDIENCE: &str = "surveillance-registry-api";
/// Clock difference between instances tolerated when checking `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

/// What a token says. `role` and `forces` are what the account had when the token was issued, for
/// clients to read; the server always uses the account's current ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    pub role: Role,
    pub forces: Vec<String>,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub iss: String,
    pub aud: String,
    /// A unique id per token, so a token can be traced in logs without logging the token.
    pub jti: String,
}

/// A freshly signed token. Not `Debug`: it is a credential.
pub struct IssuedToken {
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// Why a token was refused. Deliberately coarse: a client only needs to know whether to log in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("The bearer token has expired; request a new one.")]
    Expired,
    #[error("The bearer token is not valid.")]
    Invalid,
}

/// Issues and verifies tokens.
#[derive(Debug, Clone)]
pub struct Tokens {
    keys: KeySet,
    issuer: String,
    lifetime: Duration,
    validation: Validation,
}

impl Tokens {
    pub fn new(keys: KeySet, issuer: String, lifetime: Duration) -> Self {
        // Only EdDSA is accepted, whatever the header claims: that rules out `none` and the
        // HS256-with-the-public-key confusion.
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        Self {
            keys,
            issuer,
            lifetime,
            validation,
        }
    }

    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Signs a token for `account`.
    pub fn issue(&self, account: &Account) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        let now = get_current_timestamp();
        let expires_in = self.lifetime.as_secs();
        let claims = Claims {
            sub: account.id.clone(),
            role: account.role,
            forces: account.forces.clone(),
            iat: now,
            nbf: now,
            exp: now + expires_in,
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            jti: uuid::Uuid::now_v7().to_string(),
        };
        let (kid, key) = self.keys.signing();
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(kid.to_owned());
        header.typ = Some("JWT".to_owned());
        Ok(IssuedToken {
            token: encode(&header, &claims, key)?,
            expires_in,
        })
    }

    /// Checks the signature (with the key its `kid` names), the algorithm, `exp`, `nbf`, `iss` and
    /// `aud`.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Invalid)?;
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.verifying(kid))
            .ok_or(TokenError::Invalid)?;
        decode::<Claims>(token, key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}
