//! Schemas of the text formats that inputs share and that no domain type parses on its own (the
//! validator checks them field by field), so that the spec states exactly what the server accepts.
//! Fields refer to these by `value_type`; no annotation spells out a pattern.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use crate::domain::CONTROL_CLASS as CONTROL;

/// The whitespace the parsers trim around a value.
const SPACE: &str = r"[ \t\n\r]*";

fn string(pattern: String, min_length: Option<usize>, example: &str, about: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .min_length(min_length)
        .description(Some(about))
        .examples([example])
        .into()
}

/// Declares a schema-only type for one text format.
macro_rules! text_format {
    ($(#[$doc:meta])* $name:ident, $min:expr, $example:literal, $about:literal, $pattern:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                string($pattern, $min, $example, $about)
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

text_format!(
    /// Text holding at least one character that is not whitespace.
    NonBlank,
    Some(1),
    "FOI/OPCC/19-026-037",
    "Text with at least one character that is not whitespace",
    format!(r"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$")
);

text_format!(
    /// An http(s) URL, or nothing: blank means none.
    HttpUrl,
    None,
    "https://www.cambridgeshire-pcc.gov.uk/",
    "An http(s) URL; blank or absent means none",
    format!(r"^{SPACE}(https?://[^{CONTROL}]*)?$")
);

text_format!(
    /// An e-mail address, or nothing: blank means none.
    EmailAddress,
    None,
    "foi@example.org",
    "An e-mail address; blank or absent means none",
    format!(r"^{SPACE}([^@\s{CONTROL}]+@[^@\s{CONTROL}]+)?{SPACE}$")
);

text_format!(
    /// A SHA-256 digest in lower-case hex.
    Sha256Hex,
    None,
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "A SHA-256 digest: 64 lower-case hex digits",
    "^[0-9a-f]{64}$".to_owned()
);

text_format!(
    /// An ISO 3166-1 alpha-2 country code.
    CountryCode,
    None,
    "GB",
    "An ISO 3166-1 alpha-2 country code",
    "^[A-Z]{2}$".to_owned()
);

/// The body of a file upload: its bytes as they are, never empty.
pub struct FileContent;

impl utoipa::PartialSchema for FileContent {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .description(Some("The file's bytes, sent as the body itself"))
            .examples(["Dear requester, ..."])
            .into()
    }
}

impl utoipa::ToSchema for FileContent {}

/// Several deployment statuses, comma-separated (`in_use,trial`): the pattern is built from the
/// vocabulary itself, so it cannot drift from what the parser accepts.
pub struct StatusList;

impl utoipa::PartialSchema for StatusList {
    fn schema() -> RefOr<Schema> {
        let one = crate::domain::DeploymentStatus::ALL
            .iter()
            .map(|status| status.as_str())
            .collect::<Vec<_>>()
            .join("|");
        string(
            format!("^({one})(,({one}))*$"),
            None,
            "in_use,trial",
            "Deployment statuses, comma-separated",
        )
    }
}

impl utoipa::ToSchema for StatusList {}

/// The orders of `GET /foi-requests`, listed from the store's own columns so that the spec and
/// the parser cannot drift apart.
pub struct FoiSortKey;

impl utoipa::PartialSchema for FoiSortKey {
    fn schema() -> RefOr<Schema> {
        let values = crate::store::foi_requests::FoiSort::params();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A column to sort by, descending with a leading `-`; `-received_on` by default",
            ))
            .examples([values[0].clone()])
            .enum_values(Some(values))
            .into()
    }
}

impl utoipa::ToSchema for FoiSortKey {}

/// Declares a schema-only type whose only values are the words given.
macro_rules! words {
    ($(#[$doc:meta])* $name:ident, $about:literal, [$($word:literal),+]) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([$($word),+]))
                    .description(Some($about))
                    .examples([[$($word),+][0]])
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

words!(
    /// `count=exact` asks a list for its total.
    CountMode,
    "`exact` adds `total_count` to the answer",
    ["exact"]
);

words!(
    /// The file formats of exports and imports.
    FileFormat,
    "`csv` or `ndjson`",
    ["csv", "ndjson"]
);

/// The orders of `GET /deployments`: each sort column, ascending or (with `-`) descending.
pub struct DeploymentSortKey;

impl utoipa::PartialSchema for DeploymentSortKey {
    fn schema() -> RefOr<Schema> {
        let names = crate::store::deployments::SortColumn::ALL
            .iter()
            .flat_map(|column| [column.as_str().to_owned(), format!("-{}", column.as_str())]);
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(names))
            .description(Some(
                "A column, ascending, or with a leading `-` descending (default `-updated_at`)",
            ))
            .examples(["-first_known_use"])
            .into()
    }
}

impl utoipa::ToSchema for DeploymentSortKey {}

/// The statuses a claim can record: all but `not_researched`, which is what the registry shows
/// where nothing is recorded, so a recorded claim never reads as unknown.
pub struct ClaimStatus;

impl utoipa::PartialSchema for ClaimStatus {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(
                crate::domain::DeploymentStatus::ALL
                    .iter()
                    .filter(|status| status.is_recordable())
                    .map(|status| status.as_str()),
            ))
            .description(Some(
                "A claim's status: any but `not_researched`, which means nothing is recorded",
            ))
            .examples(["in_use"])
            .into()
    }
}

impl utoipa::ToSchema for ClaimStatus {}

/// Facet names of a list, comma-separated: the pattern is built from the facets themselves.
fn facet_list<F: crate::store::facet::FacetName>(example: &str) -> RefOr<Schema> {
    let one = F::ALL
        .iter()
        .map(|facet| facet.as_str())
        .collect::<Vec<_>>()
        .join("|");
    string(
        format!("^({one})(,({one}))*$"),
        None,
        example,
        "Facet names, comma-separated",
    )
}

/// Facet names of `GET /deployments`.
pub struct DeploymentFacetList;

impl utoipa::PartialSchema for DeploymentFacetList {
    fn schema() -> RefOr<Schema> {
        facet_list::<crate::store::deployments::Facet>("status,tool")
    }
}

impl utoipa::ToSchema for DeploymentFacetList {}

/// Facet names of `GET /foi-requests`.
pub struct FoiFacetList;

impl utoipa::PartialSchema for FoiFacetList {
    fn schema() -> RefOr<Schema> {
        facet_list::<crate::store::foi_requests::FoiFacet>("outcome,exemption")
    }
}

impl utoipa::ToSchema for FoiFacetList {}

words!(
    /// `include=evidence` embeds each deployment's sources and assessments.
    IncludeMode,
    "`evidence` embeds each deployment's sources (`evidence`) and covering impact assessments",
    ["evidence"]
);

/// A field's value in a change (`FieldChange.old`/`new`): whatever JSON the entity's view holds
/// there. Top-level fields hold scalars, objects or lists of scalars and objects, never lists of
/// lists, which is what this states (an empty schema would say less and not survive the spec's
/// rules).
pub struct JsonValue;

impl utoipa::PartialSchema for JsonValue {
    fn schema() -> RefOr<Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, OneOfBuilder, SchemaType};
        let one = |kind: Type| ObjectBuilder::new().schema_type(kind);
        let element = ObjectBuilder::new().schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Boolean,
            Type::Object,
            Type::Null,
        ]));
        OneOfBuilder::new()
            .item(one(Type::String))
            .item(one(Type::Number))
            .item(one(Type::Boolean))
            .item(one(Type::Object))
            .item(ArrayBuilder::new().items(element))
            .item(one(Type::Null))
            .description(Some("Any JSON value, as the entity's view shows the field"))
            .examples(["in_use"])
            .into()
    }
}

impl utoipa::ToSchema for JsonValue {}
