//! `POST /api/v1/imports`: the command line's `import`, for editors and admins.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::params::Validator;
use super::text_formats::FileContent;
use super::{responses, AppState};
use crate::auth::Identity;
use crate::domain::Role;
use crate::error::{ApiError, FieldError, Problem};
use crate::import::{self, ImportError, ImportOptions, ImportReport};

/// The largest file accepted (about 200,000 deployment rows).
const IMPORT_LIMIT: usize = 64 * 1024 * 1024;
/// How long an import through the API may write before its client is answered 503 (the import
/// itself commits or rolls back whole).
const IMPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// Query parameters of an import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true` checks every row and reports what would change, writing nothing.
    #[param(value_type = Option<bool>)]
    dry_run: Option<String>,
}

/// Import a file.
///
/// An export of this registry (`sources`, `deployments`, `campaigns`, `foi-requests`,
/// `impact-assessments` or `foi-documents` as `.ndjson`, `deployments.csv`) or the Atlas of
/// Surveillance CSV, recognised from its first line. All or nothing: if any row is
/// bad, nothing is written and the problem lists every bad row as `line <n>`. Rows the registry
/// already holds as they are change nothing, so a file can be imported twice. Editors and admins.
#[utoipa::path(
    tag = "imports",
    security(("bearerAuth" = [])),
    params(ImportQuery),
    request_body(content((FileContent = "text/csv"), (FileContent = "application/x-ndjson"))),
    responses(
        (status = 200, description = "What the import did (or would do, in a dry run)", body = ImportReport),
        (status = 400, description = "Rows cannot be imported (`errors` names each as `line <n>`), or the format is unknown",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only editors and admins import", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is too large", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports")]
pub async fn import_file(
    identity: Identity,
    state: web::Data<AppState>,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    identity.require_role(&[Role::Admin, Role::Editor])?;
    let mut v = Validator::default();
    let dry_run = v.flag("dry_run", query.dry_run.as_deref()).unwrap_or(false);
    v.finish()?;
    let body = payload
        .to_bytes_limited(IMPORT_LIMIT)
        .await
        .map_err(|_| {
            ApiError::PayloadTooLarge(format!(
                "Imports may be at most {} MiB; split the file.",
                IMPORT_LIMIT / 1024 / 1024
            ))
        })?
        .map_err(|e| ApiError::invalid_field("body", e.to_string()))?;
    let content = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::invalid_field("body", "must be UTF-8 text"))?;
    let options = ImportOptions {
        dry_run,
        actor: identity.actor(),
    };
    let calendar = state.calendar.clone();
    let outcome = state
        .db
        .run_limited(crate::db::ACQUIRE_TIMEOUT, IMPORT_TIMEOUT, move |conn| {
            Ok(import::run(
                conn,
                &calendar,
                &import::Input::Text(&content),
                &options,
                &mut |_, _| {},
            ))
        })
        .await?;
    match outcome {
        Ok(report) => Ok(responses::private(
            actix_web::http::StatusCode::OK,
            None,
            &report,
        )),
        Err(ImportError::Rows(rows)) => Err(ApiError::invalid(
            rows.into_iter()
                .map(|row| FieldError::new(format!("line {}", row.line), row.reason))
                .collect(),
        )),
        Err(ImportError::UnknownFormat) => Err(ApiError::invalid_field(
            "body",
            "is not a registry export (sources, deployments, campaigns, foi-requests, \
             impact-assessments or foi-documents as .ndjson, deployments.csv) nor an Atlas of \
             Surveillance CSV",
        )),
        Err(error @ (ImportError::ExportOnly { .. } | ImportError::Read(_))) => {
            Err(ApiError::invalid_field("body", error.to_string()))
        }
        Err(ImportError::Store(error)) => Err(error.into()),
    }
}
