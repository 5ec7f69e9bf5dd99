//! The body of a deployment write, parsed into the data layer's state with every bad field named.

use serde::Deserialize;
use utoipa::ToSchema;

use super::params::Validator;
use super::text_formats::{ClaimStatus, HttpUrl};
use crate::auth::Identity;
use crate::domain::EntityId;
use crate::domain::{DeploymentStatus, Provenance, Role, Slug};
use crate::error::ApiError;
use crate::store::deployments::DeploymentState;

/// Longest free-text field accepted, in characters.
const MAX_TEXT: usize = 20_000;
/// Most vendors one claim names (a claim about a tool bought from more is several claims).
const MAX_VENDORS: usize = 50;
/// Most sources one claim cites.
const MAX_SOURCES: usize = 200;

/// A deployment as written. Dates are `YYYY-MM-DD`; omitted optional fields are empty.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "force": "cambridgeshire",
    "tool": "body-worn-video",
    "status": "in_use",
    "vendors": ["Axon"],
    "last_confirmed": "2019-07-04",
    "summary": "Confirmed by the OPCC's FOI reply of 4 July 2019.",
    "provenance": "foi",
    "source_ids": []
}))]
pub struct DeploymentInput {
    /// Force slug (fixed once created).
    #[schema(value_type = Slug)]
    pub force: String,
    /// Tool slug (fixed once created).
    #[schema(value_type = Slug)]
    pub tool: String,
    #[schema(value_type = ClaimStatus)]
    pub status: String,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub vendors: Vec<String>,
    pub product: Option<String>,
    #[schema(value_type = Option<NaiveDate>)]
    pub first_known_use: Option<String>,
    #[schema(value_type = Option<NaiveDate>)]
    pub last_confirmed: Option<String>,
    #[schema(value_type = Option<NaiveDate>)]
    pub ended_on: Option<String>,
    #[serde(default)]
    pub summary: String,
    pub legal_basis: Option<String>,
    pub authorisation: Option<String>,
    pub public_consultation: Option<String>,
    /// An http(s) URL.
    #[schema(value_type = Option<HttpUrl>)]
    pub use_policy_url: Option<String>,
    /// Defaults to `researched`; always `force_reported` for force staff.
    #[schema(value_type = Option<Provenance>)]
    pub provenance: Option<String>,
    /// Only editors and admins may mark a claim verified.
    #[serde(default)]
    pub verified: bool,
    /// Ids of existing sources backing the claim.
    #[serde(default)]
    #[schema(value_type = Vec<EntityId>, max_items = 200)]
    pub source_ids: Vec<String>,
}

impl DeploymentInput {
    /// Parses the body for `identity`: force staff write `force_reported` claims and cannot verify.
    /// Returns the force and tool slugs and the state.
    pub fn parse(self, identity: &Identity) -> Result<(Slug, Slug, DeploymentState), ApiError> {
        let mut v = Validator::default();
        let force = v.parse::<Slug>("force", Some(&self.force));
        let tool = v.parse::<Slug>("tool", Some(&self.tool));
        let status = v.parse::<DeploymentStatus>("status", Some(&self.status));
        if status.is_some_and(|status| !status.is_recordable()) {
            v.reject(
                "status",
                "`not_researched` is what the registry shows where nothing is recorded; record what the source says, or nothing",
            );
        }
        let provenance = v.provenance(
            Some(identity.role),
            self.provenance.as_deref(),
            Provenance::Researched,
        );
        if identity.role == Role::ForceStaff && self.verified {
            v.reject("verified", "only registry editors mark claims verified");
        }
        let use_policy_url = v.url("use_policy_url", self.use_policy_url);
        if self.vendors.len() > MAX_VENDORS {
            v.reject("vendors", format!("names at most {MAX_VENDORS} vendors"));
        }
        if self.source_ids.len() > MAX_SOURCES {
            v.reject("source_ids", format!("cites at most {MAX_SOURCES} sources"));
        }
        let mut vendors = Vec::new();
        for vendor in self.vendors.into_iter().take(MAX_VENDORS) {
            if let Some(vendor) = v.text("vendors", Some(vendor), MAX_TEXT) {
                vendors.push(vendor);
            }
        }
        let mut source_ids = Vec::new();
        for id in self.source_ids.into_iter().take(MAX_SOURCES) {
            source_ids.extend(v.id("source_ids", &id));
        }
        source_ids.sort();
        source_ids.dedup();
        let state = DeploymentState {
            status: status.unwrap_or(DeploymentStatus::NotResearched),
            vendors,
            product: v.text("product", self.product, MAX_TEXT),
            first_known_use: v.date("first_known_use", self.first_known_use.as_deref()),
            last_confirmed: v.date("last_confirmed", self.last_confirmed.as_deref()),
            ended_on: v.date("ended_on", self.ended_on.as_deref()),
            summary: v
                .text("summary", Some(self.summary), MAX_TEXT)
                .unwrap_or_default(),
            legal_basis: v.text("legal_basis", self.legal_basis, MAX_TEXT),
            authorisation: v.text("authorisation", self.authorisation, MAX_TEXT),
            public_consultation: v.text("public_consultation", self.public_consultation, MAX_TEXT),
            use_policy_url,
            provenance,
            verified: self.verified,
            source_ids,
        };
        if let (Some(first), Some(ended)) = (state.first_known_use, state.ended_on) {
            if ended < first {
                v.reject("ended_on", "must not be before `first_known_use`");
            }
        }
        let current = matches!(
            state.status,
            DeploymentStatus::InUse | DeploymentStatus::Trial | DeploymentStatus::Planned
        );
        let today = chrono::Utc::now().date_naive();
        if current && state.ended_on.is_some_and(|ended| ended < today) {
            v.reject(
                "ended_on",
                format!(
                    "is in the past, but the status `{}` says the deployment goes on: use `discontinued`",
                    state.status
                ),
            );
        }
        if let (Some(first), Some(confirmed)) = (state.first_known_use, state.last_confirmed) {
            if confirmed < first {
                v.reject("last_confirmed", "must not be before `first_known_use`");
            }
        }
        v.finish()?;
        Ok((force.expect("checked"), tool.expect("checked"), state))
    }
}
