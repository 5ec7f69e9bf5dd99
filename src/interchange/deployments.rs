//! The deployment export: CSV columns and the record the importer reads back.

use chrono::{DateTime, NaiveDate, Utc};

use super::{joined, opt, restore_formula, split, ExportRow};
use crate::store::deployments::{Deployment, DeploymentState};
use crate::store::evidence::EvidencedDeployment;

/// The deployment export's columns, shared by the plain and the evidenced export.
macro_rules! deployment_columns {
    ($($more:literal),*) => {
        &[
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
            "updated_at"
            $(, $more)*
        ]
    };
}

impl ExportRow for Deployment {
    const HEADER: &'static [&'static str] = deployment_columns!();

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

/// A deployment read back from a record of the CSV export (cells as [`super::encode`] wrote them).
pub fn deployment_from_record(r: &csv::StringRecord) -> Result<Deployment, String> {
    if r.len() != Deployment::HEADER.len() {
        return Err(format!(
            "has {} columns; the export has {}",
            r.len(),
            Deployment::HEADER.len()
        ));
    }
    let cell = |i: usize| restore_formula(&r[i]);
    let text = |i: usize| cell(i).to_owned();
    let optional = |i: usize| Some(cell(i).to_owned()).filter(|v| !v.is_empty());
    let date = |i: usize, column: &str| -> Result<Option<NaiveDate>, String> {
        optional(i)
            .map(|v| crate::domain::parse_date(&v))
            .transpose()
            .map_err(|_| format!("`{column}` is not a date written YYYY-MM-DD"))
    };
    let moment = |i: usize, column: &str| -> Result<DateTime<Utc>, String> {
        DateTime::parse_from_rfc3339(cell(i))
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| format!("`{column}` is not an RFC 3339 timestamp"))
    };
    Ok(Deployment {
        id: text(0),
        force: text(1),
        tool: text(2),
        state: DeploymentState {
            status: cell(3).parse().map_err(|e| format!("`status`: {e}"))?,
            vendors: split(cell(4)),
            product: optional(5),
            first_known_use: date(6, "first_known_use")?,
            last_confirmed: date(7, "last_confirmed")?,
            ended_on: date(8, "ended_on")?,
            summary: text(9),
            legal_basis: optional(10),
            authorisation: optional(11),
            public_consultation: optional(12),
            use_policy_url: optional(13),
            provenance: cell(14).parse().map_err(|e| format!("`provenance`: {e}"))?,
            verified: cell(15)
                .parse()
                .map_err(|_| "`verified` must be `true` or `false`".to_owned())?,
            source_ids: split(cell(16)),
        },
        revision: cell(17)
            .parse()
            .map_err(|_| "`revision` must be a whole number".to_owned())?,
        created_at: moment(18, "created_at")?,
        updated_at: moment(19, "updated_at")?,
    })
}

/// `include=evidence`: the deployment's columns, then its sources' URLs and titles and the titles
/// of the assessments covering it (several values in a cell as the other lists are).
impl ExportRow for EvidencedDeployment {
    const HEADER: &'static [&'static str] = deployment_columns!(
        "evidence_urls",
        "evidence_titles",
        "impact_assessment_titles"
    );

    fn record(&self) -> Vec<String> {
        let mut record = self.deployment.record();
        let urls: Vec<String> = self
            .evidence
            .iter()
            .map(|s| s.url.clone().unwrap_or_default())
            .collect();
        let titles: Vec<String> = self.evidence.iter().map(|s| s.title.clone()).collect();
        let assessments: Vec<String> = self
            .impact_assessments
            .iter()
            .map(|a| a.title.clone())
            .collect();
        record.extend([joined(&urls), joined(&titles), joined(&assessments)]);
        record
    }
}
