//! Cross-registry views: a force's profile, a tool across forces, and the forces x tools matrix.
//! All are cached against the write marker (see `cache.rs`) and honour `as_of`.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::cache::{self, Cached};
use super::deployments::{parse_filter_query, DeploymentFilterQuery};
use super::moments::{AsOfOnly, ProfileQuery};
use super::params::{Validator, MAX_REGION};
use super::views::comparisons::{
    CellChangeView, MatrixComparisonView, ProfileComparisonView, ToolChangeView,
};
use super::views::overviews::{ForceProfileView, MatrixView, ToolForcesView};
use super::views::stats::StatsView;
use super::AppState;
use crate::domain::{Moment, Nation, Slug};
use crate::error::{ApiError, Problem};
use crate::store::compare;
use crate::store::markers::Dependency;
use crate::store::overviews::{self, Matrix, MatrixFilter};
use crate::store::stats;
use crate::store::StoreError;

/// Serves `compute`'s answer from the cache when nothing was written since it was computed.
async fn cached(
    req: &HttpRequest,
    state: &AppState,
    representation: &'static str,
    dependency: Dependency,
    compute: impl FnOnce(&mut crate::db::DbConnection) -> Result<Cached, StoreError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    cache::respond(req, state, representation, dependency, compute, |cached| {
        cached
    })
    .await
}

/// Get a force's profile.
///
/// Every tool of the taxonomy with this force's status (explicitly `not_researched` where nothing is
/// known), deployments, impact assessments and evidence: the one page a journalist needs.
#[utoipa::path(
    tag = "forces",
    params(("slug" = Slug, Path, description = "The force's slug", example = "cambridgeshire"), ProfileQuery),
    responses(
        (status = 200, description = "The profile", body = ForceProfileView, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No force has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/forces/{slug}/profile")]
pub async fn force_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
    query: web::Query<ProfileQuery>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let (as_of, compare_to) = query.parse()?;
    let (_, compare_label) = query.given();
    let dependency = Dependency::Force(slug.to_string());
    cached(&req, &state, "json", dependency, move |conn| {
        let profile = overviews::force_profile(conn, slug.as_str(), as_of)?;
        let comparison = match compare_to {
            None => None,
            Some(other) => {
                let old = overviews::force_profile(conn, slug.as_str(), Some(other))?;
                Some(ProfileComparisonView {
                    compare_to: compare_label,
                    changes: compare::profiles(&old, &profile)
                        .into_iter()
                        .map(ToolChangeView::from)
                        .collect(),
                })
            }
        };
        Ok(Cached::json(&ForceProfileView {
            comparison,
            ..ForceProfileView::from(profile)
        }))
    })
    .await
}

/// Get every force's status for one tool.
#[utoipa::path(
    tag = "tools",
    params(("slug" = Slug, Path, description = "The tool's slug", example = "imsi-catcher"), AsOfOnly),
    responses(
        (status = 200, description = "The tool and every force's status", body = ToolForcesView, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No tool has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tools/{slug}/forces")]
pub async fn tool_forces(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
    query: web::Query<AsOfOnly>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let as_of = query.parse()?;
    cached(&req, &state, "json", Dependency::Everything, move |conn| {
        Ok(Cached::json(&ToolForcesView::from(overviews::tool_forces(
            conn,
            slug.as_str(),
            as_of,
        )?)))
    })
    .await
}

/// Query parameters of `GET /matrix`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatrixQuery {
    /// Only the forces of this UK nation.
    #[param(value_type = Option<Nation>)]
    nation: Option<String>,
    /// Only the forces of this region, named exactly as the forces record it (`GET /forces`).
    #[param(value_type = Option<String>, max_length = 100, example = "South West")]
    region: Option<String>,
    /// Only this tool's column.
    #[param(value_type = Option<Slug>, example = "live-facial-recognition")]
    tool: Option<String>,
    /// Read the registry as it stood at the end of this date, or at this RFC 3339 timestamp.
    #[param(value_type = Option<Moment>, example = "2020-01-01")]
    as_of: Option<String>,
    /// Read by `GET /matrix` (JSON) alone, whose spec documents it; refused elsewhere.
    #[param(ignore)]
    compare_to: Option<String>,
}

impl MatrixQuery {
    /// The matrix's filters, shared by the matrix, its CSV, its export and the home page, which
    /// do not compare.
    pub fn parse(&self) -> Result<MatrixFilter, ApiError> {
        let (filter, compare_to) = self.parse_comparing()?;
        if compare_to.is_some() {
            return Err(ApiError::invalid_field(
                "compare_to",
                "only the JSON matrix (`GET /matrix`) compares two readings",
            ));
        }
        Ok(filter)
    }

    /// The matrix's filters and the moment to compare with.
    fn parse_comparing(&self) -> Result<(MatrixFilter, Option<Moment>), ApiError> {
        let mut v = Validator::default();
        let compare_to = v.parse::<Moment>("compare_to", self.compare_to.as_deref());
        let filter = MatrixFilter {
            nation: v.parse("nation", self.nation.as_deref()),
            region: v.text("region", self.region.clone(), MAX_REGION),
            tool: v
                .parse::<Slug>("tool", self.tool.as_deref())
                .map(Slug::into_inner),
            as_of: v
                .parse::<Moment>("as_of", self.as_of.as_deref())
                .map(Moment::end),
        };
        v.finish()?;
        Ok((filter, compare_to))
    }
}

fn matrix_csv(matrix: &Matrix) -> Cached {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["force", "name", "nation"]
        .into_iter()
        .chain(matrix.tools.iter().map(String::as_str));
    writer.write_record(header).expect("writing to memory");
    for row in &matrix.forces {
        let fixed = [
            row.force.as_str(),
            row.name.as_str(),
            row.nation.map_or("", Nation::as_str),
        ];
        let cells = matrix
            .tools
            .iter()
            .map(|tool| row.cells.get(tool).map_or("", |s| s.as_str()));
        writer
            .write_record(fixed.into_iter().chain(cells))
            .expect("writing to memory");
    }
    Cached::new(
        "text/csv; charset=utf-8",
        writer.into_inner().expect("writing to memory"),
    )
}

async fn serve_matrix(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: MatrixQuery,
    csv: bool,
) -> Result<HttpResponse, ApiError> {
    let (filter, compare_to) = if csv {
        (query.parse()?, None)
    } else {
        query.parse_comparing()?
    };
    let representation = if csv { "csv" } else { "json" };
    // Today's matrix changes only when a status appears in or leaves a cell; a past one, or a
    // comparison with one, is read from the revisions.
    let dependency = if filter.as_of.is_none() && compare_to.is_none() {
        Dependency::Cells
    } else {
        Dependency::Everything
    };
    let mut answer = cached(&req, &state, representation, dependency, move |conn| {
        let matrix = overviews::matrix(conn, &filter)?;
        if csv {
            return Ok(matrix_csv(&matrix));
        }
        let comparison = match compare_to {
            None => None,
            Some(other) => {
                let old_filter = MatrixFilter {
                    as_of: Some(other.end()),
                    ..filter.clone()
                };
                let old = overviews::matrix(conn, &old_filter)?;
                Some(MatrixComparisonView {
                    compare_to: query.compare_to.clone().unwrap_or_default(),
                    changes: compare::matrices(&old, &matrix)
                        .into_iter()
                        .map(CellChangeView::from)
                        .collect(),
                })
            }
        };
        Ok(Cached::json(&MatrixView {
            comparison,
            ..MatrixView::from(matrix)
        }))
    })
    .await?;
    let headers = answer.headers_mut();
    // JSON and CSV share this URL: the answer also varies with `Accept`.
    let vary = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
        Some(earlier) => format!("{earlier}, Accept"),
        None => "Accept".to_owned(),
    };
    headers.insert(
        header::VARY,
        header::HeaderValue::from_str(&vary).expect("header names are valid values"),
    );
    if csv {
        headers.insert(
            header::CONTENT_DISPOSITION,
            header::HeaderValue::from_static("inline; filename=\"matrix.csv\""),
        );
    }
    Ok(answer)
}

/// True when the client prefers CSV over JSON.
fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv") && !accept.contains("application/json"))
}

/// Get the forces x tools matrix.
///
/// One row per force, one column per tool, each cell the most significant status of that force's
/// deployments of that tool (`not_researched` where there are none). Send `Accept: text/csv` (or use
/// `/matrix.csv`) for CSV.
#[utoipa::path(
    tag = "matrix",
    params(MatrixQuery,
        ("compare_to" = Option<Moment>, Query, example = "2021-01-01",
            description = "JSON only: also read the matrix as it stood at this other moment, and add \
                `comparison`: the cells whose status differs from that reading (`old`) to this one \
                (`new`). Refused with CSV.")),
    responses(
        (status = 200, description = "The matrix", headers(("ETag" = String)),
            content((MatrixView = "application/json"), (String = "text/csv"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No tool has the slug given in `tool`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/matrix")]
pub async fn get_matrix(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<MatrixQuery>,
) -> Result<HttpResponse, ApiError> {
    let csv = wants_csv(&req);
    serve_matrix(req, state, query.into_inner(), csv).await
}

/// Get the forces x tools matrix as CSV (RFC 4180, with a header row).
#[utoipa::path(
    tag = "matrix",
    params(MatrixQuery),
    responses(
        (status = 200, description = "The matrix as CSV", body = String, content_type = "text/csv",
            headers(("ETag" = String), ("Content-Disposition" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No tool has the slug given in `tool`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/matrix.csv")]
pub async fn get_matrix_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<MatrixQuery>,
) -> Result<HttpResponse, ApiError> {
    serve_matrix(req, state, query.into_inner(), true).await
}

/// Query parameters of pages and endpoints that take none.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}

/// Get statistics and gap metrics.
///
/// For the deployments the filters of `GET /deployments` select (every deployment without them):
/// deployments and forces per tool and status, matrix cells per status, and the gaps: deployments
/// in use or on trial with no existing impact assessment (and their forces), assessments overdue
/// for review, FOI requests overdue or answered late, and the forces with the most tools nobody has
/// researched. Assessments, FOI requests and matrix cells are counted for the forces the `force`,
/// `nation` and `region` filters select; the matrix cells also for the `tool` filter's columns.
#[utoipa::path(
    tag = "matrix",
    params(DeploymentFilterQuery),
    responses(
        (status = 200, description = "The statistics", body = StatsView, headers(("ETag" = String))),
        (status = 404, description = "The `tool` filter names no tool", body = Problem, content_type = "application/problem+json"),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/stats")]
pub async fn get_stats(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<DeploymentFilterQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = parse_filter_query(&req, query.into_inner())?;
    let today = chrono::Utc::now().date_naive();
    cached(&req, &state, "json", Dependency::Everything, move |conn| {
        Ok(Cached::json(&StatsView::from(stats::compute(
            conn, &filter, today,
        )?)))
    })
    .await
}
