//! The public dataset shipped in `src/reference/public/`: it loads into an empty registry, every
//! claim cites where its source says it, and loading again adds only what is new.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::domain::Role;
use surveillance_registry::import::public::FILES;

use crate::both_backends;
use crate::helpers::TestDb;

fn shipped(name: &str) -> Vec<Value> {
    let (_, content) = FILES
        .iter()
        .find(|(file, _)| *file == name)
        .expect("a shipped file");
    content
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn every_shipped_claim_cites_a_dated_source_at_a_locator_in_its_own_words() {
    let sources: std::collections::HashMap<String, Value> = shipped("sources.ndjson")
        .into_iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s))
        .collect();
    let claims = shipped("deployments.ndjson");
    assert!(claims.len() >= 80, "{} claims", claims.len());
    for claim in &claims {
        let cited: Vec<&Value> = claim["source_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| &sources[id.as_str().unwrap()])
            .collect();
        assert!(!cited.is_empty(), "{claim}");
        for source in cited {
            for field in [
                "url",
                "title",
                "publisher",
                "published_on",
                "retrieved_on",
                "locator",
                "statement",
            ] {
                assert!(
                    source[field].as_str().is_some_and(|v| !v.trim().is_empty()),
                    "{field} of {source}"
                );
            }
            assert!(
                source["url"].as_str().unwrap().starts_with("http"),
                "{source}"
            );
            assert!(
                !source["title"].as_str().unwrap().contains("[DEMO]"),
                "no synthetic data: {source}"
            );
        }
        assert_ne!(
            claim["status"], "not_researched",
            "a silent source makes no claim: {claim}"
        );
    }
    for assessment in shipped("impact-assessments.ndjson") {
        let source = &sources[assessment["revealed_by_source_id"].as_str().unwrap()];
        assert!(
            source["locator"].is_string() && source["statement"].is_string(),
            "{assessment}"
        );
    }
    assert!(
        shipped("impact-assessments.ndjson")
            .iter()
            .any(|a| !a["deployment_ids"].as_array().unwrap().is_empty()),
        "at least one assessment is linked to the claims it covers"
    );
}

both_backends! {
    async fn the_public_dataset_loads_into_an_empty_registry_once(db: TestDb) {
        let mut settings = db.settings();
        settings.public_data = true;
        let app = db.spawn_with(settings.clone()).await;
        let claims = shipped("deployments.ndjson");
        let listed = app.get_json("/api/v1/deployments?count=exact&limit=1", StatusCode::OK).await;
        assert_eq!(listed["total_count"], claims.len());
        // A claim reads back with its citation: where the source says it, and what it says there.
        let claim = &claims[0];
        let read = app.get_json(&format!("/api/v1/deployments/{}", claim["id"].as_str().unwrap()), StatusCode::OK).await;
        let source = &read["evidence"][0];
        assert!(source["locator"].is_string() && source["statement"].is_string(), "{read}");
        // The force's page shows the citation with the evidence.
        let page = app.get(&format!("/forces/{}", claim["force"].as_str().unwrap())).await.text().await.unwrap();
        assert!(page.contains("class=\"citation\""), "the page shows where the source says it");
        assert!(page.contains("<dt>Region</dt>"), "the page names the force's region");
        // The matrix shows real cells.
        let matrix = app.get_json("/api/v1/matrix", StatusCode::OK).await;
        assert!(matrix.to_string().contains("in_use"));

        // An editor corrects one claim and deletes another; a restart adds nothing and undoes nothing.
        let editor = app.token_for(Role::Editor, &[]).await;
        let (corrected, etag) = app.get_tagged(&format!("/api/v1/deployments/{}", claims[0]["id"].as_str().unwrap())).await;
        let mut body = json!({});
        for field in ["force", "tool", "status", "vendors", "first_known_use", "last_confirmed", "source_ids", "provenance"] {
            if !corrected[field].is_null() {
                body[field] = corrected[field].clone();
            }
        }
        body["summary"] = json!("Corrected by an editor.");
        let response = app.send(Method::PUT, &format!("/api/v1/deployments/{}", claims[0]["id"].as_str().unwrap()), &editor, Some(&etag), &body).await;
        assert_eq!(response.status(), StatusCode::OK, "{:?}", response.text().await);
        let deleted = claims[1]["id"].as_str().unwrap();
        let (_, etag) = app.get_tagged(&format!("/api/v1/deployments/{deleted}")).await;
        let response = app.send(Method::DELETE, &format!("/api/v1/deployments/{deleted}"), &editor, Some(&etag), &json!(null)).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        drop(app);
        let again = db.spawn_with(settings).await;
        let listed = again.get_json("/api/v1/deployments?count=exact&limit=1", StatusCode::OK).await;
        assert_eq!(listed["total_count"], claims.len() - 1, "the deleted claim stays deleted");
        let read = again.get_json(&format!("/api/v1/deployments/{}", claims[0]["id"].as_str().unwrap()), StatusCode::OK).await;
        assert_eq!(read["summary"], "Corrected by an editor.");
    }
}
