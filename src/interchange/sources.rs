//! The source export's CSV columns.

use super::{opt, ExportRow};
use crate::store::sources::Source;

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
        "locator",
        "statement",
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
            opt(&self.locator),
            opt(&self.statement),
            self.updated_at.to_rfc3339(),
        ]
    }
}
