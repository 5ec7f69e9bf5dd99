//! What every page shows around its content, and the words and symbols for the registry's
//! vocabularies.

use chrono::{DateTime, NaiveDate, Utc};

use super::assets;
use crate::domain::{
    AnswerOutcome, AssessmentKind, DeploymentStatus, FoiState, Nation, Provenance,
};

/// The page's head and the links every page offers: the same data as JSON and CSV, a feed.
pub struct Meta {
    pub title: String,
    pub description: String,
    /// The page's own address (path and meaningful query), for `rel=canonical`.
    pub canonical: String,
    pub json_url: Option<String>,
    pub csv_url: Option<String>,
    pub atom_url: Option<String>,
    pub atom_title: String,
    pub stylesheet: &'static str,
}

impl Meta {
    pub fn new(
        title: impl Into<String>,
        description: impl Into<String>,
        canonical: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            description: description.into(),
            canonical: canonical.into(),
            json_url: None,
            csv_url: None,
            atom_url: Some("/api/v1/changes.atom".to_owned()),
            atom_title: "Every change to the registry".to_owned(),
            stylesheet: assets::stylesheet_url(),
        }
    }

    pub fn json(mut self, url: impl Into<String>) -> Self {
        self.json_url = Some(url.into());
        self
    }

    pub fn csv(mut self, url: impl Into<String>) -> Self {
        self.csv_url = Some(url.into());
        self
    }

    pub fn atom(mut self, url: impl Into<String>, title: impl Into<String>) -> Self {
        self.atom_url = Some(url.into());
        self.atom_title = title.into();
        self
    }
}

/// A path with a query string, when there is one.
pub fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// How a status reads, its symbol (so no cell depends on colour) and its CSS class.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub label: &'static str,
    pub short: &'static str,
    pub symbol: &'static str,
    pub class: &'static str,
}

pub fn status(status: DeploymentStatus) -> StatusView {
    use DeploymentStatus::*;
    let (label, short, symbol) = match status {
        InUse => ("In use", "In use", "●"),
        Trial => ("Trial", "Trial", "◐"),
        Planned => ("Planned", "Planned", "○"),
        Discontinued => ("Discontinued", "Ended", "×"),
        Denied => ("Denied", "Denied", "−"),
        NotHeld => ("Not held", "Not held", "∅"),
        Ncnd => ("Neither confirmed nor denied", "NCND", "?"),
        Refused => ("Refused", "Refused", "!"),
        NoResponse => ("No response", "No reply", "…"),
        NotResearched => ("Not researched", "Unknown", "·"),
    };
    StatusView {
        label,
        short,
        symbol,
        class: match status {
            InUse => "s-in-use",
            Trial => "s-trial",
            Planned => "s-planned",
            Discontinued => "s-discontinued",
            Denied => "s-denied",
            NotHeld => "s-not-held",
            Ncnd => "s-ncnd",
            Refused => "s-refused",
            NoResponse => "s-no-response",
            NotResearched => "s-not-researched",
        },
    }
}

/// Every status, for legends.
pub fn legend() -> Vec<StatusView> {
    DeploymentStatus::ALL.iter().copied().map(status).collect()
}

pub fn outcome_label(outcome: AnswerOutcome) -> &'static str {
    use AnswerOutcome::*;
    match outcome {
        Disclosed => "Disclosed",
        PartiallyDisclosed => "Partially disclosed",
        NotHeld => "Not held",
        Ncnd => "Neither confirmed nor denied",
        Exempt => "Exempt",
        Redirected => "Redirected",
        NotValid => "Not a valid request",
        NoAnswer => "No answer",
    }
}

pub fn assessment_kind_label(kind: AssessmentKind) -> &'static str {
    match kind {
        AssessmentKind::Dpia => "Data protection impact assessment",
        AssessmentKind::Eqia => "Equality impact assessment",
        AssessmentKind::HumanRights => "Human rights assessment",
        AssessmentKind::SurveillanceCameraCode => "Surveillance camera code assessment",
        AssessmentKind::Algorithmic => "Algorithmic impact assessment",
        AssessmentKind::Community => "Community impact assessment",
        AssessmentKind::Other => "Assessment",
    }
}

pub fn provenance_label(provenance: Provenance) -> &'static str {
    match provenance {
        Provenance::Researched => "Research",
        Provenance::Foi => "FOI reply",
        Provenance::OfficialPublication => "Official publication",
        Provenance::ForceReported => "Reported by the force",
        Provenance::Media => "Media report",
    }
}

pub fn foi_state_label(state: FoiState) -> String {
    let text = state.as_str().replace('_', " ");
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

pub fn nation_label(nation: Option<Nation>) -> &'static str {
    match nation {
        Some(Nation::England) => "England",
        Some(Nation::Wales) => "Wales",
        Some(Nation::Scotland) => "Scotland",
        Some(Nation::NorthernIreland) => "Northern Ireland",
        Some(Nation::GreatBritain) => "Great Britain",
        None => "Outside the UK",
    }
}

pub fn date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

pub fn opt_date(day: Option<NaiveDate>) -> String {
    day.map(date).unwrap_or_default()
}

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y %H:%M UTC").to_string()
}

pub use crate::domain::clip;

/// The pages' HTML escaper: the five characters that matter, as named entities.
#[derive(Debug, Clone, Copy)]
pub struct NamedEntities;

impl askama::filters::Escaper for NamedEntities {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, text: &str) -> std::fmt::Result {
        let mut last = 0;
        for (index, byte) in text.bytes().enumerate() {
            let entity = match byte {
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'&' => "&amp;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&text[last..index])?;
            dest.write_str(entity)?;
            last = index + 1;
        }
        dest.write_str(&text[last..])
    }
}
