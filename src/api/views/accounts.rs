//! The view of an account, as admins and its owner see it (never the password hash).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Role;
use crate::store::accounts::Account;

/// An account as shown to admins and to its owner. It never holds the password hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Account, example = json!({
    "id": "019abc12-7e4f-7d3a-9c11-2b3c4d5e6f70",
    "username": "cambs-foi",
    "display_name": "Cambridgeshire FOI team",
    "organisation": "Cambridgeshire Constabulary",
    "role": "force_staff",
    "forces": ["cambridgeshire"],
    "disabled": false,
    "revision": 1,
    "created_at": "2026-11-26T23:00:00Z",
    "updated_at": "2026-11-26T23:00:00Z"
}))]
pub struct AccountView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// Shown publicly as the author of this account's writes.
    pub organisation: String,
    pub role: Role,
    /// The forces a `force_staff` account may write; empty for other roles.
    pub forces: Vec<String>,
    /// A disabled account cannot log in, and its tokens stop working at once.
    pub disabled: bool,
    /// Goes up by one with every change; the ETag is `"r<revision>"`.
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Account> for AccountView {
    fn from(v: Account) -> Self {
        Self {
            id: v.id,
            username: v.username,
            display_name: v.display_name,
            organisation: v.organisation,
            role: v.role,
            forces: v.forces,
            disabled: v.disabled,
            revision: v.revision,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}
