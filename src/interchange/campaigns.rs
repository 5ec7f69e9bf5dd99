//! The campaign export's CSV columns.

use super::{joined, ExportRow};
use crate::store::campaigns::Campaign;

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
