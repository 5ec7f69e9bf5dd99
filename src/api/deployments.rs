//! `/api/v1/deployments`: the registry's claims, their evidence and their history.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::atom::{self, AtomEntry, FeedQuery};
use super::cache::{self, Cached};
use super::deployment_input::DeploymentInput;
use super::moments::AsOfOnly;
use super::pagination::{decode_cursor, facet_views, ListResponse};
use super::params::{only_params, param_names, Validator, MAX_REGION};
use super::text_formats::{
    CountMode, DeploymentFacetList, DeploymentSortKey, IncludeMode, StatusList,
};
use super::views::assessments::ImpactAssessmentView;
use super::views::deployments::{DeploymentListItemView, DeploymentRevisionView, DeploymentView};
use super::views::foi_requests::AnswerCitationView;
use super::views::sources::SourceView;
use super::writes::{deleted, Change};
use super::{responses, AppState};
use crate::auth::Identity;
use crate::db::DbConnection;
use crate::domain::{DeploymentStatus, Moment, Nation, Provenance, Slug};
use crate::domain::{EntityId, SearchTerms};
use crate::error::{ApiError, Problem};
use crate::store::audit::Stamp;
use crate::store::deployments::{
    self, ActiveOn, DateRange, Deployment, DeploymentFilter, DeploymentKey, DeploymentSort, Facet,
    NewDeployment,
};
use crate::store::evidence;
use crate::store::foi_requests::{self, AnswerCitation};
use crate::store::impact_assessments::{self, ImpactAssessment};
use crate::store::markers::Dependency;
use crate::store::sources::Source;
use crate::store::PageRequest;
use crate::store::{expect_revision, write_transaction, StoreError};

/// The filters of `GET /deployments`, which its export, its feed and `GET /stats` take too.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeploymentFilterQuery {
    /// Force slug.
    #[param(value_type = Option<Slug>, example = "cambridgeshire")]
    force: Option<String>,
    /// Tool slug: the tool and its sub-types (`facial-recognition` includes live, retrospective
    /// and operator-initiated facial recognition).
    #[param(value_type = Option<Slug>, example = "facial-recognition")]
    tool: Option<String>,
    /// Tool slug: this tool only, not its sub-types.
    #[param(value_type = Option<Slug>, example = "live-facial-recognition")]
    tool_exact: Option<String>,
    /// One status.
    #[param(value_type = Option<DeploymentStatus>)]
    status: Option<String>,
    /// Several statuses, comma-separated (`in_use,trial`).
    #[serde(rename = "status__in")]
    #[param(rename = "status__in", value_type = Option<StatusList>, example = "in_use,trial")]
    status_in: Option<String>,
    /// UK nation of the force.
    #[param(value_type = Option<Nation>)]
    nation: Option<String>,
    /// Region of the force, named exactly as the forces record it (`GET /forces`).
    #[param(value_type = Option<String>, max_length = 100, example = "South West")]
    region: Option<String>,
    /// Vendor name contains this text (case-insensitive).
    #[param(value_type = Option<String>, example = "Cellebrite")]
    vendor: Option<String>,
    /// Where the claim comes from.
    #[param(value_type = Option<Provenance>)]
    provenance: Option<String>,
    /// Updated at or after this date (YYYY-MM-DD) or RFC 3339 timestamp.
    #[serde(rename = "updated__gte")]
    #[param(rename = "updated__gte", value_type = Option<Moment>, example = "2024-01-01")]
    updated_gte: Option<String>,
    /// Updated at or before this date (the whole day) or RFC 3339 timestamp.
    #[serde(rename = "updated__lte")]
    #[param(rename = "updated__lte", value_type = Option<Moment>, example = "2024-12-31")]
    updated_lte: Option<String>,
    /// Only deployments covered (`true`) or not covered (`false`) by an impact assessment that
    /// exists: status `published` or `exists_unpublished`. Links to assessments `in_progress`,
    /// `not_done`, `not_held`, `withheld` or `ncnd` do not count.
    #[param(value_type = Option<bool>)]
    has_impact_assessment: Option<String>,
    /// First known use on or after this date (YYYY-MM-DD); deployments without one do not match.
    #[serde(rename = "first_known_use__gte")]
    #[param(rename = "first_known_use__gte", value_type = Option<chrono::NaiveDate>, example = "2019-01-01")]
    first_known_use_gte: Option<String>,
    /// First known use on or before this date (YYYY-MM-DD).
    #[serde(rename = "first_known_use__lte")]
    #[param(rename = "first_known_use__lte", value_type = Option<chrono::NaiveDate>, example = "2020-12-31")]
    first_known_use_lte: Option<String>,
    /// Last confirmed on or after this date (YYYY-MM-DD); deployments without one do not match.
    #[serde(rename = "last_confirmed__gte")]
    #[param(rename = "last_confirmed__gte", value_type = Option<chrono::NaiveDate>, example = "2022-01-01")]
    last_confirmed_gte: Option<String>,
    /// Last confirmed on or before this date (YYYY-MM-DD).
    #[serde(rename = "last_confirmed__lte")]
    #[param(rename = "last_confirmed__lte", value_type = Option<chrono::NaiveDate>, example = "2022-12-31")]
    last_confirmed_lte: Option<String>,
    /// Ended on or after this date (YYYY-MM-DD); deployments without an end date do not match.
    #[serde(rename = "ended_on__gte")]
    #[param(rename = "ended_on__gte", value_type = Option<chrono::NaiveDate>, example = "2020-01-01")]
    ended_on_gte: Option<String>,
    /// Ended on or before this date (YYYY-MM-DD).
    #[serde(rename = "ended_on__lte")]
    #[param(rename = "ended_on__lte", value_type = Option<chrono::NaiveDate>, example = "2023-12-31")]
    ended_on_lte: Option<String>,
    /// `true`: no end date, or one after today (after the `as_of` date when given); `false`: ended
    /// by then. Whatever the status.
    #[param(value_type = Option<bool>)]
    active: Option<String>,
    /// `true`: checked by a registry editor; `false`: not yet checked.
    #[param(value_type = Option<bool>)]
    verified: Option<String>,
    /// Full text, in the search syntax (`"phrases"`, `OR`, `-exclusions`): only deployments whose
    /// summary, vendors, product, legal basis, force or tool (name and aliases) match.
    #[param(value_type = Option<SearchTerms>, example = "body worn")]
    q: Option<String>,
    /// Read the registry as it stood at the end of this date, or at this RFC 3339 timestamp.
    #[param(value_type = Option<Moment>, example = "2020-01-01")]
    as_of: Option<String>,
}

/// The parameters of `GET /deployments` beside its filters: order, page and what to add.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeploymentListOptions {
    /// The column to sort by, ascending, or descending with a leading `-` (default
    /// `-updated_at`); ties by id. Deployments without the date sort last either way.
    #[param(value_type = Option<DeploymentSortKey>)]
    sort: Option<String>,
    /// Value counts of the filtered set, comma-separated names (`force,status`): returned as
    /// `facets`, the most frequent values first, at most 100 per name.
    #[param(value_type = Option<DeploymentFacetList>, example = "status,tool")]
    facet: Option<String>,
    /// `evidence` embeds each deployment's sources and covering impact assessments.
    #[param(value_type = Option<IncludeMode>)]
    include: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `exact` adds `total_count` to the answer.
    #[param(value_type = Option<CountMode>)]
    count: Option<String>,
}

/// A date range from two bounds, refused when they are the wrong way round.
fn date_range(v: &mut Validator, field: &str, gte: Option<&str>, lte: Option<&str>) -> DateRange {
    let range = DateRange {
        from: v.date(&format!("{field}__gte"), gte),
        to: v.date(&format!("{field}__lte"), lte),
    };
    if let (Some(from), Some(to)) = (range.from, range.to) {
        if from > to {
            v.reject(
                &format!("{field}__gte"),
                format!("must not be after {field}__lte"),
            );
        }
    }
    range
}

/// A list request as parsed: what to read, in which order, which page, and what to add.
pub struct DeploymentListRequest {
    pub filter: DeploymentFilter,
    pub sort: DeploymentSort,
    pub page: PageRequest<DeploymentKey>,
    pub facets: Vec<Facet>,
    /// `include=evidence`.
    pub with_evidence: bool,
}

/// What `GET /deployments` and its export read from the query string.
#[derive(Debug, Deserialize)]
pub struct DeploymentListQuery {
    #[serde(flatten)]
    filters: DeploymentFilterQuery,
    #[serde(flatten)]
    options: DeploymentListOptions,
}

/// Parses the list's parameters (shared with the export and the feed).
pub fn parse_list_query(
    req: &HttpRequest,
    query: DeploymentListQuery,
) -> Result<DeploymentListRequest, ApiError> {
    let mut known = param_names::<DeploymentFilterQuery>();
    known.extend(param_names::<DeploymentListOptions>());
    only_params(req, &known)?;
    let DeploymentListQuery { filters, options } = query;
    let mut v = Validator::default();
    let filter = parse_filter(&mut v, filters);
    let sort = v.parse("sort", options.sort.as_deref()).unwrap_or_default();
    let facets = v.list("facet", options.facet.as_deref());
    let with_evidence = match options.include.as_deref() {
        None => false,
        Some("evidence") => true,
        Some(_) => {
            v.reject("include", "the only accepted value is `evidence`");
            false
        }
    };
    let limit = v.limit(options.limit.as_deref());
    let count = v.count(options.count.as_deref());
    let after = decode_cursor::<DeploymentKey>(req, options.cursor.as_deref());
    v.finish()?;
    Ok(DeploymentListRequest {
        filter,
        sort,
        page: PageRequest {
            limit,
            after: after?,
            count,
        },
        facets,
        with_evidence,
    })
}

/// Parses the deployment filters alone (`GET /stats`).
pub fn parse_filter_query(
    req: &HttpRequest,
    query: DeploymentFilterQuery,
) -> Result<DeploymentFilter, ApiError> {
    only_params(req, &param_names::<DeploymentFilterQuery>())?;
    let mut v = Validator::default();
    let filter = parse_filter(&mut v, query);
    v.finish()?;
    Ok(filter)
}

/// Parses the filters, recording what is wrong in `v`.
fn parse_filter(v: &mut Validator, q: DeploymentFilterQuery) -> DeploymentFilter {
    let as_of = v
        .parse::<Moment>("as_of", q.as_of.as_deref())
        .map(Moment::end);
    let mut statuses: Vec<DeploymentStatus> = v.list("status__in", q.status_in.as_deref());
    statuses.extend(v.parse::<DeploymentStatus>("status", q.status.as_deref()));
    DeploymentFilter {
        force: v
            .parse::<Slug>("force", q.force.as_deref())
            .map(Slug::into_inner),
        tool: v
            .parse::<Slug>("tool", q.tool.as_deref())
            .map(Slug::into_inner),
        tool_exact: v
            .parse::<Slug>("tool_exact", q.tool_exact.as_deref())
            .map(Slug::into_inner),
        statuses,
        nation: v.parse("nation", q.nation.as_deref()),
        region: v.text("region", q.region, MAX_REGION),
        vendor: q.vendor.filter(|vendor| !vendor.trim().is_empty()),
        provenance: v.parse("provenance", q.provenance.as_deref()),
        updated_gte: v
            .parse::<Moment>("updated__gte", q.updated_gte.as_deref())
            .map(Moment::start),
        updated_lte: v
            .parse::<Moment>("updated__lte", q.updated_lte.as_deref())
            .map(Moment::end),
        has_impact_assessment: v.flag("has_impact_assessment", q.has_impact_assessment.as_deref()),
        first_known_use: date_range(
            v,
            "first_known_use",
            q.first_known_use_gte.as_deref(),
            q.first_known_use_lte.as_deref(),
        ),
        last_confirmed: date_range(
            v,
            "last_confirmed",
            q.last_confirmed_gte.as_deref(),
            q.last_confirmed_lte.as_deref(),
        ),
        ended_on: date_range(
            v,
            "ended_on",
            q.ended_on_gte.as_deref(),
            q.ended_on_lte.as_deref(),
        ),
        active: v
            .flag("active", q.active.as_deref())
            .map(|active| ActiveOn {
                active,
                on: as_of.map_or_else(|| Utc::now().date_naive(), |at| at.date()),
            }),
        verified: v.flag("verified", q.verified.as_deref()),
        q: v.parse("q", q.q.as_deref()),
        as_of,
    }
}

/// List deployments.
///
/// Every claim about a force's use of a tool, filtered and keyset-paginated. With `as_of`, the list is
/// read from the immutable revisions as it stood at that moment.
#[utoipa::path(
    tag = "deployments",
    params(DeploymentFilterQuery, DeploymentListOptions),
    responses(
        (status = 200, description = "A page of deployments", body = ListResponse<DeploymentListItemView>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/deployments")]
pub async fn list_deployments(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<DeploymentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let list = parse_list_query(&req, query.into_inner())?;
    cache::respond(
        &req,
        &state,
        "json",
        Dependency::Everything,
        move |conn| {
            let DeploymentListRequest {
                filter,
                sort,
                page,
                facets,
                with_evidence,
            } = &list;
            let page = deployments::list(conn, filter, *sort, page)?;
            let counts = deployments::facets(conn, filter, facets)?;
            let page = if *with_evidence {
                evidence::with_evidence(conn, page)?.map(DeploymentListItemView::from)
            } else {
                page.map(DeploymentListItemView::from)
            };
            Ok((page, counts))
        },
        |(page, counts)| {
            let facets = facet_views(counts);
            Cached::list(&ListResponse::from_page(&req, page).with_facets(facets))
        },
    )
    .await
}

/// What `GET /deployments.atom` reads from the query string.
#[derive(Debug, Deserialize)]
pub struct DeploymentFeedQuery {
    #[serde(flatten)]
    filters: DeploymentFilterQuery,
    #[serde(flatten)]
    feed: FeedQuery,
}

/// Subscribe to a filtered list of deployments (Atom).
///
/// The deployments the list's filters select, the most recently changed first: an entry is
/// updated whenever its claim is. A paged feed (RFC 5005): the `next` link leads to older
/// entries.
#[utoipa::path(
    tag = "deployments",
    params(DeploymentFilterQuery, FeedQuery),
    responses(
        (status = 200, description = "A page of the feed as Atom (RFC 4287)", body = String,
            content_type = "application/atom+xml", headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/deployments.atom")]
pub async fn deployments_atom(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<DeploymentFeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let DeploymentFeedQuery { filters, feed } = query.into_inner();
    FeedQuery::only_with::<DeploymentFilterQuery>(&req)?;
    let mut v = Validator::default();
    let filter = parse_filter(&mut v, filters);
    let page = feed.page(&req, &mut v);
    v.finish()?;
    let page = page?;
    let title = "Surveillance Disclosure Registry: deployments";
    let entry = |d: &Deployment| AtomEntry {
        id: format!("tag:surveillance-registry,2026:deployment-{}", d.id),
        title: format!("{} · {}: {}", d.force, d.tool, d.state.status.as_str()),
        updated: d.updated_at,
        author: "Surveillance Disclosure Registry".into(),
        href: format!("/deployments/{}", d.id),
        summary: if d.state.vendors.is_empty() {
            d.state.summary.clone()
        } else {
            format!(
                "{} (vendors: {})",
                d.state.summary,
                d.state.vendors.join(", ")
            )
        },
    };
    cache::respond(
        &req,
        &state,
        "atom",
        Dependency::Everything,
        move |conn| deployments::list(conn, &filter, DeploymentSort::default(), &page),
        |page| atom::paged(&req, title, page, entry),
    )
    .await
}

/// The example of [`DeploymentDetail`]: the deployment's own, with what it embeds.
fn detail_example() -> serde_json::Value {
    use crate::api::views::examples::{example_with, schema_example};
    example_with::<DeploymentView>(serde_json::json!({
        "evidence": [schema_example::<SourceView>()],
        "impact_assessments": [],
        "foi_answers": [schema_example::<AnswerCitationView>()]
    }))
}

/// A deployment with everything behind it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = detail_example)]
pub struct DeploymentDetail {
    #[serde(flatten)]
    pub deployment: DeploymentView,
    /// The sources that back the claim.
    pub evidence: Vec<SourceView>,
    /// The impact assessments that cover this deployment.
    pub impact_assessments: Vec<ImpactAssessmentView>,
    /// FOI answers that support or contradict the claim.
    pub foi_answers: Vec<AnswerCitationView>,
}

/// A deployment with everything behind it, as the stores hold it: the web page's data, and what
/// [`DeploymentDetail`] is built from.
pub struct DeploymentRecord {
    pub deployment: Deployment,
    pub evidence: Vec<Source>,
    pub impact_assessments: Vec<ImpactAssessment>,
    pub foi_answers: Vec<AnswerCitation>,
}

impl From<DeploymentRecord> for DeploymentDetail {
    fn from(r: DeploymentRecord) -> Self {
        Self {
            deployment: DeploymentView::from(r.deployment),
            evidence: r.evidence.into_iter().map(SourceView::from).collect(),
            impact_assessments: r
                .impact_assessments
                .into_iter()
                .map(ImpactAssessmentView::from)
                .collect(),
            foi_answers: r
                .foi_answers
                .into_iter()
                .map(AnswerCitationView::from)
                .collect(),
        }
    }
}

/// A deployment (as of a moment) with its evidence, assessments and FOI answers: the API's
/// answer and the web page's data.
pub fn deployment_detail(
    conn: &mut DbConnection,
    id: &str,
    as_of: Option<chrono::NaiveDateTime>,
) -> Result<DeploymentRecord, StoreError> {
    let deployment = deployments::get(conn, id, as_of)?;
    Ok(DeploymentRecord {
        evidence: crate::store::sources::many(conn, &deployment.state.source_ids)?,
        impact_assessments: impact_assessments::covering(
            conn,
            std::slice::from_ref(&deployment.id),
        )?,
        foi_answers: foi_requests::answers_for_deployment(conn, &deployment.id)?,
        deployment,
    })
}

/// Get one deployment, with its evidence, impact assessments and FOI answers.
#[utoipa::path(
    tag = "deployments",
    params(("id" = EntityId, Path, description = "The deployment's id"), AsOfOnly),
    responses(
        (status = 200, description = "The deployment", body = DeploymentDetail, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No deployment has this id (at that moment)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/deployments/{id}")]
pub async fn get_deployment(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
    query: web::Query<AsOfOnly>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let as_of = query.parse()?;
    let detail = state
        .db
        .run(move |conn| deployment_detail(conn, &id, as_of))
        .await?;
    let detail = DeploymentDetail::from(detail);
    // Current reads carry the revision in their ETag, for `If-Match` on writes.
    Ok(match as_of {
        None => responses::json_at_revision(&req, detail.deployment.revision, &detail),
        Some(_) => responses::json(&req, &detail),
    })
}

/// A deployment's full history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [crate::api::views::examples::schema_example::<DeploymentRevisionView>()]
}))]
pub struct RevisionList {
    /// Every revision, oldest first; a deletion is the last one.
    pub items: Vec<DeploymentRevisionView>,
}

/// Get every revision of a deployment.
///
/// The history survives deletion: a deleted deployment's revisions stay readable.
#[utoipa::path(
    tag = "deployments",
    params(("id" = EntityId, Path, description = "The deployment's id")),
    responses(
        (status = 200, description = "Every revision, oldest first", body = RevisionList, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No deployment ever had this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/deployments/{id}/revisions")]
pub async fn list_revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let items = state
        .db
        .run(move |conn| deployments::revisions(conn, &id))
        .await?;
    Ok(responses::json(
        &req,
        &RevisionList {
            items: items
                .into_iter()
                .map(DeploymentRevisionView::from)
                .collect(),
        },
    ))
}

/// The answer to a write: the deployment, with its revision ETag for the next `If-Match`.
fn written(status: StatusCode, deployment: Deployment) -> HttpResponse {
    responses::written(
        status,
        deployment.revision,
        &format!("/api/v1/deployments/{}", deployment.id),
        &DeploymentView::from(deployment),
    )
}

/// Record a deployment.
///
/// Editors and admins may write any force; force staff only their own forces, and their claims are
/// recorded as `force_reported`. The write, its first revision and its change event commit together.
#[utoipa::path(
    tag = "deployments",
    security(("bearerAuth" = [])),
    request_body = DeploymentInput,
    responses(
        (status = 201, description = "The deployment", body = DeploymentView,
            headers(("Location" = String), ("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/deployments")]
pub async fn create_deployment(
    identity: Identity,
    state: web::Data<AppState>,
    body: web::Json<DeploymentInput>,
) -> Result<HttpResponse, ApiError> {
    let (force, tool, deployment_state) = body.into_inner().parse(&identity)?;
    identity.require_force(force.as_str())?;
    let stamp = Stamp::now(identity.actor());
    let new = NewDeployment {
        force: force.into_inner(),
        tool: tool.into_inner(),
        state: deployment_state,
    };
    let created = state
        .db
        .run(move |conn| write_transaction(conn, |conn| deployments::create(conn, &stamp, &new)))
        .await?;
    Ok(written(StatusCode::CREATED, created))
}

/// Replace a deployment's content.
///
/// Send `If-Match` with the ETag you read: without it the answer is 428, and 412 when someone else
/// changed the deployment first (re-read it and apply your change again). Force and tool are fixed.
#[utoipa::path(
    tag = "deployments",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The deployment's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision the change is based on")),
    request_body = DeploymentInput,
    responses(
        (status = 200, description = "The deployment", body = DeploymentView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for the next `If-Match`"))),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No deployment has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/deployments/{id}")]
pub async fn update_deployment(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
    body: web::Json<DeploymentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let (force, tool, deployment_state) = body.into_inner().parse(&change.identity)?;
    let read = id.clone();
    let updated = change
        .apply_to(
            &state,
            move |conn| deployments::get(conn, &read, None),
            move |conn, stamp, expected, current| {
                for (field, given, held) in [
                    ("force", &force, &current.force),
                    ("tool", &tool, &current.tool),
                ] {
                    if given.as_str() != held {
                        return Err(StoreError::Invalid {
                            field,
                            message:
                                "is fixed once a deployment exists; record a new deployment instead"
                                    .into(),
                        });
                    }
                }
                expect_revision("deployment", &id, current.revision, expected)?;
                deployments::update_current(conn, stamp, &current, &deployment_state)
            },
        )
        .await?;
    Ok(written(StatusCode::OK, updated))
}

/// Delete a deployment.
///
/// The deletion is itself a revision: the history stays readable at `/deployments/{id}/revisions`
/// and with `as_of`.
#[utoipa::path(
    tag = "deployments",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The deployment's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No deployment has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/deployments/{id}")]
pub async fn delete_deployment(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let read = id.clone();
    change
        .apply_to(
            &state,
            move |conn| deployments::get(conn, &read, None),
            move |conn, stamp, expected, _| deployments::delete(conn, stamp, &id, expected),
        )
        .await?;
    Ok(deleted())
}
