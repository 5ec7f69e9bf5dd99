//! The `Identity` extractor: the authenticated account behind a request, as the database has it now.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use utoipa::ToSchema;

use super::{AuthError, Authenticator};
use crate::domain::Role;
use crate::error::ApiError;
use crate::store::accounts::Account;
use crate::store::audit::Actor;

/// Who is calling. Extracting it authenticates the request (401 without a valid bearer token, or
/// when the account is disabled or gone); role and forces are read from the database on every
/// request, so a change to the account applies at once.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "account_id": "019abc12-7e4f-7d3a-9c11-2b3c4d5e6f70",
    "username": "cambs-foi",
    "display_name": "Cambridgeshire FOI team",
    "organisation": "Cambridgeshire Constabulary",
    "role": "force_staff",
    "forces": ["cambridgeshire"]
}))]
pub struct Identity {
    pub account_id: String,
    pub username: String,
    pub display_name: String,
    pub organisation: String,
    pub role: Role,
    /// The forces a `force_staff` account may write; empty for other roles, which may write all.
    pub forces: Vec<String>,
}

impl From<Account> for Identity {
    fn from(account: Account) -> Self {
        Self {
            account_id: account.id,
            username: account.username,
            display_name: account.display_name,
            organisation: account.organisation,
            role: account.role,
            forces: account.forces,
        }
    }
}

impl Identity {
    /// 403 unless the account has one of `roles`.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), AuthError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AuthError::ForbiddenRole {
                needed: roles.to_vec(),
                role: self.role,
            })
        }
    }

    /// True when the account may write entries of `force`: admins and editors may write every
    /// force, force staff only those listed on their account.
    pub fn can_write_force(&self, force: &str) -> bool {
        match self.role {
            Role::Admin | Role::Editor => true,
            Role::ForceStaff => self.forces.iter().any(|f| f == force),
        }
    }

    /// 403 unless [`Self::can_write_force`].
    pub fn require_force(&self, force: &str) -> Result<(), AuthError> {
        if self.can_write_force(force) {
            Ok(())
        } else {
            Err(AuthError::ForbiddenForce(force.to_owned()))
        }
    }

    /// The author of this account's writes, as the change log records it.
    pub fn actor(&self) -> Actor {
        Actor {
            role: Some(self.role),
            organisation: self.organisation.clone(),
        }
    }
}

/// The HTTP edge of auth: an [`AuthError`] becomes its problem response here.
impl FromRequest for Identity {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let authenticator = req.app_data::<web::Data<Authenticator>>().cloned();
        let authorization = req.headers().get(header::AUTHORIZATION).cloned();
        Box::pin(async move {
            let authenticator = authenticator
                .ok_or_else(|| AuthError::Internal("no Authenticator in app data".into()))?;
            Ok(authenticator.authenticate(authorization.as_ref()).await?)
        })
    }
}
