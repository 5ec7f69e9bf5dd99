//! Bulk exports (RFC 4180 CSV with a header row, or NDJSON), streamed: a blocking task pages through
//! the data with the lists' keyset queries and hands each page over a bounded channel, so the
//! server's memory holds a few pages whatever the size of the export.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use bytes::Bytes;

use super::deployments::{
    parse_list_query, DeploymentFilterQuery, DeploymentListOptions, DeploymentListQuery,
};
use super::evidence::{parse_assessment_query, AssessmentListQuery};
use super::foi_requests::{
    parse_foi_query, FoiFilterQuery, FoiListOptions, FoiListQuery, FoiListRequest,
};
use super::overviews::MatrixQuery;
use super::text_formats::FileFormat;
use super::AppState;
use crate::db::DbConnection;
use crate::error::{ApiError, Problem};
use crate::interchange::{encode, AnswerRow, ExportRow, Format, MatrixCell};
use crate::store::foi_requests;
use crate::store::overviews;
use crate::store::{campaigns, deployments, evidence, impact_assessments, sources};
use crate::store::{Page, PageRequest, StoreError};

/// Rows per page fetched from the database.
const BATCH: usize = 1000;
/// Pages buffered between the database task and the socket.
const BUFFERED_PAGES: usize = 2;
/// How long an export waits for its client to take the next page before it gives up.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Seconds a client refused for too many running exports is asked to wait.
const EXPORT_RETRY_AFTER: u64 = 5;

/// The export format named by the path's extension.
fn parse_format(raw: &str) -> Result<Format, ApiError> {
    Format::from_extension(raw)
        .ok_or_else(|| ApiError::NotFound("Exports come as `.csv` or `.ndjson`.".into()))
}

/// Streams every page `fetch` yields, encoded, as the body of a download named `name`.
///
/// At most [`AppState::exports`] exports run at once on an instance, so that downloads can never
/// hold the whole connection pool; past that the client is asked to retry (429 with `Retry-After`).
fn stream<T, K, F>(
    state: &AppState,
    format: Format,
    name: &str,
    mut fetch: F,
) -> Result<HttpResponse, ApiError>
where
    T: ExportRow,
    K: Send + 'static,
    F: FnMut(&mut DbConnection, Option<K>) -> Result<Page<T, K>, StoreError> + Send + 'static,
{
    let permit =
        state
            .exports
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::TooManyRequests {
                detail: "Too many exports are running on this server; try again in a few seconds."
                    .into(),
                retry_after: EXPORT_RETRY_AFTER,
            })?;
    let db = state.db.clone();
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, ApiError>>(BUFFERED_PAGES);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _permit = permit; // held while this export reads the database
        let mut after = None;
        let mut first = true;
        loop {
            let page = db.get().and_then(|mut conn| fetch(&mut conn, after.take()));
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    tracing::error!(%error, "export stopped");
                    let _ = sender.blocking_send(Err(error.into()));
                    return;
                }
            };
            if first || !page.items.is_empty() {
                let chunk = Ok(encode(format, &page.items, first));
                let sent = runtime.block_on(tokio::time::timeout(SEND_TIMEOUT, sender.send(chunk)));
                if !matches!(sent, Ok(Ok(()))) {
                    return; // the client went away, or stopped reading: its permit is freed
                }
            }
            first = false;
            match page.next_after {
                Some(next) => after = Some(next),
                None => return,
            }
        }
    });
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|chunk| (chunk.map_err(actix_web::Error::from), receiver))
    });
    let today = chrono::Utc::now().date_naive();
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{name}-{today}.{}\"",
                format.extension()
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

/// Export deployments.
///
/// Every deployment matching the filters of `GET /deployments`, streamed row by row, in its sort.
/// The paging parameters (`limit`, `cursor`, `count`) and `facet` are accepted and ignored: an
/// export holds every row. With `include=evidence`, NDJSON lines carry `evidence` and
/// `impact_assessments` and CSV rows end with `evidence_urls`, `evidence_titles` and
/// `impact_assessment_titles`; such a file is for reading (`import` takes the plain export).
#[utoipa::path(
    tag = "exports",
    params(("format" = FileFormat, Path), DeploymentFilterQuery, DeploymentListOptions),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"deployments-YYYY-MM-DD.csv\"`"))),
        (status = 404, description = "Not a supported format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/deployments.{format}")]
pub async fn export_deployments(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: web::Query<DeploymentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(&format)?;
    let list = parse_list_query(&req, query.into_inner())?;
    let (filter, sort) = (list.filter, list.sort);
    if list.with_evidence {
        stream(&state, format, "deployments", move |conn, after| {
            let page = deployments::list(conn, &filter, sort, &batch(after))?;
            evidence::with_evidence(conn, page)
        })
    } else {
        stream(&state, format, "deployments", move |conn, after| {
            deployments::list(conn, &filter, sort, &batch(after))
        })
    }
}

/// Export impact assessments.
///
/// Every assessment matching the filters of `GET /impact-assessments`, streamed row by row. The
/// paging parameters (`limit`, `cursor`, `count`) are accepted and ignored: an export holds every row.
#[utoipa::path(
    tag = "exports",
    params(("format" = FileFormat, Path), AssessmentListQuery),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 404, description = "Not a supported format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/impact-assessments.{format}")]
pub async fn export_assessments(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: web::Query<AssessmentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(&format)?;
    let (filter, _) = parse_assessment_query(&req, query.into_inner())?;
    stream(&state, format, "impact-assessments", move |conn, after| {
        impact_assessments::list(conn, &filter, &batch(after))
    })
}

/// Export FOI requests.
///
/// Every request matching the filters of `GET /foi-requests`, streamed. NDJSON lines are whole
/// requests (answers, exemptions, stages and document descriptions nested), the format `import`
/// reads back; CSV rows summarise each request (its answers are in `foi-answers`). The paging
/// and facet parameters are accepted and ignored.
#[utoipa::path(
    tag = "exports",
    params(("format" = FileFormat, Path), FoiFilterQuery, FoiListOptions),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 404, description = "Not a supported format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/foi-requests.{format}")]
pub async fn export_foi_requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: web::Query<FoiListQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(&format)?;
    let FoiListRequest { filter, sort, .. } = parse_foi_query(&req, query.into_inner())?;
    let calendar = state.calendar.clone();
    stream(&state, format, "foi-requests", move |conn, after| {
        foi_requests::list(conn, &calendar, &filter, sort, &batch(after))
    })
}

/// Export FOI answers.
///
/// One row per answer of every request matching the filters of `GET /foi-requests`, with the
/// request's authority, force, campaign, dates and state; streamed. The paging and facet
/// parameters are accepted and ignored.
#[utoipa::path(
    tag = "exports",
    params(("format" = FileFormat, Path), FoiFilterQuery, FoiListOptions),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 404, description = "Not a supported format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/foi-answers.{format}")]
pub async fn export_foi_answers(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: web::Query<FoiListQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(&format)?;
    let FoiListRequest { filter, sort, .. } = parse_foi_query(&req, query.into_inner())?;
    let calendar = state.calendar.clone();
    stream(&state, format, "foi-answers", move |conn, after| {
        let page = foi_requests::list(conn, &calendar, &filter, sort, &batch(after))?;
        Ok(Page {
            items: AnswerRow::of(page.items),
            next_after: page.next_after,
            total: None,
        })
    })
}

/// Documents per page of their export: each may be megabytes.
const DOCUMENT_BATCH: usize = 4;

/// Export FOI documents.
///
/// Every document of every FOI request, in id order, with its bytes in base64, streamed a few
/// documents at a time. NDJSON lines are what `import` reads back (after the FOI requests).
#[utoipa::path(
    tag = "exports",
    params(("format" = FileFormat, Path)),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 404, description = "Not a supported format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/foi-documents.{format}")]
pub async fn export_foi_documents(
    state: web::Data<AppState>,
    format: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(&format)?;
    stream(&state, format, "foi-documents", move |conn, after| {
        foi_requests::document_copies(
            conn,
            &PageRequest {
                limit: DOCUMENT_BATCH,
                after,
                count: false,
            },
        )
    })
}

/// The next page of an export, after `after`.
fn batch<K>(after: Option<K>) -> PageRequest<K> {
    PageRequest {
        limit: BATCH,
        after,
        count: false,
    }
}

/// Export sources.
///
/// Every source, in id order, streamed (NDJSON lines are what `import` reads back; import them
/// before the deployments that cite them).
#[utoipa::path(
    tag = "exports",
    params(("format" = FileFormat, Path)),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 404, description = "Not a supported format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/sources.{format}")]
pub async fn export_sources(
    state: web::Data<AppState>,
    format: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(&format)?;
    stream(&state, format, "sources", move |conn, after| {
        sources::list(conn, &batch(after))
    })
}

/// Export campaigns.
///
/// Every campaign with its questions (NDJSON lines are what `import` reads back; import them before
/// the FOI requests that belong to them).
#[utoipa::path(
    tag = "exports",
    params(("format" = FileFormat, Path)),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 404, description = "Not a supported format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/campaigns.{format}")]
pub async fn export_campaigns(
    state: web::Data<AppState>,
    format: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(&format)?;
    stream(&state, format, "campaigns", move |conn, _: Option<()>| {
        Ok(Page {
            items: campaigns::list(conn)?,
            next_after: None,
            total: None,
        })
    })
}

/// Export the matrix as one row per force and tool.
#[utoipa::path(
    tag = "exports",
    params(("format" = FileFormat, Path), MatrixQuery),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 404, description = "Not a supported format, or no tool has the slug given in `tool`", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/exports/matrix.{format}")]
pub async fn export_matrix(
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: web::Query<MatrixQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(&format)?;
    let filter = query.parse()?;
    let matrix = state
        .db
        .run(move |conn| overviews::matrix(conn, &filter))
        .await?;
    let cells: Vec<MatrixCell> = matrix
        .forces
        .into_iter()
        .flat_map(|row| {
            let (force, nation) = (row.force, row.nation);
            row.cells.into_iter().map(move |(tool, status)| MatrixCell {
                force: force.clone(),
                nation,
                tool,
                status,
            })
        })
        .collect();
    let mut cells = Some(cells);
    stream(&state, format, "matrix", move |_, _: Option<()>| {
        Ok(Page {
            items: cells.take().unwrap_or_default(),
            next_after: None,
            total: None,
        })
    })
}
