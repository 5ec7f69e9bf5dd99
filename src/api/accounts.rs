//! `/api/v1/accounts`: the accounts of people who write, managed by admins.

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{decode_cursor, ListResponse};
use super::params::Validator;
use super::responses::{self};
use super::text_formats::{CountMode, NonBlank};
use super::views::accounts::AccountView;
use super::writes::Change;
use super::AppState;
use crate::auth::{hash_password, Identity, Password};
use crate::domain::{Role, Slug, Username};
use crate::error::{ApiError, Problem};
use crate::store::accounts::{self, AccountChanges, NewAccount};
use crate::store::audit::Stamp;
use crate::store::PageRequest;

/// Longest display name or organisation accepted.
const MAX_TEXT: usize = 200;

/// A new account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "cambs-foi", "display_name": "Cambridgeshire FOI team",
    "organisation": "Cambridgeshire Constabulary", "role": "force_staff", "forces": ["cambridgeshire"]}))]
pub struct NewAccountRequest {
    #[schema(value_type = Username)]
    username: String,
    /// Defaults to the username.
    #[schema(value_type = Option<NonBlank>)]
    display_name: Option<String>,
    /// Shown publicly as the author of the account's writes.
    #[schema(value_type = NonBlank)]
    organisation: String,
    #[schema(value_type = Role)]
    role: String,
    /// At least one for `force_staff`; none for `admin` and `editor`.
    #[serde(default)]
    #[schema(value_type = Vec<Slug>)]
    forces: Vec<String>,
    /// At least 12 characters. Omit it to have one generated and returned once.
    #[schema(value_type = Option<String>, format = Password, min_length = 12)]
    password: Option<Password>,
}

/// Changes to an account; absent fields stay as they are. Nobody may change their own role,
/// forces or disabled state.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "force_staff", "forces": ["cambridgeshire", "norfolk"]}))]
pub struct AccountChangesRequest {
    #[schema(value_type = Option<NonBlank>)]
    display_name: Option<String>,
    #[schema(value_type = Option<NonBlank>)]
    organisation: Option<String>,
    #[schema(value_type = Option<Role>)]
    role: Option<String>,
    #[schema(value_type = Option<Vec<Slug>>)]
    forces: Option<Vec<String>>,
    /// A disabled account cannot log in, and its tokens stop working at once.
    disabled: Option<bool>,
}

/// A new password for an account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple"}))]
pub struct PasswordResetRequest {
    /// At least 12 characters. Omit it to have one generated and returned once.
    #[schema(value_type = Option<String>, format = Password, min_length = 12)]
    password: Option<Password>,
}

/// An account, and the password the server generated for it when it generated one (shown only in
/// this answer).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019abc12-7e4f-7d3a-9c11-2b3c4d5e6f70",
    "username": "cambs-foi",
    "display_name": "Cambridgeshire FOI team",
    "organisation": "Cambridgeshire Constabulary",
    "role": "force_staff",
    "forces": ["cambridgeshire"],
    "disabled": false,
    "revision": 1,
    "created_at": "2026-11-26T23:00:00Z",
    "updated_at": "2026-11-26T23:00:00Z",
    "generated_password": "q7VbN2xKp9TfR4mWc8LhZ3sD"
}))]
pub struct AccountWithPassword {
    #[serde(flatten)]
    account: AccountView,
    #[serde(skip_serializing_if = "Option::is_none")]
    generated_password: Option<String>,
}

/// Query parameters of `GET /accounts`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountListQuery {
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `exact` adds `total_count` to the answer.
    #[param(value_type = Option<CountMode>)]
    count: Option<String>,
}

/// The account's id in the path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AccountPath {
    /// The account id (a UUID).
    #[param(example = "019abc12-7e4f-7d3a-9c11-2b3c4d5e6f70")]
    id: String,
}

/// Create an account.
///
/// Admins only. The answer holds the generated password when none was given: it is shown only once.
#[utoipa::path(
    tag = "accounts",
    security(("bearerAuth" = [])),
    request_body = NewAccountRequest,
    responses(
        (status = 201, description = "The account", body = AccountWithPassword,
            headers(("Location" = String), ("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts")]
pub async fn create_account(
    identity: Identity,
    state: web::Data<AppState>,
    body: web::Json<NewAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    identity.require_role(&[Role::Admin])?;
    let body = body.into_inner();
    let mut v = Validator::default();
    let username = v.parse::<Username>("username", Some(&body.username));
    let role = v.parse::<Role>("role", Some(&body.role));
    let forces = slugs(&mut v, &body.forces);
    let organisation = text(&mut v, "organisation", body.organisation);
    let display_name = body
        .display_name
        .map(|name| text(&mut v, "display_name", name));
    let password = Password::given_or_generated(body.password)
        .map_err(|weakness| v.reject("password", weakness))
        .ok();
    v.finish()?;
    let (Some(username), Some(role), Some((password, generated))) = (username, role, password)
    else {
        unreachable!("every field parsed when the validator found no error")
    };
    let new = NewAccount {
        display_name: display_name.unwrap_or_else(|| username.to_string()),
        username,
        organisation,
        role,
        forces,
        password_hash: hash_password(password.clone()).await?,
    };
    let stamp = Stamp::now(identity.actor());
    let account = state
        .db
        .run(move |conn| accounts::create(conn, &stamp, new))
        .await?;
    let location = format!("/api/v1/accounts/{}", account.id);
    let mut response = responses::private(
        StatusCode::CREATED,
        Some(account.revision),
        &AccountWithPassword {
            generated_password: generated.then(|| password.reveal().to_owned()),
            account: AccountView::from(account),
        },
    );
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).expect("uuids are valid header values"),
    );
    Ok(response)
}

/// List accounts.
///
/// Admins only; in username order.
#[utoipa::path(
    tag = "accounts",
    security(("bearerAuth" = [])),
    params(AccountListQuery),
    responses(
        (status = 200, description = "A page of accounts", body = ListResponse<AccountView>,
            headers(("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts")]
pub async fn list_accounts(
    req: HttpRequest,
    identity: Identity,
    state: web::Data<AppState>,
    query: web::Query<AccountListQuery>,
) -> Result<HttpResponse, ApiError> {
    identity.require_role(&[Role::Admin])?;
    let query = query.into_inner();
    let mut v = Validator::default();
    let limit = v.limit(query.limit.as_deref());
    let count = v.count(query.count.as_deref());
    let after = decode_cursor::<String>(&req, query.cursor.as_deref());
    v.finish()?;
    let page = PageRequest {
        limit,
        after: after?,
        count,
    };
    let page = state
        .db
        .run(move |conn| accounts::list(conn, &page))
        .await?;
    Ok(responses::private_list(
        &ListResponse::from_page(&req, page).map(AccountView::from),
    ))
}

/// Get an account.
///
/// Admins only. The `ETag` is what `If-Match` takes on updates.
#[utoipa::path(
    tag = "accounts",
    security(("bearerAuth" = [])),
    params(AccountPath),
    responses(
        (status = 200, description = "The account", body = AccountView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts/{id}")]
pub async fn get_account(
    identity: Identity,
    state: web::Data<AppState>,
    path: web::Path<AccountPath>,
) -> Result<HttpResponse, ApiError> {
    identity.require_role(&[Role::Admin])?;
    let id = path.into_inner().id;
    let account = state.db.run(move |conn| accounts::get(conn, &id)).await?;
    Ok(responses::private(
        StatusCode::OK,
        Some(account.revision),
        &AccountView::from(account),
    ))
}

/// Change an account.
///
/// Admins only, with `If-Match` set to the account's ETag. Nobody may change their own role,
/// forces or disabled state. Disabling an account stops its tokens at once.
#[utoipa::path(
    tag = "accounts",
    security(("bearerAuth" = [])),
    params(AccountPath, ("If-Match" = String, Header, description = "The account's ETag, `\"r<revision>\"`")),
    request_body = AccountChangesRequest,
    responses(
        (status = 200, description = "The changed account", body = AccountView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
        (status = 403, description = "The caller is not an admin, or tried to change their own role, forces or state",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The account changed since the ETag was read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/accounts/{id}")]
pub async fn update_account(
    change: Change,
    state: web::Data<AppState>,
    path: web::Path<AccountPath>,
    body: web::Json<AccountChangesRequest>,
) -> Result<HttpResponse, ApiError> {
    change.require_role(&[Role::Admin])?;
    let id = path.into_inner().id;
    let body = body.into_inner();
    if id == change.identity.account_id
        && (body.role.is_some() || body.forces.is_some() || body.disabled.is_some())
    {
        return Err(ApiError::Forbidden(
            "Nobody may change their own role, forces or disabled state; ask another admin.".into(),
        ));
    }
    let mut v = Validator::default();
    let changes = AccountChanges {
        display_name: body
            .display_name
            .map(|name| text(&mut v, "display_name", name)),
        organisation: body
            .organisation
            .map(|name| text(&mut v, "organisation", name)),
        role: v.parse("role", body.role.as_deref()),
        forces: body.forces.map(|forces| slugs(&mut v, &forces)),
        disabled: body.disabled,
    };
    v.finish()?;
    let account = change
        .apply(&state, move |conn, stamp, expected| {
            accounts::update(conn, stamp, &id, expected, changes)
        })
        .await?;
    Ok(responses::private(
        StatusCode::OK,
        Some(account.revision),
        &AccountView::from(account),
    ))
}

/// Reset an account's password.
///
/// Admins only. Tokens issued before stay valid until they expire; disable the account to stop
/// them at once.
#[utoipa::path(
    tag = "accounts",
    path = "/accounts/{id}/password",
    security(("bearerAuth" = [])),
    params(AccountPath),
    request_body = PasswordResetRequest,
    responses(
        (status = 200, description = "The account, with the generated password if none was given", body = AccountWithPassword,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
        (status = 400, description = "The password is too short", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts/{id}/password")]
pub async fn reset_password(
    identity: Identity,
    state: web::Data<AppState>,
    path: web::Path<AccountPath>,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    identity.require_role(&[Role::Admin])?;
    let id = path.into_inner().id;
    let (password, generated) = Password::given_or_generated(body.into_inner().password)
        .map_err(|weakness| ApiError::invalid_field("password", weakness))?;
    let hash = hash_password(password.clone()).await?;
    let stamp = Stamp::now(identity.actor());
    let account = state
        .db
        .run(move |conn| accounts::set_password(conn, &stamp, &id, &hash))
        .await?;
    Ok(responses::private(
        StatusCode::OK,
        Some(account.revision),
        &AccountWithPassword {
            account: AccountView::from(account),
            generated_password: generated.then(|| password.reveal().to_owned()),
        },
    ))
}

/// A display name or organisation: trimmed, not empty, at most [`MAX_TEXT`] characters.
fn text(v: &mut Validator, field: &str, raw: String) -> String {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_TEXT {
        v.reject(field, format!("must be 1 to {MAX_TEXT} characters"));
    }
    trimmed.to_owned()
}

/// Force slugs; whether the forces exist is the store's to check.
fn slugs(v: &mut Validator, raw: &[String]) -> Vec<Slug> {
    raw.iter()
        .filter_map(|slug| v.parse("forces", Some(slug)))
        .collect()
}
