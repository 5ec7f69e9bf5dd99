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
        let ids: Vec<&str> = claim["source_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap())
            .collect();
        assert!(ids.is_sorted(), "source ids in the order the registry keeps them, so a re-import changes nothing: {claim}");
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
        // A shipped assessment, like a claim, rests on a dated document with an address.
        assert!(
            source["published_on"].is_string()
                && source["url"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("http")),
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

#[test]
fn every_shipped_foi_request_cites_its_source_and_keeps_its_dates_in_order() {
    let sources = shipped("sources.ndjson");
    let campaigns: Vec<String> = shipped("campaigns.ndjson")
        .iter()
        .map(|c| c["slug"].as_str().unwrap().to_owned())
        .collect();
    let requests = shipped("foi-requests.ndjson");
    assert!(requests.len() >= 3, "{} requests", requests.len());
    let date =
        |v: &Value| chrono::NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").unwrap();
    for request in &requests {
        let url = request["source_url"].as_str().unwrap_or_default();
        assert!(url.starts_with("http"), "a source URL: {request}");
        let cited: Vec<&Value> = sources.iter().filter(|s| s["url"] == url).collect();
        assert!(!cited.is_empty(), "a source line for {url}");
        for source in cited {
            for field in ["title", "publisher", "retrieved_on", "locator", "statement"] {
                assert!(
                    source[field].as_str().is_some_and(|v| !v.trim().is_empty()),
                    "{field} of {source}"
                );
            }
        }
        let campaign = request["campaign"].as_str().unwrap();
        assert!(
            campaigns.iter().any(|c| c == campaign),
            "{campaign} is shipped"
        );
        // Dates the sources state, in the order things happened.
        let received = date(&request["received_on"]);
        assert_eq!(request["sent_on"], request["received_on"], "{request}");
        if !request["responded_on"].is_null() {
            assert!(date(&request["responded_on"]) >= received, "{request}");
        }
        for stage in request["stages"].as_array().unwrap() {
            assert!(date(&stage["started_on"]) > received, "{stage}");
            if !stage["decided_on"].is_null() {
                assert!(
                    date(&stage["decided_on"]) >= date(&stage["started_on"]),
                    "{stage}"
                );
            }
        }
        for answer in request["answers"].as_array().unwrap() {
            assert!(
                !answer["answer_text"].as_str().unwrap().trim().is_empty(),
                "{answer}"
            );
            if answer["outcome"] == "ncnd" {
                assert!(
                    answer["exemptions"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|e| e["ncnd"] == true),
                    "an NCND answer cites NCND sections: {answer}"
                );
            }
        }
    }
}

both_backends! {
    async fn the_public_foi_records_load_and_show_in_their_campaigns(db: TestDb) {
        let mut settings = db.settings();
        settings.public_data = true;
        let app = db.spawn_with(settings).await;
        let requests = shipped("foi-requests.ndjson");
        let listed = app.get_json("/api/v1/foi-requests?count=exact&limit=1", StatusCode::OK).await;
        assert_eq!(listed["total_count"], requests.len());
        // South Yorkshire Police: NCND under four sections, upheld on internal review.
        let south_yorkshire = requests.iter().find(|r| r["authority"] == "south-yorkshire").unwrap();
        let read = app.get_json(&format!("/api/v1/foi-requests/{}", south_yorkshire["id"].as_str().unwrap()), StatusCode::OK).await;
        assert_eq!(read["responded_on"], "2016-12-07");
        assert_eq!(read["late"], true, "answered after the 20th working day: {read}");
        let sections: Vec<&str> = read["answers"][0]["exemptions"].as_array().unwrap().iter().map(|e| e["section"].as_str().unwrap()).collect();
        assert_eq!(sections, ["s23(5)", "s24(2)", "s30(3)", "s31(3)"]);
        assert_eq!(read["stages"][0]["kind"], "internal_review");
        assert_eq!(read["stages"][0]["decided_on"], "2017-06-01");
        // The 2016 campaign's progress: three requests, South Yorkshire's answer late, the
        // Staffordshire commissioner's long overdue.
        let progress = app.get_json("/api/v1/campaigns/pi-imsi-catchers-2016", StatusCode::OK).await;
        assert_eq!(progress["totals"]["requests"], 3, "{progress}");
        assert_eq!(progress["totals"]["answered"], 2, "{progress}");
        assert_eq!(progress["totals"]["answered_late"], 1, "{progress}");
        assert_eq!(progress["totals"]["overdue"], 1, "{progress}");
        assert_eq!(progress["totals"]["awaiting"], 0, "{progress}");
        assert!(progress["exemptions"].to_string().contains("s23(5)"), "{progress}");
        // The 2019 campaign is there, with no reply recorded (none could be read in full with a URL).
        let progress = app.get_json("/api/v1/campaigns/pcc-surveillance-tools-2019", StatusCode::OK).await;
        assert_eq!(progress["totals"]["requests"], 0, "{progress}");
        let page = app.get("/campaigns/pi-imsi-catchers-2016").await.text().await.unwrap();
        assert!(page.contains("South Yorkshire"), "the campaign page lists the replies");
        // The FOI records make no claims of their own: the claims are those of deployments.ndjson.
        let listed = app.get_json("/api/v1/deployments?count=exact&limit=1", StatusCode::OK).await;
        assert_eq!(listed["total_count"], shipped("deployments.ndjson").len());
        drop(app);
        // A second start adds nothing.
        let mut settings = db.settings();
        settings.public_data = true;
        let again = db.spawn_with(settings).await;
        let listed = again.get_json("/api/v1/foi-requests?count=exact&limit=1", StatusCode::OK).await;
        assert_eq!(listed["total_count"], requests.len());
        let revisions = again.get_json("/api/v1/campaigns/pi-imsi-catchers-2016/revisions", StatusCode::OK).await;
        assert_eq!(revisions["items"].as_array().unwrap().len(), 1, "loaded once: {revisions}");
    }
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
