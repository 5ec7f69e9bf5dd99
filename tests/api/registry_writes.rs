//! Writes to assessments, sources, tools and forces: who may, If-Match, history and the feed.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::domain::Role;

use crate::both_backends;
use crate::helpers::{error_fields, TestDb};

fn body(force: &str, deployments: &[&str]) -> Value {
    json!({"force": force, "kind": "dpia", "status": "published", "title": "Drone DPIA",
        "completed_on": "2023-01-01", "next_review_due": "2024-01-01", "deployment_ids": deployments})
}

both_backends! {
    async fn assessments_are_written_by_their_force_with_history(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let staff = app.token_for(Role::ForceStaff, &["kent"]).await;
        let drones = json!({"force": "kent", "tool": "drones", "status": "in_use"});
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &drones).await;
        let kent_drones: Value = response.json().await.unwrap();
        let kent_drones = kent_drones["id"].as_str().unwrap().to_owned();

        let response = app.send(Method::POST, "/api/v1/impact-assessments", &staff, None, &body("kent", &[&kent_drones])).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let created: Value = response.json().await.unwrap();
        assert_eq!((created["provenance"].clone(), created["deployment_ids"].clone()), (json!("force_reported"), json!([kent_drones])));
        let other = app.send(Method::POST, "/api/v1/impact-assessments", &staff, None, &body("essex", &[])).await;
        assert_eq!(other.status(), StatusCode::FORBIDDEN);
        let crossed = app.send(Method::POST, "/api/v1/impact-assessments", &editor, None, &body("essex", &[&kent_drones])).await;
        assert_eq!(crossed.status(), StatusCode::BAD_REQUEST, "an assessment covers its own force's deployments");
        let bad = app.send(Method::POST, "/api/v1/impact-assessments", &editor, None,
            &json!({"force": "kent", "kind": "guess", "status": "published", "title": "", "completed_on": "01/01/2023", "url": "ftp://x"})).await;
        let problem: Value = bad.json().await.unwrap();
        let mut fields = error_fields(&problem);
        fields.sort();
        assert_eq!(fields, ["completed_on", "kind", "title", "url"]);

        let path = format!("/api/v1/impact-assessments/{}", created["id"].as_str().unwrap());
        let (_, etag) = app.get_tagged(&path).await;
        let mut changed = body("kent", &[&kent_drones]);
        changed["status"] = json!("withheld");
        assert_eq!(app.send(Method::PUT, &path, &staff, None, &changed).await.status(), StatusCode::PRECONDITION_REQUIRED);
        assert_eq!(app.send(Method::PUT, &path, &editor, Some(&etag), &changed).await.status(), StatusCode::OK);
        assert_eq!(app.send(Method::PUT, &path, &staff, Some(&etag), &changed).await.status(), StatusCode::PRECONDITION_FAILED);
        let essex_staff = app.token_for(Role::ForceStaff, &["essex"]).await;
        let (_, etag) = app.get_tagged(&path).await;
        assert_eq!(app.send(Method::PUT, &path, &essex_staff, Some(&etag), &changed).await.status(), StatusCode::FORBIDDEN);
        let deleted = app.client.delete(app.url(&path)).bearer_auth(&staff).header("If-Match", &etag).send().await.unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        app.get_problem(&path, StatusCode::NOT_FOUND).await;

        let history = app.get_json(&format!("{path}/revisions"), StatusCode::OK).await;
        let actions: Vec<&str> = history["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "update", "delete"]);
        assert_eq!(history["items"][1]["actor_role"], "editor");
        let feed = app.get_json("/api/v1/changes?entity_type=impact_assessment", StatusCode::OK).await;
        assert_eq!(feed["items"][1]["changed_fields"], json!(["status", "provenance"]), "the editor's write is `researched`");
        let anonymous = app.client.post(app.url("/api/v1/impact-assessments")).json(&body("kent", &[])).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    }
}

both_backends! {
    async fn sources_are_added_by_writers_and_corrected_by_editors(db: TestDb) {
        let app = db.spawn().await;
        let staff = app.token_for(Role::ForceStaff, &["kent"]).await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let source = json!({"url": "https://www.kent.police.uk/drones", "title": "Drone unit", "kind": "force_statement",
            "published_on": "2023-05-01", "sha256": "AB".repeat(32)});
        let response = app.send(Method::POST, "/api/v1/sources", &staff, None, &source).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let created: Value = response.json().await.unwrap();
        assert_eq!((created["revision"].clone(), created["sha256"].clone()), (json!(1), json!("ab".repeat(32))));
        let path = format!("/api/v1/sources/{}", created["id"].as_str().unwrap());
        let (_, etag) = app.get_tagged(&path).await;
        let mut corrected = source.clone();
        corrected["title"] = json!("Kent Police drone unit");
        assert_eq!(app.send(Method::PUT, &path, &staff, Some(&etag), &corrected).await.status(), StatusCode::FORBIDDEN);
        let response = app.send(Method::PUT, &path, &editor, Some(&etag), &corrected).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(app.send(Method::PUT, &path, &editor, Some(&etag), &corrected).await.status(), StatusCode::PRECONDITION_FAILED);
        let feed = app.get_json("/api/v1/changes?entity_type=source", StatusCode::OK).await;
        assert_eq!(feed["items"][1]["changed_fields"], json!(["title"]));
        let bad = app.send(Method::POST, "/api/v1/sources", &editor, None,
            &json!({"title": "x", "kind": "rumour", "url": "file:///etc/passwd", "sha256": "zz"})).await;
        let problem: Value = bad.json().await.unwrap();
        let mut fields = error_fields(&problem);
        fields.sort();
        assert_eq!(fields, ["kind", "sha256", "url"]);
    }
}

both_backends! {
    async fn editors_deprecate_tools_and_no_one_deletes_them(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let staff = app.token_for(Role::ForceStaff, &["kent"]).await;
        let (tool, etag) = app.get_tagged("/api/v1/tools/drones").await;
        let mut body = json!({"name": tool["name"], "description": tool["description"], "parent": tool["parent"],
            "aliases": tool["aliases"], "atlas_category": tool["atlas_category"], "deprecated": true});
        assert_eq!(app.send(Method::PUT, "/api/v1/tools/drones", &staff, Some(&etag), &body).await.status(), StatusCode::FORBIDDEN);
        let response = app.send(Method::PUT, "/api/v1/tools/drones", &editor, Some(&etag), &body).await;
        assert_eq!(response.status(), StatusCode::OK);
        let deprecated = app.get_all("/api/v1/tools?deprecated=true").await;
        assert_eq!(deprecated.iter().map(|t| t["slug"].as_str().unwrap()).collect::<Vec<_>>(), ["drones"]);
        let feed = app.get_json("/api/v1/changes?entity_type=tool", StatusCode::OK).await;
        assert_eq!(feed["items"][0]["changed_fields"], json!(["deprecated"]));

        let (_, etag) = app.get_tagged("/api/v1/tools/facial-recognition").await;
        let (fr, _) = app.get_tagged("/api/v1/tools/facial-recognition").await;
        body = json!({"name": fr["name"], "parent": "live-facial-recognition"});
        let cycle = app.send(Method::PUT, "/api/v1/tools/facial-recognition", &editor, Some(&etag), &body).await;
        assert_eq!(cycle.status(), StatusCode::BAD_REQUEST, "the taxonomy stays a tree");
        let (bwv, _) = app.get_tagged("/api/v1/tools/body-worn-video").await;
        let (_, etag) = app.get_tagged("/api/v1/tools/drones").await;
        body = json!({"name": "Drones", "atlas_category": bwv["atlas_category"]});
        let taken = app.send(Method::PUT, "/api/v1/tools/drones", &editor, Some(&etag), &body).await;
        assert_eq!(taken.status(), StatusCode::BAD_REQUEST, "an Atlas category maps onto one tool");
        let problem: Value = taken.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["atlas_category"]);
        assert!(!problem.to_string().contains("UNIQUE"), "no database wording: {problem}");
        let delete = app.client.delete(app.url("/api/v1/tools/drones")).bearer_auth(&editor).send().await.unwrap();
        assert_eq!(delete.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}

both_backends! {
    async fn editors_correct_a_force_s_details(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let staff = app.token_for(Role::ForceStaff, &["kent"]).await;
        let (_, etag) = app.get_tagged("/api/v1/forces/kent").await;
        let body = json!({"name": "Kent Police", "website": "https://www.kent.police.uk", "foi_email": "foi@kent.police.uk"});
        assert_eq!(app.send(Method::PUT, "/api/v1/forces/kent", &staff, Some(&etag), &body).await.status(), StatusCode::FORBIDDEN);
        let response = app.send(Method::PUT, "/api/v1/forces/kent", &editor, Some(&etag), &body).await;
        assert_eq!(response.status(), StatusCode::OK);
        let kent = app.get_json("/api/v1/forces/kent", StatusCode::OK).await;
        assert_eq!((kent["foi_email"].clone(), kent["revision"].clone(), kent["nation"].clone()), (json!("foi@kent.police.uk"), json!(2), json!("england")));
        assert_eq!(app.send(Method::PUT, "/api/v1/forces/kent", &editor, Some(&etag), &body).await.status(), StatusCode::PRECONDITION_FAILED);
        let feed = app.get_json("/api/v1/changes?entity_type=force", StatusCode::OK).await;
        assert_eq!(feed["items"][0]["force"], "kent");
        let (_, etag) = app.get_tagged("/api/v1/forces/kent").await;
        let bad = app.send(Method::PUT, "/api/v1/forces/kent", &editor, Some(&etag), &json!({"name": "", "website": "kent", "foi_email": "nobody"})).await;
        let problem: Value = bad.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["name", "website", "foi_email"]);
    }
}

both_backends! {
    async fn only_unused_sources_and_campaigns_are_deleted(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let mut ids = Vec::new();
        for title in ["Cited", "Spare"] {
            let source = json!({"title": title, "kind": "media", "url": "https://example.org/"});
            let created: Value = app.send(Method::POST, "/api/v1/sources", &editor, None, &source).await.json().await.unwrap();
            ids.push(created["id"].as_str().unwrap().to_owned());
        }
        let drones = json!({"force": "kent", "tool": "drones", "status": "in_use", "source_ids": [ids[0]]});
        assert_eq!(app.send(Method::POST, "/api/v1/deployments", &editor, None, &drones).await.status(), StatusCode::CREATED);
        let delete = |path: String, etag: String| {
            app.client.delete(app.url(&path)).bearer_auth(&editor).header("If-Match", etag).send()
        };
        for (id, expected) in [(&ids[0], StatusCode::CONFLICT), (&ids[1], StatusCode::NO_CONTENT)] {
            let path = format!("/api/v1/sources/{id}");
            let (_, etag) = app.get_tagged(&path).await;
            assert_eq!(delete(path, etag).await.unwrap().status(), expected);
        }
        app.get_problem(&format!("/api/v1/sources/{}", ids[1]), StatusCode::NOT_FOUND).await;

        for (slug, targets, expected) in [("sent", json!(["kent"]), StatusCode::CONFLICT), ("draft", json!([]), StatusCode::NO_CONTENT)] {
            let campaign = json!({"slug": slug, "title": "Drones", "started_on": "2024-01-08", "authorities": targets});
            assert_eq!(app.send(Method::POST, "/api/v1/campaigns", &editor, None, &campaign).await.status(), StatusCode::CREATED);
            let path = format!("/api/v1/campaigns/{slug}");
            let (_, etag) = app.get_tagged(&path).await;
            assert_eq!(delete(path, etag).await.unwrap().status(), expected, "{slug}");
        }
        app.get_problem("/api/v1/campaigns/draft", StatusCode::NOT_FOUND).await;
        let again = json!({"slug": "draft", "title": "Drones, again", "started_on": "2024-02-05"});
        let response = app.send(Method::POST, "/api/v1/campaigns", &editor, None, &again).await;
        assert_eq!(response.status(), StatusCode::CREATED, "a deleted campaign's slug can be used again");
        let history = app.get_json("/api/v1/campaigns/draft/revisions", StatusCode::OK).await;
        let actions: Vec<(i64, &str)> = history["items"].as_array().unwrap().iter()
            .map(|r| (r["revision"].as_i64().unwrap(), r["action"].as_str().unwrap())).collect();
        assert_eq!(actions, [(1, "create"), (2, "delete"), (3, "create")], "one history, numbered on");
    }
}
