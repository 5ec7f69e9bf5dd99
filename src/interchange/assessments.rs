//! The impact assessment export's CSV columns.

use super::{joined, opt, ExportRow};
use crate::store::impact_assessments::ImpactAssessment;

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
