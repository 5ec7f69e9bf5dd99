//! Why a caller could not be logged in, authenticated or authorised. Auth knows nothing of HTTP:
//! `error.rs` turns these into problem responses (status, `WWW-Authenticate`, `Retry-After`).

use std::time::Duration;

use super::TokenError;
use crate::domain::Role;
use crate::store::StoreError;

/// Everything login, authentication and the role and force checks can fail with. The messages are
/// the problem `detail` clients see.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error(
        "This needs a bearer token: send `Authorization: Bearer <token>`, with a token from \
         POST /api/v1/auth/token."
    )]
    MissingToken,
    /// A bearer token was sent but is not valid (or has expired).
    #[error("{0}")]
    InvalidToken(TokenError),
    /// The token is valid but its account is disabled or no longer exists.
    #[error("The account of this token is disabled or no longer exists.")]
    AccountGone,
    /// A login with a wrong username or password, or for a disabled account (deliberately one
    /// answer, so it does not tell which).
    #[error("The username or password is wrong, or the account is disabled.")]
    WrongCredentials,
    /// Too many failed logins for the username or the client address; `retry_after` is the wait.
    #[error("Too many failed logins for this username or address; wait and retry.")]
    Throttled { retry_after: Duration },
    /// Authenticated, but the account has none of the roles needed.
    #[error("This needs the role {}; this account is {role}.", role_list(.needed))]
    ForbiddenRole { needed: Vec<Role>, role: Role },
    /// Authenticated, but the account may not write entries of this force.
    #[error("This account may not write entries of the force `{0}`.")]
    ForbiddenForce(String),
    /// Reading the account failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing, signing or their blocking task failed: a server fault, not the caller's.
    #[error("{0}")]
    Internal(String),
}

/// `admin or editor`.
fn role_list(roles: &[Role]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    names.join(" or ")
}
