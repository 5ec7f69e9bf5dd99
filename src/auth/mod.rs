//! Who is calling: signing keys, bearer tokens, password hashing, login throttling, and the
//! [`Identity`] extractor that handlers take to require a logged-in account.

pub mod commands;
mod error;
mod identity;
mod keys;
mod password;
mod throttle;
mod token;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use actix_web::http::header::HeaderValue;
use actix_web::HttpRequest;
use jsonwebtoken::jwk::JwkSet;

pub use error::AuthError;
pub use identity::Identity;
pub use keys::{KeyError, KeySet};
pub use password::{Password, MIN_LENGTH as PASSWORD_MIN_LENGTH};
pub use throttle::LoginThrottle;
pub use token::{Claims, IssuedToken, TokenError, Tokens, AUDIENCE};

use crate::db::Database;
use crate::store::{accounts, StoreError};

/// An argon2id hash (the crate's default parameters) of a random password nobody knows. A login
/// for an unknown username is checked against it, so it takes as long as one for a known username
/// and timing does not tell which usernames exist.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$9lcJUVwAKrX8XvW1W5dNng$q3F0KSo9AMhzoasorcAE3Keh6l7B1BwHN4oNMpAC1M4";

/// How tokens are made and who is trusted about client addresses.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// `None`: generate an ephemeral key at start (tokens die with the process).
    pub keys: Option<KeySet>,
    /// The `iss` of tokens issued and accepted.
    pub issuer: String,
    pub token_lifetime: Duration,
    /// Take the client address from `Forwarded`/`X-Forwarded-For` (only behind a proxy that sets
    /// them); otherwise the TCP peer address is used.
    pub trust_forwarded_for: bool,
}

impl AuthSettings {
    pub const DEFAULT_ISSUER: &'static str = "surveillance-registry";
    pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
}

/// Logs people in and authenticates requests. Shared by every worker as `web::Data`.
pub struct Authenticator {
    db: Database,
    tokens: Tokens,
    throttle: LoginThrottle,
    trust_forwarded_for: bool,
}

impl Authenticator {
    /// Uses the configured keys, or generates an ephemeral one with a warning.
    pub fn new(db: Database, settings: AuthSettings) -> Result<Self, KeyError> {
        let keys = match settings.keys {
            Some(keys) => keys,
            None => {
                let keys = KeySet::ephemeral()?;
                tracing::warn!(
                    kid = keys.kids()[0],
                    "REGISTRY_JWT_KEYS is not set: signing tokens with a key generated at start. \
                     Tokens will not survive a restart and other instances will reject them; \
                     configure keys for any deployment that issues tokens"
                );
                keys
            }
        };
        Ok(Self {
            db,
            tokens: Tokens::new(keys, settings.issuer, settings.token_lifetime),
            throttle: LoginThrottle::default(),
            trust_forwarded_for: settings.trust_forwarded_for,
        })
    }

    /// The public keys tokens can be checked with.
    pub fn jwks(&self) -> &JwkSet {
        self.tokens.keys().jwks()
    }

    /// The address failed logins are counted against.
    pub fn client_address(&self, req: &HttpRequest) -> Option<IpAddr> {
        if self.trust_forwarded_for {
            let info = req.connection_info();
            let raw = info.realip_remote_addr()?;
            raw.parse::<IpAddr>()
                .ok()
                .or_else(|| raw.parse::<SocketAddr>().ok().map(|a| a.ip()))
        } else {
            req.peer_addr().map(|a| a.ip())
        }
    }

    /// Checks a username and password and issues a token; 429 while throttled, 401 otherwise.
    pub async fn login(
        &self,
        username: String,
        password: Password,
        client: Option<IpAddr>,
    ) -> Result<IssuedToken, AuthError> {
        self.throttle
            .check(&username, client)
            .map_err(|wait| AuthError::Throttled { retry_after: wait })?;
        let lookup = username.clone();
        let credentials = self
            .db
            .run(move |conn| accounts::credentials(conn, &lookup))
            .await?;
        // Hashing is slow on purpose: keep it off the async workers.
        let account = tokio::task::spawn_blocking(move || {
            let hash = credentials
                .as_ref()
                .map_or(DECOY_HASH, |c| c.password_hash.as_str());
            let matches = password.matches(hash);
            credentials
                .filter(|c| matches && !c.account.disabled)
                .map(|c| c.account)
        })
        .await
        .map_err(|e| AuthError::Internal(format!("the password check failed: {e}")))?;
        let Some(account) = account else {
            self.throttle.record_failure(&username, client);
            tracing::info!(%username, ?client, "login failed");
            return Err(AuthError::WrongCredentials);
        };
        self.throttle.record_success(&username);
        let issued = self
            .tokens
            .issue(&account)
            .map_err(|e| AuthError::Internal(format!("cannot sign a token: {e}")))?;
        tracing::info!(%username, account_id = %account.id, "token issued");
        Ok(issued)
    }

    /// The identity behind an `Authorization: Bearer` header, checked against the database.
    pub async fn authenticate(
        &self,
        authorization: Option<&HeaderValue>,
    ) -> Result<Identity, AuthError> {
        let token = bearer_token(authorization)?;
        let claims = self.tokens.verify(token).map_err(AuthError::InvalidToken)?;
        let account = match self
            .db
            .run(move |conn| accounts::get(conn, &claims.sub))
            .await
        {
            Ok(account) if !account.disabled => account,
            Ok(_) | Err(StoreError::NotFound { .. }) => return Err(AuthError::AccountGone),
            Err(other) => return Err(other.into()),
        };
        Ok(Identity::from(account))
    }
}

/// Hashes `password` on a blocking thread: argon2 is slow on purpose and must not stall a worker.
pub async fn hash_password(password: Password) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || password.hash())
        .await
        .map_err(|e| AuthError::Internal(format!("the password hashing failed: {e}")))?
        .map_err(|e| AuthError::Internal(format!("cannot hash a password: {e}")))
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer_token(authorization: Option<&HeaderValue>) -> Result<&str, AuthError> {
    let value = authorization
        .ok_or(AuthError::MissingToken)?
        .to_str()
        .map_err(|_| AuthError::InvalidToken(TokenError::Invalid))?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::MissingToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::MissingToken);
    }
    Ok(token.trim())
}
