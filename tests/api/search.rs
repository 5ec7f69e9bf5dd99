//! Full-text search through the API, on both backends: the same hits, snippets and filters.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::domain::Role;

use crate::both_backends;
use crate::foi::record_2019_reply;
use crate::helpers::{error_fields, TestApp, TestDb};

async fn hits(app: &TestApp, query: &str) -> Vec<Value> {
    app.get_all(&format!("/api/v1/search?{query}")).await
}

fn kinds(hits: &[Value]) -> BTreeSet<String> {
    hits.iter()
        .map(|h| h["entity_type"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn deployments_are_found_by_vendor_product_legal_basis_and_tool_alias(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let body = json!({"force": "kent", "tool": "mobile-phone-extraction", "status": "in_use",
            "vendors": ["Cellebrite"], "product": "UFED Touch", "legal_basis": "PACE section 19",
            "summary": "Kiosks in custody suites."});
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let extraction: Value = response.json().await.unwrap();
        let imsi = json!({"force": "gwent", "tool": "imsi-catcher", "status": "ncnd", "summary": "Neither confirmed nor denied."});
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &imsi).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let imsi: Value = response.json().await.unwrap();
        let ids = |found: Vec<Value>| -> Vec<String> {
            found.iter().map(|h| h["id"].as_str().unwrap().to_owned()).collect()
        };
        for query in ["q=cellebrite", "q=UFED", "q=PACE+section+19", "q=phone+extraction+custody"] {
            assert_eq!(ids(hits(&app, query).await), [extraction["id"].as_str().unwrap()], "{query}");
        }
        assert_eq!(ids(hits(&app, "q=stingray").await), [imsi["id"].as_str().unwrap()], "a tool's alias");
        // Phrases, alternatives and exclusions, as both engines read them.
        let (extraction_id, imsi_id) = (extraction["id"].as_str().unwrap(), imsi["id"].as_str().unwrap());
        assert_eq!(ids(hits(&app, "q=%22custody+suites%22").await), [extraction_id], "a phrase");
        assert!(hits(&app, "q=%22suites+custody%22").await.is_empty(), "a phrase keeps its order");
        let either: BTreeSet<String> = ids(hits(&app, "q=cellebrite+OR+stingray").await).into_iter().collect();
        assert_eq!(either, BTreeSet::from([extraction_id.to_owned(), imsi_id.to_owned()]));
        let counted = app.get_json("/api/v1/search?q=cellebrite+OR+stingray&limit=1", StatusCode::OK).await;
        assert_eq!(counted["total_count"], 2, "the total of every page");
        assert_eq!(counted["counts"], json!({"deployment": 2}));
        let other_kind = app.get_json("/api/v1/search?q=cellebrite+OR+stingray&entity_type=foi_answer", StatusCode::OK).await;
        assert_eq!(other_kind["total_count"], 0);
        assert_eq!(other_kind["counts"], json!({"deployment": 2}), "counts show what the other kinds hold");
        assert!(hits(&app, "q=kiosks+-cellebrite").await.is_empty(), "an exclusion");
        assert_eq!(ids(hits(&app, "q=neither+-%22custody+suites%22").await), [imsi_id]);
        let only_excluded = app.get_json("/api/v1/search?q=-cellebrite", StatusCode::OK).await;
        assert_eq!(only_excluded["items"], json!([]), "exclusions alone find nothing");
        assert_eq!(only_excluded["total_count"], 0);
        let listed = app.get_json("/api/v1/deployments?q=-cellebrite", StatusCode::OK).await;
        assert_eq!(listed["items"], json!([]));
        let listed = app.get_json("/api/v1/deployments?q=cellebrite", StatusCode::OK).await;
        assert_eq!(listed["items"][0]["id"], extraction["id"]);

        // A change of vendor moves the claim in the index.
        let path = format!("/api/v1/deployments/{}", extraction["id"].as_str().unwrap());
        let (_, etag) = app.get_tagged(&path).await;
        let mut changed = body.clone();
        changed["vendors"] = json!(["MSAB"]);
        let response = app.send(Method::PUT, &path, &editor, Some(&etag), &changed).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(hits(&app, "q=cellebrite").await.is_empty());
        assert_eq!(ids(hits(&app, "q=msab").await), [extraction["id"].as_str().unwrap()]);
    }

    async fn search_finds_every_kind_of_text_with_snippets(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let request_id = record_2019_reply(&app, &editor).await;
        let body = json!({"force": "kent", "tool": "live-facial-recognition", "status": "trial",
            "summary": "Live facial recognition vans were deployed at the county show."});
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let deployment: Value = response.json().await.unwrap();

        // Stemmed: "camera" finds "cameras"; every word must match.
        let found = hits(&app, "q=body+worn+camera").await;
        assert_eq!(kinds(&found), BTreeSet::from(["deployment".to_owned(), "foi_answer".to_owned(), "foi_request".to_owned()]));
        assert!(found.iter().all(|h| h["snippet"].as_str().unwrap().contains("<mark>")), "{found:?}");
        let answer = found.iter().find(|h| h["entity_type"] == "foi_answer").unwrap();
        assert_eq!(answer["url"], format!("/api/v1/foi-requests/{request_id}"));
        assert_eq!(answer["force"], "cambridgeshire");

        let only_answers = hits(&app, "q=body+worn+camera&entity_type=foi_answer").await;
        assert_eq!(kinds(&only_answers), BTreeSet::from(["foi_answer".to_owned()]));
        assert!(hits(&app, "q=body+worn+camera&force=kent").await.is_empty());
        let county = hits(&app, "q=county+show&force=kent").await;
        assert_eq!(county.len(), 1);
        assert_eq!(county[0]["url"], format!("/api/v1/deployments/{}", deployment["id"].as_str().unwrap()));
        assert!(hits(&app, "q=body+worn+carnival").await.is_empty(), "every word must match");

        let paged = app.get_json("/api/v1/search?q=body+worn+camera&limit=1", StatusCode::OK).await;
        assert_eq!(paged["items"].as_array().unwrap().len(), 1);
        assert!(paged["next_url"].is_string());
        let all = hits(&app, "q=body+worn+camera&limit=1").await;
        let ids: BTreeSet<&str> = all.iter().map(|h| h["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), found.len(), "pages neither repeat nor skip hits");

        // The same words filter the lists.
        let listed = app.get_json("/api/v1/deployments?q=county+show", StatusCode::OK).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        let requests = app.get_json("/api/v1/foi-requests?q=opinion+based", StatusCode::OK).await;
        assert_eq!(requests["items"][0]["id"], request_id.as_str(), "a request is found by its answers' words");
        assert_eq!(app.get_json("/api/v1/foi-requests?q=zeppelin", StatusCode::OK).await["items"], json!([]));

        // The index follows writes.
        let path = format!("/api/v1/deployments/{}", deployment["id"].as_str().unwrap());
        let (_, etag) = app.get_tagged(&path).await;
        let changed = json!({"force": "kent", "tool": "live-facial-recognition", "status": "trial",
            "summary": "Vans were seen at the harbour festival."});
        let response = app.send(Method::PUT, &path, &editor, Some(&etag), &changed).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(hits(&app, "q=county+show").await.is_empty());
        assert_eq!(hits(&app, "q=harbour+festival").await.len(), 1);

        for bad in ["", "q=", "q=%21%21%21", "q=x&entity_type=tweet"] {
            let problem = app.get_problem(&format!("/api/v1/search?{bad}"), StatusCode::BAD_REQUEST).await;
            assert!(!error_fields(&problem).is_empty(), "{bad}");
        }
    }
}
