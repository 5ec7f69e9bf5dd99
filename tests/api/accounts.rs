//! The accounts API: admins only, preconditions on updates, no self-escalation, no password leaks.

use diesel::prelude::*;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::db::schema::change_events;
use surveillance_registry::db::Database;
use surveillance_registry::domain::Role;

use crate::both_backends;
use crate::helpers::{error_fields, TestApp, TestDb};

const PASSWORD: &str = "the new account's password";

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn patch(
    app: &TestApp,
    id: &str,
    token: &str,
    if_match: Option<&str>,
    body: Value,
) -> Response {
    let mut request = app
        .client
        .patch(app.url(&format!("/api/v1/accounts/{id}")))
        .bearer_auth(token)
        .json(&body);
    if let Some(etag) = if_match {
        request = request.header("if-match", etag);
    }
    request.send().await.unwrap()
}

/// Asserts a problem with `status`, and that no password or hash is anywhere in it.
async fn problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    response.json().await.unwrap()
}

/// The response's text, checked to hold no password and no hash.
async fn text(response: Response) -> String {
    let text = response.text().await.unwrap();
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(
        !text.contains("argon2") && !text.contains("password_hash"),
        "{text}"
    );
    text
}

/// The change events of accounts: (entity id, action, revision, changed fields, summary).
async fn account_events(db: &TestDb) -> Vec<(String, String, i64, String, String)> {
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let database = Database::connect(&url, 1).unwrap();
        change_events::table
            .filter(change_events::entity_type.eq("account"))
            .order(change_events::id)
            .select((
                change_events::entity_id,
                change_events::action,
                change_events::revision,
                change_events::changed_fields,
                change_events::summary,
            ))
            .load(&mut *database.get().unwrap())
            .unwrap()
    })
    .await
    .unwrap()
}

both_backends! {
    async fn admins_create_list_read_and_change_accounts(db: TestDb) {
        let app = db.spawn().await;
        let admin = app.token_for(Role::Admin, &[]).await;
        let response = call(&app, Method::POST, "/api/v1/accounts", &admin, Some(json!({
            "username": "cambs-foi", "display_name": "Cambridgeshire FOI team",
            "organisation": "Cambridgeshire Constabulary", "role": "force_staff",
            "forces": ["cambridgeshire"], "password": PASSWORD}))).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["etag"], "\"r1\"");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = serde_json::from_str(&text(response).await).unwrap();
        assert_eq!(location, format!("/api/v1/accounts/{}", created["id"].as_str().unwrap()));
        assert_eq!(created["forces"], json!(["cambridgeshire"]));
        assert_eq!(created["revision"], 1);
        assert!(created.get("generated_password").is_none());
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(app.login("cambs-foi", PASSWORD).await.status(), StatusCode::OK);

        let response = call(&app, Method::GET, &location, &admin, None).await;
        assert_eq!(response.headers()["etag"], "\"r1\"");
        assert_eq!(serde_json::from_str::<Value>(&text(response).await).unwrap()["username"], "cambs-foi");

        let response = call(&app, Method::GET, "/api/v1/accounts?limit=1&count=exact", &admin, None).await;
        assert!(response.headers().contains_key("link"));
        let page: Value = serde_json::from_str(&text(response).await).unwrap();
        assert_eq!(page["total_count"], 2);
        let next = page["next_url"].as_str().unwrap();
        let rest: Value = call(&app, Method::GET, next, &admin, None).await.json().await.unwrap();
        let usernames: Vec<&str> = [&page, &rest]
            .iter()
            .flat_map(|p| p["items"].as_array().unwrap())
            .map(|a| a["username"].as_str().unwrap())
            .collect();
        assert!(usernames.contains(&"cambs-foi") && usernames.len() == 2, "{usernames:?}");

        let change = json!({"forces": ["cambridgeshire", "norfolk"], "display_name": "Cambs & Norfolk FOI"});
        let missing = problem(patch(&app, &id, &admin, None, change.clone()).await, StatusCode::PRECONDITION_REQUIRED).await;
        assert_eq!(missing["type"], "/problems/precondition-required");
        problem(patch(&app, &id, &admin, Some("*"), change.clone()).await, StatusCode::PRECONDITION_REQUIRED).await;
        problem(patch(&app, &id, &admin, Some("\"r0\""), change.clone()).await, StatusCode::PRECONDITION_FAILED).await;
        problem(patch(&app, &id, &admin, Some("\"abc\""), change.clone()).await, StatusCode::PRECONDITION_FAILED).await;
        let response = patch(&app, &id, &admin, Some("\"r1\""), change.clone()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["etag"], "\"r2\"");
        let changed: Value = response.json().await.unwrap();
        assert_eq!(changed["forces"], json!(["cambridgeshire", "norfolk"]));
        assert_eq!(changed["display_name"], "Cambs & Norfolk FOI");
        problem(patch(&app, &id, &admin, Some("\"r1\""), change).await, StatusCode::PRECONDITION_FAILED).await;

        let reset = call(&app, Method::POST, &format!("{location}/password"), &admin, Some(json!({}))).await;
        assert_eq!(reset.status(), StatusCode::OK);
        let reset: Value = reset.json().await.unwrap();
        let generated = reset["generated_password"].as_str().unwrap();
        assert_eq!(generated.len(), 24);
        assert_eq!(reset["revision"], 3);
        assert_eq!(app.login("cambs-foi", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.login("cambs-foi", generated).await.status(), StatusCode::OK);

        let events = account_events(&db).await;
        let ours: Vec<_> = events.iter().filter(|e| e.0 == id).collect();
        assert_eq!(ours.len(), 3);
        assert_eq!((ours[0].1.as_str(), ours[0].2), ("create", 1));
        assert_eq!((ours[1].1.as_str(), ours[1].2, ours[1].3.as_str()), ("update", 2, "[\"forces\",\"display_name\"]"));
        assert_eq!((ours[2].1.as_str(), ours[2].2, ours[2].3.as_str()), ("update", 3, "[\"password\"]"));
        for event in &events {
            let all = format!("{event:?}");
            assert!(!all.contains(PASSWORD) && !all.contains(generated) && !all.contains("argon2"), "{all}");
        }
    }

    async fn a_generated_password_is_shown_once(db: TestDb) {
        let app = db.spawn().await;
        let admin = app.token_for(Role::Admin, &[]).await;
        let response = call(&app, Method::POST, "/api/v1/accounts", &admin, Some(json!({
            "username": "editor-one", "organisation": "Registry team", "role": "editor"}))).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let created: Value = response.json().await.unwrap();
        let password = created["generated_password"].as_str().unwrap();
        assert_eq!(created["display_name"], "editor-one");
        assert_eq!(app.login("editor-one", password).await.status(), StatusCode::OK);
        let again = call(&app, Method::GET, &format!("/api/v1/accounts/{}", created["id"].as_str().unwrap()), &admin, None).await;
        let again = again.text().await.unwrap();
        assert!(!again.contains(password) && !again.contains("generated_password"));
    }

    async fn only_admins_manage_accounts(db: TestDb) {
        let app = db.spawn().await;
        let target = app.account(Role::Editor, &[]).await;
        let paths = [
            (Method::POST, "/api/v1/accounts".to_owned(), Some(json!({"username": "x-new", "organisation": "x", "role": "admin", "password": PASSWORD}))),
            (Method::GET, "/api/v1/accounts".to_owned(), None),
            (Method::GET, format!("/api/v1/accounts/{}", target.id), None),
            (Method::PATCH, format!("/api/v1/accounts/{}", target.id), Some(json!({"disabled": true}))),
            (Method::POST, format!("/api/v1/accounts/{}/password", target.id), Some(json!({"password": PASSWORD}))),
        ];
        for token in [app.token_for(Role::Editor, &[]).await, app.token_for(Role::ForceStaff, &["kent"]).await] {
            for (method, path, body) in &paths {
                let response = app.client.request(method.clone(), app.url(path)).bearer_auth(&token)
                    .header("if-match", "\"r1\"").json(body).send().await.unwrap();
                let problem = problem(response, StatusCode::FORBIDDEN).await;
                assert_eq!(problem["type"], "/problems/forbidden", "{method} {path}");
            }
        }
        for (method, path, _) in &paths {
            let response = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }

    async fn nobody_escalates_their_own_account(db: TestDb) {
        let app = db.spawn().await;
        let admin = app.account(Role::Admin, &[]).await;
        let token = app.token_of(&admin).await;
        for change in [json!({"role": "editor"}), json!({"forces": ["kent"]}), json!({"disabled": true})] {
            let response = patch(&app, &admin.id, &token, Some("\"r1\""), change.clone()).await;
            let problem = problem(response, StatusCode::FORBIDDEN).await;
            assert!(problem["detail"].as_str().unwrap().contains("own"), "{change}");
        }
        // Their own display name is fine.
        let response = patch(&app, &admin.id, &token, Some("\"r1\""), json!({"display_name": "Me"})).await;
        assert_eq!(response.status(), StatusCode::OK);

        let staff = app.account(Role::ForceStaff, &["kent"]).await;
        let staff_token = app.token_of(&staff).await;
        let response = patch(&app, &staff.id, &staff_token, Some("\"r1\""), json!({"forces": ["kent", "essex"]})).await;
        problem(response, StatusCode::FORBIDDEN).await;
        let response = patch(&app, &staff.id, &staff_token, Some("\"r1\""), json!({"role": "admin"})).await;
        problem(response, StatusCode::FORBIDDEN).await;
    }

    async fn account_input_is_checked(db: TestDb) {
        let app = db.spawn().await;
        let admin = app.token_for(Role::Admin, &[]).await;
        let base = json!({"username": "someone", "organisation": "Org", "role": "force_staff",
            "forces": ["kent"], "password": PASSWORD});
        let with = |field: &str, value: Value| {
            let mut body = base.clone();
            body[field] = value;
            body
        };
        for (body, fields) in [
            (with("forces", json!([])), vec!["forces"]),
            (with("forces", json!(["atlantis"])), vec!["forces"]),
            (with("forces", json!(["Not A Slug"])), vec!["forces"]),
            (with("role", json!("editor")), vec!["forces"]),
            (with("role", json!("superuser")), vec!["role"]),
            (with("password", json!("too short")), vec!["password"]),
            (with("organisation", json!("  ")), vec!["organisation"]),
            (with("username", json!("No Such Name")), vec!["username"]),
            (with("password_hash", json!("$argon2id$...")), vec!["password_hash"]),
            (json!({"username": "Bad Name", "organisation": "Org", "role": "editor", "password": "short"}),
                vec!["username", "password"]),
        ] {
            let response = call(&app, Method::POST, "/api/v1/accounts", &admin, Some(body.clone())).await;
            let problem = problem(response, StatusCode::BAD_REQUEST).await;
            assert_eq!(error_fields(&problem), fields, "{body}");
        }
        let first = call(&app, Method::POST, "/api/v1/accounts", &admin, Some(base.clone())).await;
        assert_eq!(first.status(), StatusCode::CREATED);
        let id = first.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let again = call(&app, Method::POST, "/api/v1/accounts", &admin, Some(base)).await;
        problem(again, StatusCode::CONFLICT).await;

        let response = patch(&app, &id, &admin, Some("\"r1\""), json!({"role": "editor"})).await;
        let problem_doc = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem_doc), ["forces"], "an editor lists no forces");
        let response = patch(&app, &id, &admin, Some("\"r1\""), json!({"role": "editor", "forces": []})).await;
        assert_eq!(response.status(), StatusCode::OK);
        let response = call(&app, Method::GET, "/api/v1/accounts/no-such-id", &admin, None).await;
        problem(response, StatusCode::NOT_FOUND).await;
    }
}
