//! The registry's closed vocabularies. Each is stored and sent as its snake_case name.

use std::fmt;
use std::str::FromStr;

use super::ParseError;

/// Declares a closed vocabulary: serde and OpenAPI as snake_case strings (the first one is the
/// schema's example), `FromStr` with an error that lists the accepted values, and `ALL` in
/// declaration order.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[schema(example = json!($name::ALL[0]))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                match raw {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseError(format!(
                        "`{}` is not one of: {}",
                        raw.chars().take(80).collect::<String>(),
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What sort of police force this is.
    ForceKind {
        Territorial = "territorial",
        Transport = "transport",
        National = "national",
        Other = "other",
    }
}

vocabulary! {
    /// The UK nation a force polices (`great_britain` for forces across England, Wales and Scotland).
    Nation {
        England = "england",
        Wales = "wales",
        Scotland = "scotland",
        NorthernIreland = "northern_ireland",
        GreatBritain = "great_britain",
    }
}

vocabulary! {
    /// A body that answers FOI requests: the force itself or the body that oversees it.
    AuthorityKind {
        Force = "force",
        /// Police and Crime Commissioner's office.
        Pcc = "pcc",
        /// Police, Fire and Crime Commissioner's office.
        Pfcc = "pfcc",
        /// An elected mayor with policing powers.
        Mayor = "mayor",
        PoliceAuthority = "police_authority",
        PolicingBoard = "policing_board",
        Other = "other",
    }
}

vocabulary! {
    /// The freedom-of-information law a request was made under.
    FoiLaw {
        /// Freedom of Information Act 2000 (England, Wales, Northern Ireland, UK-wide bodies).
        Foia = "foia",
        /// Freedom of Information (Scotland) Act 2002.
        Foisa = "foisa",
        /// Environmental Information Regulations.
        Eir = "eir",
    }
}

vocabulary! {
    /// What the registry knows about one force's use of one tool. `not_researched` means nobody has
    /// asked yet; it never means `denied`.
    DeploymentStatus {
        InUse = "in_use",
        Trial = "trial",
        Planned = "planned",
        Discontinued = "discontinued",
        Denied = "denied",
        NotHeld = "not_held",
        /// Neither confirmed nor denied.
        Ncnd = "ncnd",
        Refused = "refused",
        NoResponse = "no_response",
        NotResearched = "not_researched",
    }
}

vocabulary! {
    /// Where a claim comes from.
    Provenance {
        Researched = "researched",
        Foi = "foi",
        OfficialPublication = "official_publication",
        ForceReported = "force_reported",
        Media = "media",
    }
}

impl Provenance {
    /// The provenance a writer records: force staff always report as their force (claiming anything
    /// else is refused); others record what they claim, or `default`.
    pub fn for_writer(
        writer: Option<Role>,
        claimed: Option<Provenance>,
        default: Provenance,
    ) -> Result<Provenance, ParseError> {
        match (writer, claimed) {
            (Some(Role::ForceStaff), None | Some(Provenance::ForceReported)) => {
                Ok(Provenance::ForceReported)
            }
            (Some(Role::ForceStaff), Some(_)) => {
                Err(ParseError("force staff report as `force_reported`".into()))
            }
            (_, claimed) => Ok(claimed.unwrap_or(default)),
        }
    }
}

vocabulary! {
    /// The kind of impact assessment.
    AssessmentKind {
        Dpia = "dpia",
        Eqia = "eqia",
        HumanRights = "human_rights",
        SurveillanceCameraCode = "surveillance_camera_code",
        Algorithmic = "algorithmic",
        Community = "community",
        Other = "other",
    }
}

vocabulary! {
    /// Whether an impact assessment exists and can be read.
    AssessmentStatus {
        Published = "published",
        ExistsUnpublished = "exists_unpublished",
        InProgress = "in_progress",
        NotDone = "not_done",
        NotHeld = "not_held",
        Withheld = "withheld",
        Ncnd = "ncnd",
    }
}

vocabulary! {
    /// A request's state, following WhatDoTheyKnow (Alaveteli).
    FoiState {
        WaitingResponse = "waiting_response",
        WaitingClarification = "waiting_clarification",
        GonePostal = "gone_postal",
        NotHeld = "not_held",
        Rejected = "rejected",
        Successful = "successful",
        PartiallySuccessful = "partially_successful",
        InternalReview = "internal_review",
        ErrorMessage = "error_message",
        RequiresAdmin = "requires_admin",
        UserWithdrawn = "user_withdrawn",
        AttentionRequested = "attention_requested",
        Vexatious = "vexatious",
        NotFoi = "not_foi",
    }
}

vocabulary! {
    /// How one question of a request was answered.
    AnswerOutcome {
        Disclosed = "disclosed",
        PartiallyDisclosed = "partially_disclosed",
        NotHeld = "not_held",
        Ncnd = "ncnd",
        Exempt = "exempt",
        /// "Not held by us, ask the force": a pointer elsewhere, not a "no".
        Redirected = "redirected",
        /// Not a valid request for information (for example an opinion question, s8).
        NotValid = "not_valid",
        NoAnswer = "no_answer",
    }
}

vocabulary! {
    /// An appeal stage after the first reply.
    StageKind {
        InternalReview = "internal_review",
        IcoComplaint = "ico_complaint",
        SicComplaint = "sic_complaint",
        Tribunal = "tribunal",
    }
}

vocabulary! {
    /// The kind of document behind a claim.
    SourceKind {
        FoiResponse = "foi_response",
        OfficialPublication = "official_publication",
        ForceStatement = "force_statement",
        Media = "media",
        Research = "research",
        Other = "other",
    }
}

vocabulary! {
    /// What an account may do.
    Role {
        Admin = "admin",
        Editor = "editor",
        ForceStaff = "force_staff",
    }
}

vocabulary! {
    /// The kinds of registry entity whose changes the public feed carries.
    FeedEntity {
        Deployment = "deployment",
        ImpactAssessment = "impact_assessment",
        Source = "source",
        FoiRequest = "foi_request",
        Campaign = "campaign",
        Tool = "tool",
        Force = "force",
    }
}

impl DeploymentStatus {
    /// Whether a claim may record this status: `not_researched` is what the registry shows where
    /// no claim is recorded, so no claim says it.
    pub fn is_recordable(self) -> bool {
        self != DeploymentStatus::NotResearched
    }
}

vocabulary! {
    /// The kinds of text full-text search looks through.
    SearchEntity {
        Deployment = "deployment",
        FoiRequest = "foi_request",
        FoiAnswer = "foi_answer",
        FoiDocument = "foi_document",
        ImpactAssessment = "impact_assessment",
        Source = "source",
        Tool = "tool",
    }
}

vocabulary! {
    /// How an FOI answer bears on a claim.
    Relation {
        Supports = "supports",
        Contradicts = "contradicts",
    }
}

vocabulary! {
    /// Groups of authorities a campaign can be sent to in one call.
    TargetGroup {
        /// Every police force.
        Forces = "forces",
        /// Every force's oversight body (commissioner, mayor, authority or board).
        OversightBodies = "oversight_bodies",
    }
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    #[test]
    fn the_openapi_schema_lists_the_names_sent() {
        let schema = serde_json::to_value(ForceKind::schema()).unwrap();
        assert_eq!(
            schema["enum"],
            serde_json::json!(["territorial", "transport", "national", "other"])
        );
        let schema = serde_json::to_value(Nation::schema()).unwrap();
        assert_eq!(schema["enum"][3], "northern_ireland");
    }

    #[test]
    fn force_staff_always_report_as_the_force() {
        use Provenance::*;
        let staff = Some(Role::ForceStaff);
        assert_eq!(Provenance::for_writer(staff, None, Foi), Ok(ForceReported));
        assert_eq!(
            Provenance::for_writer(staff, Some(ForceReported), Foi),
            Ok(ForceReported)
        );
        assert!(Provenance::for_writer(staff, Some(Media), Foi).is_err());
        assert_eq!(
            Provenance::for_writer(Some(Role::Editor), None, Foi),
            Ok(Foi)
        );
        assert_eq!(
            Provenance::for_writer(Some(Role::Admin), Some(Media), Researched),
            Ok(Media)
        );
        assert_eq!(
            Provenance::for_writer(None, None, Researched),
            Ok(Researched)
        );
    }
}
