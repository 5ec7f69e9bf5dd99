//! The shape every change to an existing entity shares: an authenticated caller, the revision
//! their `If-Match` names, authorisation against the entity as it stands, and one write
//! transaction stamped with the caller. Update and delete handlers state only what differs.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse};

use super::responses;
use super::AppState;
use crate::auth::Identity;
use crate::db::DbConnection;
use crate::domain::Role;
use crate::error::ApiError;
use crate::store::audit::Stamp;
use crate::store::deployments::Deployment;
use crate::store::foi_requests::FoiRequest;
use crate::store::impact_assessments::ImpactAssessment;
use crate::store::{write_transaction, Precondition, StoreError};

/// Entities that belong to one force, which force staff may change only for their own forces.
pub trait ForceOwned {
    fn force(&self) -> &str;
}

impl ForceOwned for Deployment {
    fn force(&self) -> &str {
        &self.force
    }
}

impl ForceOwned for ImpactAssessment {
    fn force(&self) -> &str {
        &self.force
    }
}

impl ForceOwned for FoiRequest {
    fn force(&self) -> &str {
        &self.force
    }
}

/// A conditional change requested by an authenticated caller (an extractor: the bearer token is
/// checked and `If-Match` read before the handler runs).
pub struct Change {
    pub identity: Identity,
    expected: Precondition,
}

impl FromRequest for Change {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let expected = responses::if_match(req);
        let identity = Identity::from_request(req, payload);
        Box::pin(async move {
            Ok(Self {
                identity: identity.await?,
                expected,
            })
        })
    }
}

impl Change {
    /// Refuses callers whose role is not one of `roles`.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), ApiError> {
        Ok(self.identity.require_role(roles)?)
    }

    /// Makes the change in one write transaction, stamped with the caller and conditional on the
    /// revision `If-Match` named.
    pub async fn apply<T, F>(self, state: &AppState, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection, &Stamp, Precondition) -> Result<T, StoreError>
            + Send
            + 'static,
    {
        let stamp = Stamp::now(self.identity.actor());
        let expected = self.expected;
        Ok(state
            .db
            .run(move |conn| write_transaction(conn, |conn| work(conn, &stamp, expected)))
            .await?)
    }

    /// [`Self::apply`] to an entity of one force: `read` loads the entity as it stands, callers
    /// who may not write its force are refused (nothing is written), and `work` changes it. The
    /// check and the write see the same row, over one connection.
    pub async fn apply_to<E, T, R, F>(
        self,
        state: &AppState,
        read: R,
        work: F,
    ) -> Result<T, ApiError>
    where
        E: ForceOwned,
        T: Send + 'static,
        R: FnOnce(&mut DbConnection) -> Result<E, StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection, &Stamp, Precondition, E) -> Result<T, StoreError>
            + Send
            + 'static,
    {
        let identity = self.identity.clone();
        self.apply(state, move |conn, stamp, expected| {
            let current = read(conn)?;
            if !identity.can_write_force(current.force()) {
                return Err(StoreError::Forbidden(current.force().to_owned()));
            }
            work(conn, stamp, expected, current)
        })
        .await
    }
}

/// Reads an entity as it stands and refuses `identity` if it may not write the entity's force.
pub async fn authorise<T, F>(state: &AppState, identity: &Identity, read: F) -> Result<T, ApiError>
where
    T: ForceOwned + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
{
    let current = state.db.run(read).await?;
    identity.require_force(current.force())?;
    Ok(current)
}

/// The answer to a deletion.
pub fn deleted() -> HttpResponse {
    HttpResponse::NoContent().finish()
}
