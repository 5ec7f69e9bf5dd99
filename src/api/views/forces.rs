//! The views of a police force and the authorities that answer FOI requests for it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{AuthorityKind, FoiLaw, ForceKind, Nation};
use crate::store::forces::{Authority, Force};

/// A police force, with the authorities (itself and its oversight body) that answer FOI requests.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Force, example = json!({
    "slug": "cambridgeshire",
    "name": "Cambridgeshire Constabulary",
    "kind": "territorial",
    "country": "GB",
    "nation": "england",
    "region": null,
    "website": "https://www.cambs.police.uk",
    "foi_email": null,
    "foi_url": null,
    "authorities": [
        {"slug": "cambridgeshire", "name": "Cambridgeshire Constabulary", "kind": "force", "foi_law": "foia", "website": "https://www.cambs.police.uk"},
        {"slug": "cambridgeshire-pcc", "name": "Cambridgeshire and Peterborough Police and Crime Commissioner", "kind": "pcc", "foi_law": "foia", "website": null}
    ],
    "revision": 1,
    "updated_at": "2026-11-26T23:00:00Z"
}))]
pub struct ForceView {
    /// The data.police.uk identifier (`police-scotland` for Police Scotland).
    pub slug: String,
    pub name: String,
    pub kind: ForceKind,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// UK nation, for UK forces.
    pub nation: Option<Nation>,
    /// State, province or county, outside the UK.
    pub region: Option<String>,
    pub website: Option<String>,
    pub foi_email: Option<String>,
    pub foi_url: Option<String>,
    /// The force itself first, then its oversight body.
    pub authorities: Vec<AuthorityView>,
    /// Increases by one with every write; the basis of `If-Match`.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<Force> for ForceView {
    fn from(v: Force) -> Self {
        Self {
            slug: v.slug,
            name: v.name,
            kind: v.kind,
            country: v.country,
            nation: v.nation,
            region: v.region,
            website: v.website,
            foi_email: v.foi_email,
            foi_url: v.foi_url,
            authorities: v.authorities.into_iter().map(AuthorityView::from).collect(),
            revision: v.revision,
            updated_at: v.updated_at,
        }
    }
}

/// A body that answers FOI requests.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Authority, example = json!({
    "slug": "cambridgeshire-pcc",
    "name": "Cambridgeshire and Peterborough Police and Crime Commissioner",
    "kind": "pcc",
    "foi_law": "foia",
    "website": null
}))]
pub struct AuthorityView {
    pub slug: String,
    pub name: String,
    pub kind: AuthorityKind,
    pub foi_law: FoiLaw,
    pub website: Option<String>,
}

impl From<Authority> for AuthorityView {
    fn from(v: Authority) -> Self {
        Self {
            slug: v.slug,
            name: v.name,
            kind: v.kind,
            foi_law: v.foi_law,
            website: v.website,
        }
    }
}
