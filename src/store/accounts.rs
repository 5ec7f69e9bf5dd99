//! Accounts of the people who write: their role, the forces a `force_staff` account may edit, and
//! their argon2 password hash (stored, checked by `crate::auth`, never returned by anything here
//! except [`credentials`]).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::audit::{self, Action, Change, Changed, Stamp};
use super::{forces, new_id, parse_column, utc, write_transaction, Page, PageRequest, StoreError};
use crate::db::schema::{account_forces, accounts};
use crate::db::DbConnection;
use crate::domain::{Role, Slug, Username};

const ENTITY: &str = "account";

/// An account as shown to admins and to its owner. It never holds the password hash.
#[derive(Debug, Clone)]
pub struct Account {
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
    /// Goes up by one with every change; writers name it to show what their change is based on.
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new account. Not `Debug`: it carries a password hash.
pub struct NewAccount {
    pub username: Username,
    pub display_name: String,
    pub organisation: String,
    pub role: Role,
    pub forces: Vec<Slug>,
    /// A PHC string from `crate::auth::Password::hash`.
    pub password_hash: String,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub display_name: Option<String>,
    pub organisation: Option<String>,
    pub role: Option<Role>,
    pub forces: Option<Vec<Slug>>,
    pub disabled: Option<bool>,
}

/// What a login checks. Not `Debug`: it carries the password hash.
pub struct Credentials {
    pub account: Account,
    pub password_hash: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = accounts)]
struct AccountRow {
    id: String,
    username: String,
    display_name: String,
    organisation: String,
    role: String,
    disabled: bool,
    revision: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Creates an account, recording the change event in the same transaction.
pub fn create(
    conn: &mut DbConnection,
    stamp: &Stamp,
    new: NewAccount,
) -> Result<Account, StoreError> {
    write_transaction(conn, |conn| {
        check_forces(conn, new.role, &new.forces)?;
        let taken = diesel::select(diesel::dsl::exists(
            accounts::table.filter(accounts::username.eq(new.username.as_str())),
        ))
        .get_result(conn)?;
        if taken {
            return Err(StoreError::Conflict(format!(
                "An account with the username `{}` already exists.",
                new.username
            )));
        }
        let id = new_id();
        diesel::insert_into(accounts::table)
            .values((
                accounts::id.eq(&id),
                accounts::username.eq(new.username.as_str()),
                accounts::display_name.eq(&new.display_name),
                accounts::organisation.eq(&new.organisation),
                accounts::role.eq(new.role.as_str()),
                accounts::password_hash.eq(&new.password_hash),
                accounts::disabled.eq(false),
                accounts::revision.eq(1),
                accounts::created_at.eq(stamp.at),
                accounts::updated_at.eq(stamp.at),
            ))
            .execute(conn)?;
        replace_forces(conn, &id, &new.forces)?;
        audit::record(
            conn,
            stamp,
            Change {
                entity_type: ENTITY,
                entity_id: &id,
                action: Action::Create,
                revision: 1,
                force_slug: None,
                changed: Changed::Names(&[
                    "username",
                    "display_name",
                    "organisation",
                    "role",
                    "forces",
                    "password",
                ]),
                summary: format!("account created with role {}", new.role),
            },
        )?;
        get(conn, &id)
    })
}

/// Accounts in username order.
pub fn list(
    conn: &mut DbConnection,
    page: &PageRequest<String>,
) -> Result<Page<Account, String>, StoreError> {
    let mut query = accounts::table
        .select(AccountRow::as_select())
        .order(accounts::username.asc())
        .limit(page.limit as i64 + 1)
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(accounts::username.gt(after.clone()));
    }
    let rows = query.load(conn)?;
    let page_rows = Page::from_overfetch(rows, page.limit, |row| row.username.clone());
    Ok(Page {
        items: with_forces(conn, page_rows.items)?,
        next_after: page_rows.next_after,
        total: if page.count {
            Some(accounts::table.count().get_result(conn)?)
        } else {
            None
        },
    })
}

/// One account by id.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Account, StoreError> {
    find(conn, Key::Id(id))
}

/// One account by username.
pub fn get_by_username(conn: &mut DbConnection, username: &str) -> Result<Account, StoreError> {
    find(conn, Key::Username(username))
}

enum Key<'a> {
    Id(&'a str),
    Username(&'a str),
}

/// One account with its forces, in one statement: every authenticated request reads one.
fn find(conn: &mut DbConnection, key: Key<'_>) -> Result<Account, StoreError> {
    let query = accounts::table
        .left_join(account_forces::table)
        .select((
            AccountRow::as_select(),
            account_forces::force_slug.nullable(),
        ))
        .order(account_forces::force_slug)
        .into_boxed();
    let (query, shown) = match key {
        Key::Id(id) => (query.filter(accounts::id.eq(id)), id),
        Key::Username(username) => (query.filter(accounts::username.eq(username)), username),
    };
    let mut rows = query
        .load::<(AccountRow, Option<String>)>(conn)?
        .into_iter();
    let (row, first) = rows.next().ok_or_else(|| StoreError::NotFound {
        entity: ENTITY,
        key: shown.to_owned(),
    })?;
    let forces = first
        .into_iter()
        .chain(rows.filter_map(|(_, f)| f))
        .collect();
    into_account(row, forces)
}

/// The account named `username` and its stored hash, for a login to check; `None` when no such
/// account exists.
pub fn credentials(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<Credentials>, StoreError> {
    let Some((id, password_hash)) = accounts::table
        .filter(accounts::username.eq(username))
        .select((accounts::id, accounts::password_hash))
        .first::<(String, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    Ok(Some(Credentials {
        account: get(conn, &id)?,
        password_hash,
    }))
}

/// Applies `changes` if the account is still at the revision `expected` names. Call inside a write
/// transaction.
pub fn update(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    expected: super::Precondition,
    changes: AccountChanges,
) -> Result<Account, StoreError> {
    let current = get(conn, id)?;
    super::expect_revision(ENTITY, id, current.revision, expected)?;
    let role = changes.role.unwrap_or(current.role);
    let mut changed = Vec::new();
    if changes.role.is_some() || changes.forces.is_some() {
        let forces = match changes.forces {
            Some(forces) => forces,
            None => current
                .forces
                .iter()
                .map(|f| parse_column("account_forces.force_slug", f))
                .collect::<Result<_, _>>()?,
        };
        check_forces(conn, role, &forces)?;
        if role != current.role {
            changed.push("role");
        }
        if normalised(&forces) != normalised(&current.forces) {
            changed.push("forces");
            replace_forces(conn, id, &forces)?;
        }
    }
    let display_name = changes.display_name.unwrap_or(current.display_name.clone());
    if display_name != current.display_name {
        changed.push("display_name");
    }
    let organisation = changes.organisation.unwrap_or(current.organisation.clone());
    if organisation != current.organisation {
        changed.push("organisation");
    }
    let disabled = changes.disabled.unwrap_or(current.disabled);
    if disabled != current.disabled {
        changed.push("disabled");
    }
    if changed.is_empty() {
        return Ok(current);
    }
    let revision = current.revision + 1;
    diesel::update(accounts::table.find(id))
        .set((
            accounts::display_name.eq(&display_name),
            accounts::organisation.eq(&organisation),
            accounts::role.eq(role.as_str()),
            accounts::disabled.eq(disabled),
            accounts::revision.eq(revision),
            accounts::updated_at.eq(stamp.at),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        stamp,
        Change {
            entity_type: ENTITY,
            entity_id: id,
            action: Action::Update,
            revision,
            force_slug: None,
            changed: Changed::Names(&changed),
            summary: format!("account changed: {}", changed.join(", ")),
        },
    )?;
    get(conn, id)
}

/// Replaces the password hash. The change event names the field, never its value.
pub fn set_password(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    password_hash: &str,
) -> Result<Account, StoreError> {
    write_transaction(conn, |conn| {
        let current = get(conn, id)?;
        let revision = current.revision + 1;
        diesel::update(accounts::table.find(id))
            .set((
                accounts::password_hash.eq(password_hash),
                accounts::revision.eq(revision),
                accounts::updated_at.eq(stamp.at),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            stamp,
            Change {
                entity_type: ENTITY,
                entity_id: id,
                action: Action::Update,
                revision,
                force_slug: None,
                changed: Changed::Names(&["password"]),
                summary: "account password reset".to_owned(),
            },
        )?;
        get(conn, id)
    })
}

/// A `force_staff` account edits at least one existing force; admins and editors edit all of them,
/// so listing forces for them would suggest a limit that does not exist.
fn check_forces(conn: &mut DbConnection, role: Role, forces: &[Slug]) -> Result<(), StoreError> {
    let invalid = |message: String| StoreError::Invalid {
        field: "forces",
        message,
    };
    match role {
        Role::ForceStaff if forces.is_empty() => {
            return Err(invalid(
                "a force_staff account must list at least one force".to_owned(),
            ))
        }
        Role::Admin | Role::Editor if !forces.is_empty() => {
            return Err(invalid(format!(
                "must be empty for the role {role}, which may write every force"
            )))
        }
        _ => {}
    }
    for force in forces {
        if !forces::exists(conn, force.as_str())? {
            return Err(invalid(format!("no force has the slug `{force}`")));
        }
    }
    Ok(())
}

fn replace_forces(conn: &mut DbConnection, id: &str, forces: &[Slug]) -> Result<(), StoreError> {
    diesel::delete(account_forces::table.filter(account_forces::account_id.eq(id)))
        .execute(conn)?;
    // One row at a time: the multi-backend connection cannot insert a batch.
    for force in normalised(forces) {
        diesel::insert_into(account_forces::table)
            .values((
                account_forces::account_id.eq(id),
                account_forces::force_slug.eq(force),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Force slugs sorted and without repeats, so lists can be compared and stored once each.
fn normalised<S: AsRef<str>>(forces: &[S]) -> Vec<&str> {
    let mut slugs: Vec<&str> = forces.iter().map(AsRef::as_ref).collect();
    slugs.sort_unstable();
    slugs.dedup();
    slugs
}

fn with_forces(conn: &mut DbConnection, rows: Vec<AccountRow>) -> Result<Vec<Account>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut by_account: HashMap<String, Vec<String>> = HashMap::new();
    for (account_id, force) in account_forces::table
        .filter(account_forces::account_id.eq_any(&ids))
        .select((account_forces::account_id, account_forces::force_slug))
        .order((account_forces::account_id, account_forces::force_slug))
        .load::<(String, String)>(conn)?
    {
        by_account.entry(account_id).or_default().push(force);
    }
    rows.into_iter()
        .map(|row| {
            let forces = by_account.remove(&row.id).unwrap_or_default();
            into_account(row, forces)
        })
        .collect()
}

fn into_account(row: AccountRow, forces: Vec<String>) -> Result<Account, StoreError> {
    Ok(Account {
        role: parse_column("accounts.role", &row.role)?,
        forces,
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        organisation: row.organisation,
        disabled: row.disabled,
        revision: row.revision,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}
