//! The body of a campaign write, parsed into the data layer's fields with every bad field named
//! (`questions[1].tools[0]`, `authorities[3]`).

use serde::Deserialize;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use super::foi_input::{bounded, slug, MAX_TEXT};
use super::params::Validator;
use super::text_formats::NonBlank;
use crate::domain::{FoiLaw, Slug, TargetGroup};
use crate::error::ApiError;
use crate::store::campaigns::{CampaignFields, Targets};

/// A campaign as written; on creation it can also name whom to send it to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "slug": "2019-surveillance-tools",
    "title": "What police surveillance tools are in use in our community?",
    "description": "The 2019 campaign asking every Police and Crime Commissioner about seven surveillance tools.",
    "request_text": "As my elected Police and Crime Commissioner, please can you tell me ...",
    "started_on": "2019-06-13",
    "questions": [
        {"question": "Which, if any, of the following tools and tactics are being used by our local force?",
         "tools": ["body-worn-video", "facial-recognition"]},
        {"question": "What impact assessments have been carried out?"}
    ],
    "target_groups": ["oversight_bodies"]
}))]
pub struct CampaignInput {
    /// Fixed once created; on update it must match the path.
    #[schema(value_type = Slug)]
    pub slug: String,
    #[schema(value_type = NonBlank)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub request_text: String,
    /// When the requests were sent; each is taken as received that day, so, as for an FOI request's
    /// `received_on`, its deadline must fall within the calendar's 2005 to 2030 (400 otherwise).
    #[schema(value_type = NaiveDate)]
    pub started_on: String,
    /// Defaults to `foia`; each Scottish authority is asked under FOISA whatever this says,
    /// unless it is `eir`.
    #[schema(value_type = Option<FoiLaw>)]
    pub law: Option<String>,
    #[serde(default)]
    pub questions: Vec<CampaignQuestionInput>,
    /// On creation: authorities to send the request to (a pending request is recorded for each).
    #[serde(default)]
    #[schema(value_type = Vec<Slug>)]
    pub authorities: Vec<String>,
    /// On creation: whole groups of authorities to send it to.
    #[serde(default)]
    #[schema(value_type = Vec<TargetGroup>)]
    pub target_groups: Vec<String>,
}

/// The body of `PUT /campaigns/{slug}`: a [`CampaignInput`] without its targets, since a campaign
/// is sent when it is created (further requests are recorded with `POST /foi-requests`). The
/// handler reads it as a `CampaignInput` whose targets must be empty; this is its schema.
pub struct CampaignUpdateInput;

impl utoipa::PartialSchema for CampaignUpdateInput {
    fn schema() -> RefOr<Schema> {
        const TARGETS: [&str; 2] = ["authorities", "target_groups"];
        let mut schema = <CampaignInput as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            for target in TARGETS {
                object.properties.remove(target);
            }
            if let Some(serde_json::Value::Object(example)) = &mut object.example {
                for target in TARGETS {
                    example.remove(target);
                }
            }
            object.description = Some(
                "A campaign's content; its targets are fixed when it is created and sent.".into(),
            );
        }
        schema
    }
}

impl utoipa::ToSchema for CampaignUpdateInput {}

/// One question of a campaign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "question": "As my elected Police and Crime Commissioner, please can you tell me which, if any, of the following tools and tactics are being used by our local force: Body worn Video Cameras, Facial recognition, Hacking, IMSI catchers, Mobile phone extraction, Predictive policing, Social media intelligence",
    "tools": [
        "body-worn-video", "facial-recognition", "equipment-interference", "imsi-catcher",
        "mobile-phone-extraction", "predictive-policing", "social-media-intelligence"
    ]
}))]
pub struct CampaignQuestionInput {
    #[schema(value_type = NonBlank)]
    pub question: String,
    /// Slugs of the tools it asks about.
    #[serde(default)]
    #[schema(value_type = Vec<Slug>)]
    pub tools: Vec<String>,
}

impl CampaignInput {
    /// Parses the body into the slug, the campaign, and whom to send it to.
    pub fn parse(self) -> Result<(Slug, CampaignFields, Targets), ApiError> {
        let mut v = Validator::default();
        let slug_value = v.parse::<Slug>("slug", Some(&self.slug));
        let started_on = v.date("started_on", Some(&self.started_on));
        let law = v
            .parse::<FoiLaw>("law", self.law.as_deref())
            .unwrap_or(FoiLaw::Foia);
        let mut questions = Vec::new();
        for (i, q) in bounded(&mut v, "questions", self.questions)
            .into_iter()
            .enumerate()
        {
            let question =
                v.required_text(&format!("questions[{i}].question"), q.question, MAX_TEXT);
            let mut tools = Vec::new();
            for (j, tool) in q.tools.into_iter().enumerate() {
                if let Some(tool) = slug(&mut v, &format!("questions[{i}].tools[{j}]"), &tool) {
                    if !tools.contains(&tool) {
                        tools.push(tool);
                    }
                }
            }
            questions.push((question, tools));
        }
        let mut authorities = Vec::new();
        for (i, authority) in bounded(&mut v, "authorities", self.authorities)
            .into_iter()
            .enumerate()
        {
            if let Some(authority) = slug(&mut v, &format!("authorities[{i}]"), &authority) {
                if !authorities.contains(&authority) {
                    authorities.push(authority);
                }
            }
        }
        let mut groups = Vec::new();
        for (i, group) in self.target_groups.into_iter().enumerate() {
            if let Some(group) =
                v.parse::<TargetGroup>(&format!("target_groups[{i}]"), Some(&group))
            {
                if !groups.contains(&group) {
                    groups.push(group);
                }
            }
        }
        let fields = CampaignFields {
            title: v.required_text("title", self.title, MAX_TEXT),
            description: v
                .text("description", Some(self.description), MAX_TEXT)
                .unwrap_or_default(),
            request_text: v
                .text("request_text", Some(self.request_text), MAX_TEXT)
                .unwrap_or_default(),
            started_on: started_on.unwrap_or_default(),
            law,
            questions,
        };
        v.finish()?;
        Ok((
            slug_value.expect("checked"),
            fields,
            Targets {
                authorities,
                groups,
            },
        ))
    }
}
