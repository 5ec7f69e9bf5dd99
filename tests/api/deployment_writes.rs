use reqwest::StatusCode;
use serde_json::{json, Value};
use surveillance_registry::domain::Role;

use crate::both_backends;
use crate::helpers::{error_fields, TestApp, TestDb};

fn body(force: &str, status: &str) -> Value {
    json!({"force": force, "tool": "drones", "status": status, "vendors": ["DJI"], "summary": "Drone unit"})
}

async fn post(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/deployments"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn put(
    app: &TestApp,
    token: &str,
    id: &str,
    etag: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .put(app.url(&format!("/api/v1/deployments/{id}")))
        .bearer_auth(token)
        .json(body);
    if let Some(etag) = etag {
        request = request.header("If-Match", etag);
    }
    request.send().await.unwrap()
}

/// Creates a deployment as an editor and returns its id and ETag.
async fn seed(app: &TestApp, editor: &str, force: &str) -> (String, String) {
    let response = post(app, editor, &body(force, "trial")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    (created["id"].as_str().unwrap().to_owned(), etag)
}

both_backends! {
    async fn force_staff_claims_are_marked_force_reported(db: TestDb) {
        let app = db.spawn().await;
        let staff = app.token_for(Role::ForceStaff, &["kent"]).await;
        let created: Value = post(&app, &staff, &body("kent", "in_use")).await.json().await.unwrap();
        assert_eq!(created["provenance"], "force_reported");
        let mut verified = body("kent", "in_use");
        verified["verified"] = json!(true);
        let refused = post(&app, &staff, &verified).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["verified"]);
        let id = created["id"].as_str().unwrap();
        let feed = app.get_json("/api/v1/changes?force=kent", StatusCode::OK).await;
        let event = &feed["items"][0];
        assert_eq!(event["actor_role"], "force_staff");
        assert_eq!(event["entity_id"], id);
        let history = app.get_json(&format!("/api/v1/deployments/{id}/revisions"), StatusCode::OK).await;
        assert_eq!(history["items"][0]["provenance"], "force_reported");
        let editor = app.token_for(Role::Editor, &[]).await;
        let read = app.get(&format!("/api/v1/deployments/{id}")).await;
        let etag = read.headers()["etag"].to_str().unwrap().to_owned();
        let mut checked = body("kent", "in_use");
        checked["verified"] = json!(true);
        checked["provenance"] = json!("force_reported");
        let response = put(&app, &editor, id, Some(&etag), &checked).await;
        assert_eq!(response.status(), StatusCode::OK, "an editor verifies using the read ETag");
        let after: Value = response.json().await.unwrap();
        assert_eq!((after["verified"].clone(), after["revision"].clone()), (json!(true), json!(2)));
    }

    async fn updates_need_the_current_etag_and_lose_nothing(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let (id, etag) = seed(&app, &editor, "kent").await;
        let missing = put(&app, &editor, &id, None, &body("kent", "in_use")).await;
        assert_eq!(missing.status(), StatusCode::PRECONDITION_REQUIRED);
        let any = put(&app, &editor, &id, Some("*"), &body("kent", "in_use")).await;
        assert_eq!(any.status(), StatusCode::PRECONDITION_REQUIRED, "`*` says nothing about what was read");
        let nowhere = "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f";
        for etag in [None, Some("*"), Some("\"abc\""), Some("\"r1\"")] {
            let response = put(&app, &editor, nowhere, etag, &body("kent", "in_use")).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "a missing deployment whatever `If-Match` says ({etag:?})");
        }
        let (first, second) = (body("kent", "in_use"), body("kent", "discontinued"));
        let (a, b) = tokio::join!(
            put(&app, &editor, &id, Some(&etag), &first),
            put(&app, &editor, &id, Some(&etag), &second),
        );
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED], "exactly one wins");
        let history = app.get_json(&format!("/api/v1/deployments/{id}/revisions"), StatusCode::OK).await;
        let revisions: Vec<i64> = history["items"].as_array().unwrap().iter().map(|r| r["revision"].as_i64().unwrap()).collect();
        assert_eq!(revisions, [1, 2]);
        let stale = put(&app, &editor, &id, Some(&etag), &body("kent", "planned")).await;
        assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
        let moved = put(&app, &editor, &id, Some("\"r2\""), &body("essex", "planned")).await;
        assert_eq!(moved.status(), StatusCode::BAD_REQUEST);

        let writers = (0..12).map(|n| {
            let (app, editor) = (&app, &editor);
            async move { post(app, editor, &body(if n % 2 == 0 { "surrey" } else { "sussex" }, "in_use")).await.status() }
        });
        let results = futures_util::future::join_all(writers).await;
        assert!(results.iter().all(|s| *s == StatusCode::CREATED), "{results:?}");
        let surrey = app.get_json("/api/v1/deployments?force=surrey&count=exact", StatusCode::OK).await;
        let sussex = app.get_json("/api/v1/deployments?force=sussex&count=exact", StatusCode::OK).await;
        assert_eq!((surrey["total_count"].clone(), sussex["total_count"].clone()), (json!(6), json!(6)));
    }

    async fn a_failed_write_leaves_nothing_behind(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let before = app.get_json("/api/v1/changes?limit=500", StatusCode::OK).await["items"].as_array().unwrap().len();
        let mut bad = body("kent", "in_use");
        bad["source_ids"] = json!(["0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f"]);
        let response = post(&app, &editor, &bad).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["source_ids"]);
        let invalid = post(&app, &editor, &json!({"force": "Kent", "tool": "drones", "status": "used", "first_known_use": "last year", "colour": 1})).await;
        assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
        let several = post(&app, &editor, &json!({"force": "Kent", "tool": "drones", "status": "used", "first_known_use": "last year"})).await;
        let problem: Value = several.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["force", "status", "first_known_use"]);
        let unknown_force = post(&app, &editor, &body("atlantis", "in_use")).await;
        assert_eq!(unknown_force.status(), StatusCode::BAD_REQUEST);
        let after = app.get_json("/api/v1/changes?limit=500", StatusCode::OK).await["items"].as_array().unwrap().len();
        assert_eq!(before, after, "no change event");
        let none = app.get_json("/api/v1/deployments?count=exact", StatusCode::OK).await;
        assert_eq!(none["total_count"], 0, "no deployment");
        let huge = json!({"force": "kent", "tool": "drones", "status": "in_use", "summary": "x".repeat(2 * 1024 * 1024)});
        assert_eq!(post(&app, &editor, &huge).await.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // An update checks the sources it adds (those it already cites are held by the database).
        let (id, etag) = seed(&app, &editor, "kent").await;
        let response = put(&app, &editor, &id, Some(&etag), &bad).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["source_ids"]);
        let held = app.get_json(&format!("/api/v1/deployments/{id}"), StatusCode::OK).await;
        assert_eq!((&held["revision"], &held["status"], &held["source_ids"]), (&json!(1), &json!("trial"), &json!([])));
    }
}
