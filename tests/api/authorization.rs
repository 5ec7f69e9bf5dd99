//! The authorization matrix: every write endpoint x every role x the caller's own force and another
//! force, each case against a fresh target, answered with the endpoint's success status or 403; and
//! 401 for every endpoint without a valid token.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::domain::Role;

use crate::both_backends;
use crate::helpers::{TestApp, TestDb, TEST_PASSWORD};

/// The force staff account's force, and a force it does not belong to.
const OWN: &str = "kent";
const OTHER: &str = "essex";

/// Who may call a write endpoint.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Admins, editors, and force staff for their own forces' entries.
    OwnForce,
    /// Every account.
    AnyAccount,
    /// Admins and editors.
    Editors,
    /// Admins.
    Admins,
}

impl Rule {
    fn allows(self, role: Role, own_force: bool) -> bool {
        match (self, role) {
            (_, Role::Admin) => true,
            (Rule::Admins, _) => false,
            (_, Role::Editor) => true,
            (Rule::OwnForce, Role::ForceStaff) => own_force,
            (Rule::AnyAccount, Role::ForceStaff) => true,
            (Rule::Editors, Role::ForceStaff) => false,
        }
    }
}

/// Every write endpoint of the API (the matrix test checks the spec has no other).
#[derive(Debug, Clone, Copy)]
enum Endpoint {
    CreateDeployment,
    UpdateDeployment,
    DeleteDeployment,
    CreateAssessment,
    UpdateAssessment,
    DeleteAssessment,
    CreateSource,
    UpdateSource,
    DeleteSource,
    CreateFoiRequest,
    UpdateFoiRequest,
    DeleteFoiRequest,
    UploadDocument,
    CreateCampaign,
    UpdateCampaign,
    DeleteCampaign,
    Import,
    UpdateTool,
    UpdateForce,
    CreateAccount,
    UpdateAccount,
    ResetPassword,
}

const ENDPOINTS: [Endpoint; 22] = [
    Endpoint::CreateDeployment,
    Endpoint::UpdateDeployment,
    Endpoint::DeleteDeployment,
    Endpoint::CreateAssessment,
    Endpoint::UpdateAssessment,
    Endpoint::DeleteAssessment,
    Endpoint::CreateSource,
    Endpoint::UpdateSource,
    Endpoint::DeleteSource,
    Endpoint::CreateFoiRequest,
    Endpoint::UpdateFoiRequest,
    Endpoint::DeleteFoiRequest,
    Endpoint::UploadDocument,
    Endpoint::CreateCampaign,
    Endpoint::UpdateCampaign,
    Endpoint::DeleteCampaign,
    Endpoint::Import,
    Endpoint::UpdateTool,
    Endpoint::UpdateForce,
    Endpoint::CreateAccount,
    Endpoint::UpdateAccount,
    Endpoint::ResetPassword,
];

/// A request body.
enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

/// A write request, ready to send, and the status it gets when allowed.
struct Call {
    method: Method,
    path: String,
    if_match: Option<String>,
    body: Body,
    success: StatusCode,
}

impl Call {
    fn new(method: Method, path: impl Into<String>, body: Body, success: StatusCode) -> Self {
        Self {
            method,
            path: path.into(),
            if_match: None,
            body,
            success,
        }
    }

    fn if_match(self, etag: String) -> Self {
        Self {
            if_match: Some(etag),
            ..self
        }
    }

    async fn send(&self, app: &TestApp, authorization: Option<&str>) -> reqwest::Response {
        let mut request = app.client.request(self.method.clone(), app.url(&self.path));
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        if let Some(etag) = &self.if_match {
            request = request.header("If-Match", etag);
        }
        request = match &self.body {
            Body::None => request,
            Body::Json(body) => request.json(body),
            Body::Raw(media_type, bytes) => request
                .header("Content-Type", *media_type)
                .body(bytes.clone()),
        };
        request.send().await.expect("request sent")
    }
}

fn deployment(force: &str) -> Value {
    json!({"force": force, "tool": "drones", "status": "in_use", "summary": "Drone unit"})
}

fn assessment(force: &str) -> Value {
    json!({"force": force, "kind": "dpia", "status": "published", "title": "Drone DPIA"})
}

fn source() -> Value {
    json!({"title": "Drone unit", "kind": "media", "url": "https://example.org/drones"})
}

fn foi_request(force: &str) -> Value {
    json!({"authority": force, "title": "Use of drones", "received_on": "2024-01-08"})
}

fn campaign(slug: &str, targets: &[&str]) -> Value {
    json!({"slug": slug, "title": "Drones", "started_on": "2024-01-08", "authorities": targets})
}

const ATLAS_ROW: &str = "AOSNUMBER,NEWAOSNUMBER (ORI9),City,County,State,Agency,Type of LEA,Summary,Type of Juris,Technology,TECH ABV,Vendor,Link 1,Link 1 Snapshot,Link 1 Source,Link 1 Type,Link 1 Date,Link 2,Link 2 Snapshot,Link 2 Source,Link 2 Type,Link 2 Date,Link 3,Link 3 Snapshot,Link 3 Source,Link 3 Type,Link 3 Date,Other Links
AOS2001,CA0000002,Fresno,Fresno,CA,Fresno County Sheriff's Office,Sheriff,Drones since 2018.,County,Drones,DRN,DJI,,,,,,,,,,,,,,,,
";

/// POSTs `body` to `path` as `admin` and returns the new entity's path and ETag.
async fn create(app: &TestApp, admin: &str, path: &str, body: &Value) -> (String, String) {
    let response = app.send(Method::POST, path, admin, None, body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "POST {path}");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (location, etag)
}

impl Endpoint {
    /// The operation as the spec names it.
    fn operation(self) -> &'static str {
        use Endpoint::*;
        match self {
            CreateDeployment => "POST /api/v1/deployments",
            UpdateDeployment => "PUT /api/v1/deployments/{id}",
            DeleteDeployment => "DELETE /api/v1/deployments/{id}",
            CreateAssessment => "POST /api/v1/impact-assessments",
            UpdateAssessment => "PUT /api/v1/impact-assessments/{id}",
            DeleteAssessment => "DELETE /api/v1/impact-assessments/{id}",
            CreateSource => "POST /api/v1/sources",
            UpdateSource => "PUT /api/v1/sources/{id}",
            DeleteSource => "DELETE /api/v1/sources/{id}",
            CreateFoiRequest => "POST /api/v1/foi-requests",
            UpdateFoiRequest => "PUT /api/v1/foi-requests/{id}",
            DeleteFoiRequest => "DELETE /api/v1/foi-requests/{id}",
            UploadDocument => "POST /api/v1/foi-requests/{id}/documents",
            CreateCampaign => "POST /api/v1/campaigns",
            UpdateCampaign => "PUT /api/v1/campaigns/{slug}",
            DeleteCampaign => "DELETE /api/v1/campaigns/{slug}",
            Import => "POST /api/v1/imports",
            UpdateTool => "PUT /api/v1/tools/{slug}",
            UpdateForce => "PUT /api/v1/forces/{slug}",
            CreateAccount => "POST /api/v1/accounts",
            UpdateAccount => "PATCH /api/v1/accounts/{id}",
            ResetPassword => "POST /api/v1/accounts/{id}/password",
        }
    }

    fn rule(self) -> Rule {
        use Endpoint::*;
        match self {
            CreateDeployment | UpdateDeployment | DeleteDeployment | CreateAssessment
            | UpdateAssessment | DeleteAssessment | CreateFoiRequest | UpdateFoiRequest
            | DeleteFoiRequest | UploadDocument => Rule::OwnForce,
            CreateSource => Rule::AnyAccount,
            UpdateSource | DeleteSource | CreateCampaign | UpdateCampaign | DeleteCampaign
            | Import | UpdateTool | UpdateForce => Rule::Editors,
            CreateAccount | UpdateAccount | ResetPassword => Rule::Admins,
        }
    }

    /// Makes a fresh target about `force` (as `admin`) and the request that writes it; `n` keeps
    /// names unique.
    async fn prepare(self, app: &TestApp, admin: &str, force: &str, n: usize) -> Call {
        use Endpoint::*;
        let (ok, created, no_content) =
            (StatusCode::OK, StatusCode::CREATED, StatusCode::NO_CONTENT);
        let json = Body::Json;
        match self {
            CreateDeployment => Call::new(
                Method::POST,
                "/api/v1/deployments",
                json(deployment(force)),
                created,
            ),
            UpdateDeployment | DeleteDeployment => {
                let (path, etag) =
                    create(app, admin, "/api/v1/deployments", &deployment(force)).await;
                match self {
                    UpdateDeployment => Call::new(Method::PUT, path, json(deployment(force)), ok),
                    _ => Call::new(Method::DELETE, path, Body::None, no_content),
                }
                .if_match(etag)
            }
            CreateAssessment => Call::new(
                Method::POST,
                "/api/v1/impact-assessments",
                json(assessment(force)),
                created,
            ),
            UpdateAssessment | DeleteAssessment => {
                let (path, etag) =
                    create(app, admin, "/api/v1/impact-assessments", &assessment(force)).await;
                match self {
                    UpdateAssessment => Call::new(Method::PUT, path, json(assessment(force)), ok),
                    _ => Call::new(Method::DELETE, path, Body::None, no_content),
                }
                .if_match(etag)
            }
            CreateSource => Call::new(Method::POST, "/api/v1/sources", json(source()), created),
            UpdateSource | DeleteSource => {
                let (path, etag) = create(app, admin, "/api/v1/sources", &source()).await;
                match self {
                    UpdateSource => Call::new(Method::PUT, path, json(source()), ok),
                    _ => Call::new(Method::DELETE, path, Body::None, no_content),
                }
                .if_match(etag)
            }
            CreateFoiRequest => Call::new(
                Method::POST,
                "/api/v1/foi-requests",
                json(foi_request(force)),
                created,
            ),
            UpdateFoiRequest | DeleteFoiRequest | UploadDocument => {
                let (path, etag) =
                    create(app, admin, "/api/v1/foi-requests", &foi_request(force)).await;
                match self {
                    UpdateFoiRequest => {
                        Call::new(Method::PUT, path, json(foi_request(force)), ok).if_match(etag)
                    }
                    DeleteFoiRequest => {
                        Call::new(Method::DELETE, path, Body::None, no_content).if_match(etag)
                    }
                    _ => Call::new(
                        Method::POST,
                        format!("{path}/documents?filename=reply.txt"),
                        Body::Raw("text/plain", b"Dear requester, ...".to_vec()),
                        created,
                    ),
                }
            }
            CreateCampaign => Call::new(
                Method::POST,
                "/api/v1/campaigns",
                json(campaign(&format!("campaign-{n}"), &[force])),
                created,
            ),
            UpdateCampaign => {
                let slug = format!("campaign-{n}");
                let (path, etag) =
                    create(app, admin, "/api/v1/campaigns", &campaign(&slug, &[force])).await;
                // An update names no new targets: requests already sent stay as they were.
                Call::new(Method::PUT, path, json(campaign(&slug, &[])), ok).if_match(etag)
            }
            DeleteCampaign => {
                // Only a campaign that has sent no request can be deleted.
                let (path, etag) = create(
                    app,
                    admin,
                    "/api/v1/campaigns",
                    &campaign(&format!("campaign-{n}"), &[]),
                )
                .await;
                Call::new(Method::DELETE, path, Body::None, no_content).if_match(etag)
            }
            Import => Call::new(
                Method::POST,
                "/api/v1/imports",
                Body::Raw("text/csv", ATLAS_ROW.into()),
                ok,
            ),
            UpdateTool => {
                let (tool, etag) = app.get_tagged("/api/v1/tools/drones").await;
                let body = json!({"name": tool["name"], "description": tool["description"], "parent": tool["parent"],
                    "aliases": tool["aliases"], "atlas_category": tool["atlas_category"]});
                Call::new(Method::PUT, "/api/v1/tools/drones", json(body), ok).if_match(etag)
            }
            UpdateForce => {
                let path = format!("/api/v1/forces/{force}");
                let (details, etag) = app.get_tagged(&path).await;
                let body = json!({"name": details["name"], "website": details["website"]});
                Call::new(Method::PUT, path, json(body), ok).if_match(etag)
            }
            CreateAccount => {
                let body = json!({"username": format!("new-{n}"), "organisation": "A force", "role": "force_staff",
                    "forces": [force], "password": TEST_PASSWORD});
                Call::new(Method::POST, "/api/v1/accounts", json(body), created)
            }
            UpdateAccount | ResetPassword => {
                let target = app.account(Role::ForceStaff, &[force]).await;
                let path = format!("/api/v1/accounts/{}", target.id);
                match self {
                    UpdateAccount => Call::new(
                        Method::PATCH,
                        path,
                        json(json!({"display_name": "Renamed"})),
                        ok,
                    )
                    .if_match("\"r1\"".into()),
                    _ => Call::new(
                        Method::POST,
                        format!("{path}/password"),
                        json(json!({"password": TEST_PASSWORD})),
                        ok,
                    ),
                }
            }
        }
    }
}

both_backends! {
    async fn every_write_endpoint_allows_or_forbids_each_role_for_own_and_other_forces(db: TestDb) {
        let app = db.spawn().await;
        let spec = app.get_json("/api/v1/openapi.json", StatusCode::OK).await;
        let mut writes: Vec<String> = spec["paths"].as_object().unwrap().iter()
            .flat_map(|(path, operations)| operations.as_object().unwrap().keys().map(move |method| (method, path)))
            .filter(|(method, path)| *method != "get" && *path != "/api/v1/auth/token")
            .map(|(method, path)| format!("{} {path}", method.to_uppercase()))
            .collect();
        writes.sort();
        let mut listed: Vec<String> = ENDPOINTS.iter().map(|e| e.operation().to_owned()).collect();
        listed.sort();
        assert_eq!(listed, writes, "the matrix covers every write operation in the spec");

        let admin = app.token_for(Role::Admin, &[]).await;
        let callers = [
            (Role::Admin, admin.clone()),
            (Role::Editor, app.token_for(Role::Editor, &[]).await),
            (Role::ForceStaff, app.token_for(Role::ForceStaff, &[OWN]).await),
        ];
        let mut n = 0;
        for endpoint in ENDPOINTS {
            for (role, token) in &callers {
                for (force, own) in [(OWN, true), (OTHER, false)] {
                    n += 1;
                    let call = endpoint.prepare(&app, &admin, force, n).await;
                    let response = call.send(&app, Some(&format!("Bearer {token}"))).await;
                    let allowed = endpoint.rule().allows(*role, own);
                    let expected = if allowed { call.success } else { StatusCode::FORBIDDEN };
                    assert_eq!(response.status(), expected, "{endpoint:?} by {role} about {force}");
                    if !allowed {
                        let problem: Value = response.json().await.unwrap();
                        assert_eq!(problem["type"], "/problems/forbidden", "{endpoint:?} by {role} about {force}");
                    }
                }
            }
            n += 1;
            let call = endpoint.prepare(&app, &admin, OWN, n).await;
            for authorization in [None, Some("Bearer not-a-token"), Some("Basic YWRtaW46YWRtaW4=")] {
                let response = call.send(&app, authorization).await;
                assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{endpoint:?} with {authorization:?}");
            }
        }
    }
}
