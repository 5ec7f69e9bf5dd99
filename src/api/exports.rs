//! Bulk exports (RFC 4180 CSV with a header row, or NDJSON), streamed: a blocking task pages through
//! the data with the lists' keyset queries and hands each page over a bounded channel, so the
//! server's memory holds a few pages whatever the size of the export.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use bytes::Bytes;
use serde::Serialize;

use super::deployments::{parse_list_query, DeploymentListQuery};
use super::evidence::{parse_assessment_query, AssessmentListQuery};
use super::foi_requests::{parse_foi_query, FoiListQuery};
use super::overviews::MatrixQuery;
use super::AppState;
use crate::db::{Database, DbConnection};
use crate::domain::Nation;
use crate::error::{ApiError, Problem};
use crate::store::campaigns::{self, Campaign};
use crate::store::deployments::{self, Deployment};
use crate::store::foi_requests::{self, Answer, DocumentCopy, EvidenceLink, FoiRequest};
use crate::store::impact_assessments::{self, ImpactAssessment};
use crate::store::overviews;
use crate::store::sources::{self, Source};
use crate::store::{Page, PageRequest, StoreError};

/// Rows per page fetched from the database.
const BATCH: usize = 1000;
/// Pages buffered between the database task and the socket.
const BUFFERED_PAGES: usize = 2;

/// The file formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Ndjson,
}

impl Format {
    fn parse(raw: &str) -> Result<Self, ApiError> {
        match raw {
            "csv" => Ok(Self::Csv),
            "ndjson" => Ok(Self::Ndjson),
            _ => Err(ApiError::NotFound(
                "Exports come as `.csv` or `.ndjson`.".into(),
            )),
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Ndjson => "application/x-ndjson",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Ndjson => "ndjson",
        }
    }
}

/// A row that can be exported: as a JSON line, or as a CSV record under a fixed header.
pub trait ExportRow: Serialize + Send + 'static {
    const HEADER: &'static [&'static str];
    fn record(&self) -> Vec<String>;
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Several values in one CSV cell.
fn joined(values: &[String]) -> String {
    values.join("; ")
}

impl ExportRow for Deployment {
    const HEADER: &'static [&'static str] = &[
        "id",
        "force",
        "tool",
        "status",
        "vendors",
        "product",
        "first_known_use",
        "last_confirmed",
        "ended_on",
        "summary",
        "legal_basis",
        "authorisation",
        "public_consultation",
        "use_policy_url",
        "provenance",
        "verified",
        "source_ids",
        "revision",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        let s = &self.state;
        vec![
            self.id.clone(),
            self.force.clone(),
            self.tool.clone(),
            s.status.to_string(),
            joined(&s.vendors),
            opt(&s.product),
            opt(&s.first_known_use),
            opt(&s.last_confirmed),
            opt(&s.ended_on),
            s.summary.clone(),
            opt(&s.legal_basis),
            opt(&s.authorisation),
            opt(&s.public_consultation),
            opt(&s.use_policy_url),
            s.provenance.to_string(),
            s.verified.to_string(),
            joined(&s.source_ids),
            self.revision.to_string(),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}

impl ExportRow for ImpactAssessment {
    const HEADER: &'static [&'static str] = &[
        "id",
        "force",
        "kind",
        "status",
        "title",
        "completed_on",
        "next_review_due",
        "review_overdue",
        "url",
        "summary",
        "deployment_ids",
        "revealed_by_source_id",
        "revealed_by_foi_request_id",
        "provenance",
        "revision",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.force.clone(),
            self.kind.to_string(),
            self.status.to_string(),
            self.title.clone(),
            opt(&self.completed_on),
            opt(&self.next_review_due),
            self.review_overdue.to_string(),
            opt(&self.url),
            self.summary.clone(),
            joined(&self.deployment_ids),
            opt(&self.revealed_by_source_id),
            opt(&self.revealed_by_foi_request_id),
            self.provenance.to_string(),
            self.revision.to_string(),
            self.updated_at.to_rfc3339(),
        ]
    }
}

impl ExportRow for FoiRequest {
    const HEADER: &'static [&'static str] = &[
        "id",
        "authority",
        "force",
        "campaign",
        "law",
        "title",
        "reference_numbers",
        "request_text",
        "sent_on",
        "received_on",
        "due_on",
        "responded_on",
        "working_days_taken",
        "days_overdue",
        "overdue",
        "late",
        "state",
        "source_url",
        "reply_text",
        "provenance",
        "answers",
        "outcomes",
        "exemptions",
        "stages",
        "documents",
        "revision",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        let d = &self.deadline;
        let exemptions: Vec<String> = self
            .answers
            .iter()
            .flat_map(|a| a.exemptions.iter().map(|e| e.section.clone()))
            .collect();
        vec![
            self.id.clone(),
            self.authority.clone(),
            self.force.clone(),
            opt(&self.campaign),
            self.law.to_string(),
            self.title.clone(),
            joined(&self.reference_numbers),
            self.request_text.clone(),
            opt(&self.sent_on),
            self.received_on.to_string(),
            d.due_on.to_string(),
            opt(&self.responded_on),
            opt(&d.working_days_taken),
            d.days_overdue.to_string(),
            d.overdue.to_string(),
            d.late.to_string(),
            self.state.to_string(),
            opt(&self.source_url),
            self.reply_text.clone(),
            self.provenance.to_string(),
            self.answers.len().to_string(),
            joined(
                &self
                    .answers
                    .iter()
                    .map(|a| a.outcome.to_string())
                    .collect::<Vec<_>>(),
            ),
            joined(&exemptions),
            self.stages.len().to_string(),
            self.documents.len().to_string(),
            self.revision.to_string(),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}

/// One row of the answers export: an answer with the request it belongs to.
#[derive(Debug, Serialize)]
pub struct AnswerRow {
    foi_request_id: String,
    authority: String,
    force: String,
    campaign: Option<String>,
    received_on: chrono::NaiveDate,
    responded_on: Option<chrono::NaiveDate>,
    state: crate::domain::FoiState,
    #[serde(flatten)]
    answer: Answer,
}

impl AnswerRow {
    /// The answers of a page of requests, in request then question order.
    fn of(requests: Vec<FoiRequest>) -> Vec<Self> {
        requests
            .into_iter()
            .flat_map(|request| {
                let FoiRequest {
                    id,
                    authority,
                    force,
                    campaign,
                    received_on,
                    responded_on,
                    state,
                    answers,
                    ..
                } = request;
                answers.into_iter().map(move |answer| Self {
                    foi_request_id: id.clone(),
                    authority: authority.clone(),
                    force: force.clone(),
                    campaign: campaign.clone(),
                    received_on,
                    responded_on,
                    state,
                    answer,
                })
            })
            .collect()
    }
}

impl ExportRow for AnswerRow {
    const HEADER: &'static [&'static str] = &[
        "foi_request_id",
        "authority",
        "force",
        "campaign",
        "received_on",
        "responded_on",
        "state",
        "id",
        "position",
        "question",
        "tools",
        "outcome",
        "answer_text",
        "redirected_to",
        "exemptions",
        "deployment_ids",
        "impact_assessment_ids",
    ];

    fn record(&self) -> Vec<String> {
        let a = &self.answer;
        let exemptions: Vec<String> = a
            .exemptions
            .iter()
            .map(|e| match (e.ncnd, e.absolute) {
                (true, true) => format!("{} (ncnd, absolute)", e.section),
                (true, false) => format!("{} (ncnd)", e.section),
                (false, true) => format!("{} (absolute)", e.section),
                (false, false) => e.section.clone(),
            })
            .collect();
        let ids = |links: &[EvidenceLink]| {
            joined(
                &links
                    .iter()
                    .map(|l| format!("{} ({})", l.id, l.relation))
                    .collect::<Vec<_>>(),
            )
        };
        vec![
            self.foi_request_id.clone(),
            self.authority.clone(),
            self.force.clone(),
            opt(&self.campaign),
            self.received_on.to_string(),
            opt(&self.responded_on),
            self.state.to_string(),
            a.id.clone(),
            a.position.to_string(),
            a.question.clone(),
            joined(&a.tools),
            a.outcome.to_string(),
            a.answer_text.clone(),
            opt(&a.redirected_to),
            joined(&exemptions),
            ids(&a.deployments),
            ids(&a.impact_assessments),
        ]
    }
}

fn encode<T: ExportRow>(format: Format, rows: &[T], with_header: bool) -> Bytes {
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
            if with_header {
                writer.write_record(T::HEADER).expect("writing to memory");
            }
            for row in rows {
                writer
                    .write_record(row.record())
                    .expect("writing to memory");
            }
            writer.into_inner().expect("writing to memory").into()
        }
        Format::Ndjson => {
            let mut out = Vec::with_capacity(rows.len() * 512);
            for row in rows {
                serde_json::to_writer(&mut out, row).expect("rows serialise");
                out.push(b'\n');
            }
            out.into()
        }
    }
}

/// Streams every page `fetch` yields, encoded, as the body of a download named `name`.
fn stream<T, K, F>(db: Database, format: Format, name: &str, mut fetch: F) -> HttpResponse
where
    T: ExportRow,
    K: Send + 'static,
    F: FnMut(&mut DbConnection, Option<K>) -> Result<Page<T, K>, StoreError> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, ApiError>>(BUFFERED_PAGES);
    tokio::task::spawn_blocking(move || {
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
            if (first || !page.items.is_empty())
                && sender
                    .blocking_send(Ok(encode(format, &page.items, first)))
                    .is_err()
            {
                return; // the client went away
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
    HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{name}-{today}.{}\"",
                format.extension()
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}

/// Export deployments.
///
/// Every deployment matching the filters of `GET /deployments`, streamed row by row. The paging
/// parameters (`limit`, `cursor`, `count`) are accepted and ignored: an export holds every row.
#[utoipa::path(
    tag = "exports",
    params(("format" = String, Path, description = "`csv` or `ndjson`", pattern = "^(csv|ndjson)$"), DeploymentListQuery),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"deployments-YYYY-MM-DD.csv\"`"))),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
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
    let format = Format::parse(&format)?;
    let (filter, sort, _) = parse_list_query(&req, query.into_inner())?;
    Ok(stream(
        state.db.clone(),
        format,
        "deployments",
        move |conn, after| deployments::list(conn, &filter, sort, &batch(after)),
    ))
}

/// Export impact assessments.
///
/// Every assessment matching the filters of `GET /impact-assessments`, streamed row by row. The
/// paging parameters (`limit`, `cursor`, `count`) are accepted and ignored: an export holds every row.
#[utoipa::path(
    tag = "exports",
    params(("format" = String, Path, description = "`csv` or `ndjson`", pattern = "^(csv|ndjson)$"), AssessmentListQuery),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
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
    let format = Format::parse(&format)?;
    let (filter, _) = parse_assessment_query(&req, query.into_inner())?;
    Ok(stream(
        state.db.clone(),
        format,
        "impact-assessments",
        move |conn, after| impact_assessments::list(conn, &filter, &batch(after)),
    ))
}

/// Export FOI requests.
///
/// Every request matching the filters of `GET /foi-requests`, streamed. NDJSON lines are whole
/// requests (answers, exemptions, stages and document descriptions nested), the format `import`
/// reads back; CSV rows summarise each request (its answers are in `foi-answers`). The paging
/// parameters are accepted and ignored.
#[utoipa::path(
    tag = "exports",
    params(("format" = String, Path, description = "`csv` or `ndjson`", pattern = "^(csv|ndjson)$"), FoiListQuery),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
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
    let format = Format::parse(&format)?;
    let (filter, _) = parse_foi_query(&req, query.into_inner())?;
    let calendar = state.calendar.clone();
    Ok(stream(
        state.db.clone(),
        format,
        "foi-requests",
        move |conn, after| foi_requests::list(conn, &calendar, &filter, &batch(after)),
    ))
}

/// Export FOI answers.
///
/// One row per answer of every request matching the filters of `GET /foi-requests`, with the
/// request's authority, force, campaign, dates and state; streamed. The paging parameters are
/// accepted and ignored.
#[utoipa::path(
    tag = "exports",
    params(("format" = String, Path, description = "`csv` or `ndjson`", pattern = "^(csv|ndjson)$"), FoiListQuery),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
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
    let format = Format::parse(&format)?;
    let (filter, _) = parse_foi_query(&req, query.into_inner())?;
    let calendar = state.calendar.clone();
    Ok(stream(
        state.db.clone(),
        format,
        "foi-answers",
        move |conn, after| {
            let page = foi_requests::list(conn, &calendar, &filter, &batch(after))?;
            Ok(Page {
                items: AnswerRow::of(page.items),
                next_after: page.next_after,
                total: None,
            })
        },
    ))
}

impl ExportRow for DocumentCopy {
    const HEADER: &'static [&'static str] = &[
        "foi_request_id",
        "id",
        "filename",
        "media_type",
        "size_bytes",
        "sha256",
        "created_at",
        "content_base64",
    ];

    fn record(&self) -> Vec<String> {
        let d = &self.document;
        vec![
            self.foi_request_id.clone(),
            d.id.clone(),
            d.filename.clone(),
            d.media_type.clone(),
            d.size_bytes.to_string(),
            d.sha256.clone(),
            d.created_at.to_rfc3339(),
            self.content_base64.clone(),
        ]
    }
}

/// Documents per page of their export: each may be megabytes.
const DOCUMENT_BATCH: usize = 4;

/// Export FOI documents.
///
/// Every document of every FOI request, in id order, with its bytes in base64, streamed a few
/// documents at a time. NDJSON lines are what `import` reads back (after the FOI requests).
#[utoipa::path(
    tag = "exports",
    params(("format" = String, Path, description = "`csv` or `ndjson`", pattern = "^(csv|ndjson)$")),
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
    let format = Format::parse(&format)?;
    Ok(stream(
        state.db.clone(),
        format,
        "foi-documents",
        move |conn, after| {
            foi_requests::document_copies(
                conn,
                &PageRequest {
                    limit: DOCUMENT_BATCH,
                    after,
                    count: false,
                },
            )
        },
    ))
}

/// The next page of an export, after `after`.
fn batch<K>(after: Option<K>) -> PageRequest<K> {
    PageRequest {
        limit: BATCH,
        after,
        count: false,
    }
}

impl ExportRow for Source {
    const HEADER: &'static [&'static str] = &[
        "id",
        "url",
        "archive_url",
        "title",
        "publisher",
        "kind",
        "published_on",
        "retrieved_on",
        "sha256",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            opt(&self.url),
            opt(&self.archive_url),
            self.title.clone(),
            opt(&self.publisher),
            self.kind.to_string(),
            opt(&self.published_on),
            opt(&self.retrieved_on),
            opt(&self.sha256),
            self.updated_at.to_rfc3339(),
        ]
    }
}

/// Export sources.
///
/// Every source, in id order, streamed (NDJSON lines are what `import` reads back; import them
/// before the deployments that cite them).
#[utoipa::path(
    tag = "exports",
    params(("format" = String, Path, description = "`csv` or `ndjson`", pattern = "^(csv|ndjson)$")),
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
    let format = Format::parse(&format)?;
    Ok(stream(
        state.db.clone(),
        format,
        "sources",
        move |conn, after| sources::list(conn, &batch(after)),
    ))
}

impl ExportRow for Campaign {
    const HEADER: &'static [&'static str] = &[
        "slug",
        "title",
        "description",
        "request_text",
        "started_on",
        "law",
        "questions",
        "revision",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.slug.clone(),
            self.title.clone(),
            self.description.clone(),
            self.request_text.clone(),
            self.started_on.to_string(),
            self.law.to_string(),
            joined(
                &self
                    .questions
                    .iter()
                    .map(|q| q.question.clone())
                    .collect::<Vec<_>>(),
            ),
            self.revision.to_string(),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}

/// Export campaigns.
///
/// Every campaign with its questions (NDJSON lines are what `import` reads back; import them before
/// the FOI requests that belong to them).
#[utoipa::path(
    tag = "exports",
    params(("format" = String, Path, description = "`csv` or `ndjson`", pattern = "^(csv|ndjson)$")),
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
    let format = Format::parse(&format)?;
    Ok(stream(
        state.db.clone(),
        format,
        "campaigns",
        move |conn, _: Option<()>| {
            Ok(Page {
                items: campaigns::list(conn)?,
                next_after: None,
                total: None,
            })
        },
    ))
}

/// One row of the matrix export: a force's status for one tool.
#[derive(Debug, Serialize)]
pub struct MatrixCell {
    force: String,
    nation: Option<Nation>,
    tool: String,
    status: crate::domain::DeploymentStatus,
}

impl ExportRow for MatrixCell {
    const HEADER: &'static [&'static str] = &["force", "nation", "tool", "status"];

    fn record(&self) -> Vec<String> {
        vec![
            self.force.clone(),
            opt(&self.nation),
            self.tool.clone(),
            self.status.to_string(),
        ]
    }
}

/// Export the matrix as one row per force and tool.
#[utoipa::path(
    tag = "exports",
    params(("format" = String, Path, description = "`csv` or `ndjson`", pattern = "^(csv|ndjson)$"), MatrixQuery),
    responses(
        (status = 200, description = "The export; CSV has a header row", content(
            (String = "text/csv"), (String = "application/x-ndjson")),
            headers(("Content-Disposition" = String))),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
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
    let format = Format::parse(&format)?;
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
    Ok(stream(
        state.db.clone(),
        format,
        "matrix",
        move |_, _: Option<()>| {
            Ok(Page {
                items: cells.take().unwrap_or_default(),
                next_after: None,
                total: None,
            })
        },
    ))
}
