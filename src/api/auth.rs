//! `/api/v1/auth`: logging in for a bearer token, and who the token belongs to; and the public
//! keys tokens are signed with, at `/.well-known/jwks.json`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::responses;
use crate::auth::{Authenticator, Identity, Password};
use crate::domain::{ParseError, Username};
use crate::error::{ApiError, Problem};

/// Credentials exchanged for a token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "cambs-foi", "password": "correct horse battery staple"}))]
pub struct TokenRequest {
    #[schema(value_type = Username)]
    username: String,
    #[schema(value_type = String, format = Password)]
    password: Password,
}

/// A bearer token (RFC 6750) for the `Authorization` header of writes.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6IjIwMjYtMTEiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "Bearer", "expires_in": 900}))]
pub struct TokenResponse {
    /// A JWT signed with EdDSA (Ed25519); its public keys are at `/.well-known/jwks.json`.
    access_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds until the token expires.
    expires_in: u64,
}

/// Log in.
///
/// Exchanges a username and password for a short-lived bearer token. Repeated failures for one
/// username or from one address are refused with 429 for a while (limits are per server instance).
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "A token", body = TokenResponse, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "The body is not a valid request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The username or password is wrong, or the account is disabled", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String))),
        (status = 429, description = "Too many failed logins; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64))),
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    req: HttpRequest,
    authenticator: web::Data<Authenticator>,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let TokenRequest { username, password } = body.into_inner();
    let username: Username = username
        .parse()
        .map_err(|e: ParseError| ApiError::invalid_field("username", e.0))?;
    let client = authenticator.client_address(&req);
    let issued = authenticator
        .login(username.to_string(), password, client)
        .await?;
    Ok(responses::private(
        StatusCode::OK,
        None,
        &TokenResponse {
            access_token: issued.token,
            token_type: "Bearer",
            expires_in: issued.expires_in,
        },
    ))
}

/// Who am I?
///
/// The account the bearer token belongs to, with its current role and forces.
#[utoipa::path(
    tag = "auth",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The caller's identity", body = Identity),
        (status = 401, description = "No valid bearer token, or the account is disabled or gone", body = Problem,
            content_type = "application/problem+json", headers(("WWW-Authenticate" = String))),
    )
)]
#[get("/auth/me")]
pub async fn me(identity: Identity) -> HttpResponse {
    responses::private(StatusCode::OK, None, &identity)
}

/// Token signing keys.
///
/// The public keys (JWK set, RFC 7517) that verify this registry's tokens, by `kid`. The first signs
/// new tokens; the others verify tokens issued before a key rotation.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "The JWK set", content_type = "application/json", body = Object,
        headers(("ETag" = String)),
        example = json!({"keys": [{"kid": "2026-11", "use": "sig", "alg": "EdDSA", "kty": "OKP", "crv": "Ed25519",
            "x": "Z22BXGoYWxsZy3aGy5ReWEyancXCok_9OJ9P9bT5Qr4"}]})))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(req: HttpRequest, authenticator: web::Data<Authenticator>) -> HttpResponse {
    responses::json(&req, authenticator.jwks())
}
