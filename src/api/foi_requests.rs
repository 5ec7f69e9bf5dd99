//! `/api/v1/foi-requests`: FOI requests, their replies, answers, appeal stages and documents.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::atom::{self, AtomEntry, FeedQuery};
use super::cache::{self, Cached};
use super::foi_input::FoiRequestInput;
use super::pagination::{decode_cursor, facet_views, ListResponse};
use super::params::{only_params, param_names, Validator};
use super::text_formats::FileContent;
use super::text_formats::{CountMode, FoiFacetList, FoiSortKey};
use super::views::foi_requests::{DocumentView, FoiRequestView};
use super::views::revisions::RevisionView;
use super::writes::{self, deleted, Change};
use super::{responses, AppState};
use crate::auth::Identity;
use crate::domain::document::{self, FileName};
use crate::domain::{AnswerOutcome, FoiState, ParseError, Slug};
use crate::domain::{EntityId, FoiSection, SearchTerms};
use crate::error::{ApiError, Problem};
use crate::store::audit::Stamp;
use crate::store::foi_requests::{
    self, FoiFacet, FoiFilter, FoiKey, FoiRequest, FoiRequestFields, FoiSort, NewDocument,
};
use crate::store::markers::Dependency;
use crate::store::{write_transaction, PageRequest};

/// The largest document accepted: replies' PDFs are rarely more than a few megabytes.
const DOCUMENT_LIMIT: usize = 25 * 1024 * 1024;

/// The filters of `GET /foi-requests`, shared by its exports and its feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FoiFilterQuery {
    /// Force slug (requests to the force or to its oversight body).
    #[param(value_type = Option<Slug>, example = "cambridgeshire")]
    force: Option<String>,
    /// Authority slug.
    #[param(value_type = Option<Slug>, example = "cambridgeshire-pcc")]
    authority: Option<String>,
    /// Campaign slug.
    #[param(value_type = Option<Slug>, example = "2019-surveillance-tools")]
    campaign: Option<String>,
    /// Requests with at least one answer of this outcome (any answer; see `answer_outcome` to
    /// combine it with other conditions on the same answer).
    #[param(value_type = Option<AnswerOutcome>)]
    outcome: Option<String>,
    #[param(value_type = Option<FoiState>)]
    state: Option<String>,
    /// Requests with at least one answer citing this exemption or any subsection of it (`s31`
    /// matches `s31`, `s31(3)` and `s31(1)(a)`, not `s311`). Any answer of the request: see
    /// `answer_exemption` to ask it of the same answer as other conditions.
    #[param(value_type = Option<FoiSection>, example = "s31")]
    exemption: Option<String>,
    /// Answer-level: requests with one answer that meets every `answer_*` parameter given. This
    /// one: the answer asks about this tool or one of its sub-types (`facial-recognition` takes in
    /// `live-facial-recognition`). A slug no tool has matches nothing.
    #[param(value_type = Option<Slug>, example = "imsi-catcher")]
    answer_tool: Option<String>,
    /// Answer-level: the same answer cites this exemption or a subsection of it (`s23` matches
    /// `s23` and `s23(5)`).
    #[param(value_type = Option<FoiSection>, example = "s23")]
    answer_exemption: Option<String>,
    /// Answer-level: the same answer has this outcome.
    #[param(value_type = Option<AnswerOutcome>)]
    answer_outcome: Option<String>,
    /// Received on or after this date.
    #[serde(rename = "received__gte")]
    #[param(rename = "received__gte", value_type = Option<chrono::NaiveDate>, example = "2019-01-01")]
    received_gte: Option<String>,
    /// Received on or before this date.
    #[serde(rename = "received__lte")]
    #[param(rename = "received__lte", value_type = Option<chrono::NaiveDate>)]
    received_lte: Option<String>,
    /// Replied to on or after this date.
    #[serde(rename = "responded__gte")]
    #[param(rename = "responded__gte", value_type = Option<chrono::NaiveDate>)]
    responded_gte: Option<String>,
    /// Replied to on or before this date.
    #[serde(rename = "responded__lte")]
    #[param(rename = "responded__lte", value_type = Option<chrono::NaiveDate>)]
    responded_lte: Option<String>,
    /// `true`: requests with no reply whose `due_on` has passed (today, UTC), exactly those whose
    /// `overdue` is `true`; `false`: all others (replied to, or not yet due).
    #[param(value_type = Option<bool>)]
    overdue: Option<String>,
    /// `true`: requests replied to after their `due_on` (the 20th working day; no request records
    /// an extension, so `extended_due_on` is not used), exactly those whose `late` is `true`;
    /// `false`: all others (replied to in time, or not replied to yet).
    #[param(value_type = Option<bool>)]
    late: Option<String>,
    /// Full text: only requests whose title, request or reply, or one of whose answers, contains
    /// every word.
    #[param(value_type = Option<SearchTerms>, example = "facial recognition")]
    q: Option<String>,
}

/// The parameters of `GET /foi-requests` beside its filters: order, page and facets.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FoiListOptions {
    /// The order: a column, descending with a leading `-`; `-received_on` (most recently
    /// received first) by default. Ties are broken by id in the same direction; missing
    /// `sent_on` and `responded_on` sort first ascending and last descending. `authority` and
    /// `force` sort by slug.
    #[param(value_type = Option<FoiSortKey>)]
    sort: Option<String>,
    /// Value counts of the filtered set, comma-separated names: returned as `facets`, the most
    /// frequent values first, at most 100 per name. Each counts requests: `outcome`,
    /// `exemption` (as answers record it: `s31(3)`) and `tool` count the requests with at least
    /// one answer holding the value.
    #[param(value_type = Option<FoiFacetList>, example = "outcome,exemption")]
    facet: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `exact` adds `total_count` to the answer.
    #[param(value_type = Option<CountMode>)]
    count: Option<String>,
}

/// Parses the filters, recording what is wrong in `v`.
fn parse_foi_filter(v: &mut Validator, q: FoiFilterQuery) -> FoiFilter {
    let slug = |v: &mut Validator, field: &str, raw: Option<&str>| {
        v.parse::<Slug>(field, raw).map(Slug::into_inner)
    };
    let section = |v: &mut Validator, field: &str, raw: Option<&str>| {
        v.parse::<FoiSection>(field, raw)
            .map(FoiSection::into_inner)
    };
    // Parsed first, so that errors keep the order they always had.
    let exemption = section(v, "exemption", q.exemption.as_deref());
    FoiFilter {
        force: slug(v, "force", q.force.as_deref()),
        authority: slug(v, "authority", q.authority.as_deref()),
        campaign: slug(v, "campaign", q.campaign.as_deref()),
        outcome: v.parse("outcome", q.outcome.as_deref()),
        state: v.parse("state", q.state.as_deref()),
        exemption,
        answer_tool: slug(v, "answer_tool", q.answer_tool.as_deref()),
        answer_exemption: section(v, "answer_exemption", q.answer_exemption.as_deref()),
        answer_outcome: v.parse("answer_outcome", q.answer_outcome.as_deref()),
        received_gte: v.date("received__gte", q.received_gte.as_deref()),
        received_lte: v.date("received__lte", q.received_lte.as_deref()),
        responded_gte: v.date("responded__gte", q.responded_gte.as_deref()),
        responded_lte: v.date("responded__lte", q.responded_lte.as_deref()),
        overdue: v.flag("overdue", q.overdue.as_deref()),
        late: v.flag("late", q.late.as_deref()),
        q: v.parse("q", q.q.as_deref()),
    }
}

/// What `GET /foi-requests.atom` reads from the query string.
#[derive(Debug, Deserialize)]
pub struct FoiFeedQuery {
    #[serde(flatten)]
    filters: FoiFilterQuery,
    #[serde(flatten)]
    feed: FeedQuery,
}

/// What `GET /foi-requests`, its exports and its page read from the query string.
#[derive(Debug, Deserialize)]
pub struct FoiListQuery {
    #[serde(flatten)]
    filters: FoiFilterQuery,
    #[serde(flatten)]
    options: FoiListOptions,
}

/// A list request as parsed: what to read, in which order, which page, and which facets.
pub struct FoiListRequest {
    pub filter: FoiFilter,
    pub sort: FoiSort,
    pub page: PageRequest<FoiKey>,
    pub facets: Vec<FoiFacet>,
}

/// Parses the list's parameters (shared with the exports, the feed and the pages).
pub fn parse_foi_query(req: &HttpRequest, query: FoiListQuery) -> Result<FoiListRequest, ApiError> {
    let mut known = param_names::<FoiFilterQuery>();
    known.extend(param_names::<FoiListOptions>());
    only_params(req, &known)?;
    let FoiListQuery { filters, options } = query;
    let mut v = Validator::default();
    let filter = parse_foi_filter(&mut v, filters);
    let sort = match options.sort.as_deref() {
        None => FoiSort::default(),
        Some(raw) => FoiSort::from_param(raw).unwrap_or_else(|| {
            v.reject(
                "sort",
                format!("must be one of: {}", FoiSort::params().join(", ")),
            );
            FoiSort::default()
        }),
    };
    let facets = v.list("facet", options.facet.as_deref());
    let limit = v.limit(options.limit.as_deref());
    let count = v.count(options.count.as_deref());
    let after = decode_cursor::<FoiKey>(req, options.cursor.as_deref());
    v.finish()?;
    Ok(FoiListRequest {
        filter,
        sort,
        page: PageRequest {
            limit,
            after: after?,
            count,
        },
        facets,
    })
}

/// List FOI requests.
///
/// With their answers, exemptions, stages and computed deadlines; most recently received first
/// unless `sort` says otherwise. Filters combine with AND.
#[utoipa::path(
    tag = "foi",
    params(FoiFilterQuery, FoiListOptions),
    responses(
        (status = 200, description = "A page of FOI requests", body = ListResponse<FoiRequestView>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/foi-requests")]
pub async fn list_foi_requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<FoiListQuery>,
) -> Result<HttpResponse, ApiError> {
    let list = parse_foi_query(&req, query.into_inner())?;
    let calendar = state.calendar.clone();
    cache::respond(
        &req,
        &state,
        "json",
        Dependency::Everything,
        move |conn| {
            let page = foi_requests::list(conn, &calendar, &list.filter, list.sort, &list.page)?;
            Ok((
                page,
                foi_requests::facets(conn, &list.filter, &list.facets)?,
            ))
        },
        |(page, counts)| {
            Cached::list(
                &ListResponse::from_page(&req, page)
                    .map(FoiRequestView::from)
                    .with_facets(facet_views(counts)),
            )
        },
    )
    .await
}

/// Subscribe to a filtered list of FOI requests (Atom).
///
/// The requests the list's filters select, the most recently changed first: an entry is
/// updated whenever its request is (a reply, a stage, a document). A paged feed (RFC 5005):
/// the `next` link leads to older entries.
#[utoipa::path(
    tag = "foi",
    params(FoiFilterQuery, FeedQuery),
    responses(
        (status = 200, description = "A page of the feed as Atom (RFC 4287)", body = String,
            content_type = "application/atom+xml", headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/foi-requests.atom")]
pub async fn foi_requests_atom(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<FoiFeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let FoiFeedQuery { filters, feed } = query.into_inner();
    FeedQuery::only_with::<FoiFilterQuery>(&req)?;
    let mut v = Validator::default();
    let filter = parse_foi_filter(&mut v, filters);
    let page = feed.page(&req, &mut v);
    v.finish()?;
    let page = page?;
    let calendar = state.calendar.clone();
    let sort = FoiSort::from_param("-updated_at").expect("a documented sort");
    let title = "Surveillance Disclosure Registry: FOI requests";
    let entry = |request: &FoiRequest| AtomEntry {
        id: format!("tag:surveillance-registry,2026:foi-request-{}", request.id),
        title: format!("{}: {}", request.authority, request.title),
        updated: request.updated_at,
        author: "Surveillance Disclosure Registry".into(),
        href: format!("/foi-requests/{}", request.id),
        summary: format!(
            "{}; received {}; {} answer{}",
            request.state,
            request.received_on,
            request.answers.len(),
            if request.answers.len() == 1 { "" } else { "s" }
        ),
    };
    cache::respond(
        &req,
        &state,
        "atom",
        Dependency::Everything,
        move |conn| foi_requests::list(conn, &calendar, &filter, sort, &page),
        |page| atom::paged(&req, title, page, entry),
    )
    .await
}

/// Get one FOI request.
#[utoipa::path(
    tag = "foi",
    params(("id" = EntityId, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request", body = FoiRequestView,
            headers(("ETag" = String, description = "`\"r<revision>-...\"`; send it as `If-Match` to update"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No request has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/foi-requests/{id}")]
pub async fn get_foi_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let calendar = state.calendar.clone();
    let request = state
        .db
        .run(move |conn| foi_requests::get(conn, &calendar, &id))
        .await?;
    Ok(responses::json_at_revision(
        &req,
        request.revision,
        &FoiRequestView::from(request),
    ))
}

/// A request's history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [crate::api::views::examples::schema_example::<RevisionView<FoiRequestView>>()]
}))]
pub struct FoiRevisionList {
    /// Every revision, oldest first; a deletion is the last one.
    pub items: Vec<RevisionView<FoiRequestView>>,
}

/// Get every revision of an FOI request.
///
/// The history survives deletion.
#[utoipa::path(
    tag = "foi",
    params(("id" = EntityId, Path, description = "The request's id")),
    responses(
        (status = 200, description = "Every revision, oldest first", body = FoiRevisionList, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No request ever had this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/foi-requests/{id}/revisions")]
pub async fn list_foi_revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let items = state
        .db
        .run(move |conn| foi_requests::revisions(conn, &id))
        .await?;
    Ok(responses::json(
        &req,
        &serde_json::json!({ "items": items.into_iter().map(RevisionView::from).collect::<Vec<_>>() }),
    ))
}

/// The answer to a write: the request, with its revision ETag for the next `If-Match`.
fn written(status: StatusCode, request: FoiRequest) -> HttpResponse {
    responses::written(
        status,
        request.revision,
        &format!("/api/v1/foi-requests/{}", request.id),
        &FoiRequestView::from(request),
    )
}

/// Parses a request body for `identity`, who must be allowed to write the authority's force.
async fn authorised_fields(
    state: &AppState,
    identity: &Identity,
    body: FoiRequestInput,
) -> Result<(String, FoiRequestFields), ApiError> {
    let authority = body.authority()?.into_inner();
    let (force, law) = state
        .db
        .run(move |conn| foi_requests::authority_of(conn, &authority))
        .await?;
    identity.require_force(&force)?;
    Ok((force, body.parse(Some(identity.role), law)?))
}

/// Record an FOI request, with its answers and stages.
///
/// Editors and admins may record any authority's replies; force staff those of their own forces'
/// authorities, as `force_reported`. An answer's `claims` set the force's deployments in the same
/// transaction. The due date is computed from `received_on`, never sent.
#[utoipa::path(
    tag = "foi",
    security(("bearerAuth" = [])),
    request_body = FoiRequestInput,
    responses(
        (status = 201, description = "The request", body = FoiRequestView,
            headers(("Location" = String), ("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
        (status = 403, description = "The account may not write this authority's force", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/foi-requests")]
pub async fn create_foi_request(
    identity: Identity,
    state: web::Data<AppState>,
    body: web::Json<FoiRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let (_, fields) = authorised_fields(&state, &identity, body.into_inner()).await?;
    let stamp = Stamp::now(identity.actor());
    let calendar = state.calendar.clone();
    let created = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                crate::workflows::foi_answers::create(conn, &calendar, &stamp, &fields)
            })
        })
        .await?;
    Ok(written(StatusCode::CREATED, created))
}

/// Replace an FOI request's content.
///
/// Send `If-Match` with the ETag you read: 428 without it, 412 when someone else changed the request
/// first. Answers keep their ids by position; stages are replaced.
#[utoipa::path(
    tag = "foi",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The request's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision the change is based on")),
    request_body = FoiRequestInput,
    responses(
        (status = 200, description = "The request", body = FoiRequestView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for the next `If-Match`"))),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No request has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/foi-requests/{id}")]
pub async fn update_foi_request(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
    body: web::Json<FoiRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let (_, fields) = authorised_fields(&state, &change.identity, body.into_inner()).await?;
    let (read, calendar) = (id.clone(), state.calendar.clone());
    let reading = calendar.clone();
    let updated = change
        .apply_to(
            &state,
            move |conn| foi_requests::get(conn, &reading, &read),
            move |conn, stamp, expected, _| {
                crate::workflows::foi_answers::update(
                    conn, &calendar, stamp, &id, expected, &fields,
                )
            },
        )
        .await?;
    Ok(written(StatusCode::OK, updated))
}

/// Delete an FOI request, with its answers, stages and documents.
///
/// The deletion is itself a revision: the history stays readable.
#[utoipa::path(
    tag = "foi",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The request's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No request has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/foi-requests/{id}")]
pub async fn delete_foi_request(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let (read, calendar) = (id.clone(), state.calendar.clone());
    let reading = calendar.clone();
    change
        .apply_to(
            &state,
            move |conn| foi_requests::get(conn, &reading, &read),
            move |conn, stamp, expected, _| {
                foi_requests::delete(conn, &calendar, stamp, &id, expected)
            },
        )
        .await?;
    Ok(deleted())
}

/// Query parameters of a document upload.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The document's file name, as shown to readers.
    #[param(value_type = FileName, example = "FOI-OPCC-19-026-037.pdf")]
    filename: String,
}

/// Attach a document to a reply.
///
/// The body is the document's bytes, sent with its media type. They are stored byte for byte with
/// their SHA-256; the request gains a revision.
#[utoipa::path(
    tag = "foi",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The request's id"), UploadQuery),
    request_body(content(
        (FileContent = "application/pdf"), (FileContent = "text/plain"), (FileContent = "text/csv"),
        (FileContent = "text/html"), (FileContent = "image/png"), (FileContent = "image/jpeg"),
        (FileContent = "image/gif"), (FileContent = "image/tiff"),
    )),
    responses(
        (status = 201, description = "The stored document", body = DocumentView,
            headers(("Location" = String))),
        (status = 400, description = "The id, file name or body is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No request has this id", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The document is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Documents must be PDF, text or images", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/foi-requests/{id}/documents")]
pub async fn upload_document(
    req: HttpRequest,
    identity: Identity,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
    query: web::Query<UploadQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !document::DOCUMENT_TYPES.contains(&media_type.as_str()) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "Documents are sent with one of these media types: {}.",
            document::DOCUMENT_TYPES.join(", ")
        )));
    }
    let filename: FileName = query
        .into_inner()
        .filename
        .parse()
        .map_err(|e: ParseError| ApiError::invalid_field("filename", e.0))?;
    let (read, calendar) = (id.clone(), state.calendar.clone());
    writes::authorise(&state, &identity, move |conn| {
        foi_requests::get(conn, &calendar, &read)
    })
    .await?;
    let body: Bytes = payload
        .to_bytes_limited(DOCUMENT_LIMIT)
        .await
        .map_err(|_| {
            ApiError::PayloadTooLarge(format!(
                "Documents may be at most {} MiB.",
                DOCUMENT_LIMIT / 1024 / 1024
            ))
        })?
        .map_err(|e| ApiError::invalid_field("body", e.to_string()))?;
    if body.is_empty() {
        return Err(ApiError::invalid_field("body", "the document is empty"));
    }
    document::check_content(&media_type, &body).map_err(|e| ApiError::invalid_field("body", e))?;
    let stamp = Stamp::now(identity.actor());
    let calendar = state.calendar.clone();
    let (name, content) = (filename.into_inner(), body.to_vec());
    let document = web::block(move || NewDocument::new(name, media_type, content))
        .await
        .map_err(|e| ApiError::Internal(format!("reading the document's text: {e}")))?;
    let request_id = id.clone();
    let (_, stored) = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                foi_requests::add_document(conn, &calendar, &stamp, &request_id, &document)
            })
        })
        .await?;
    let location = format!("/api/v1/foi-requests/{id}/documents/{}", stored.id);
    let mut response = responses::private(StatusCode::CREATED, None, &DocumentView::from(stored));
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).expect("ids are ASCII"),
    );
    Ok(response)
}

/// Download a reply's document, byte for byte.
#[utoipa::path(
    tag = "foi",
    params(("id" = EntityId, Path, description = "The request's id"),
        ("document_id" = EntityId, Path, description = "The document's id")),
    responses(
        (status = 200, description = "The document's bytes. PDFs and PNG, JPEG and GIF images are sent \
as themselves and text as `text/plain; charset=utf-8`, inline; every other type (web pages, TIFF) as \
`application/octet-stream` to save (`Content-Disposition: attachment`).",
            content(
                (String = "application/pdf"), (String = "text/plain"), (String = "image/png"),
                (String = "image/jpeg"), (String = "image/gif"), (String = "application/octet-stream"),
            ),
            headers(("ETag" = String, description = "The SHA-256 of the bytes"),
                ("Content-Disposition" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/foi-requests/{id}/documents/{document_id}")]
pub async fn download_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(EntityId, EntityId)>,
) -> Result<HttpResponse, ApiError> {
    let (id, document_id) = path.into_inner();
    let (id, document_id) = (id.into_inner(), document_id.into_inner());
    let (stored, content) = state
        .db
        .run(move |conn| foi_requests::document(conn, &id, &document_id))
        .await?;
    let etag = header::EntityTag::new_strong(stored.sha256.clone());
    let delivery = document::delivery(&stored.media_type);
    let mut response = responses::tagged(&req, etag, delivery.content_type, content);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_str(&content_disposition(delivery.inline, &stored.filename))
            .unwrap_or_else(|_| header::HeaderValue::from_static("attachment")),
    );
    // Whatever the bytes are, they run nothing in this origin: no sniffing, and a sandbox.
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    // Browsers' PDF viewers do not run in a sandboxed document, so PDFs get every other limit.
    let policy = if delivery.content_type == "application/pdf" {
        "default-src 'none'; object-src 'self'; frame-ancestors 'none'"
    } else {
        "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox"
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(policy),
    );
    Ok(response)
}

/// `inline` or `attachment`, with the name as ASCII (`filename`) and, when it is not plain ASCII,
/// exactly (`filename*`, RFC 6266 and RFC 8187).
fn content_disposition(inline: bool, name: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let parsed: Option<FileName> = name.parse().ok();
    let fallback = parsed
        .as_ref()
        .map_or_else(|| "document".to_owned(), FileName::ascii_fallback);
    let mut value = format!("{kind}; filename=\"{fallback}\"");
    if fallback != name {
        let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        value.push_str(&format!("; filename*=UTF-8''{encoded}"));
    }
    value
}
