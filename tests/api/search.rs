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
        assert_eq!(ids(hits(&app, "q=stingray&entity_type=deployment").await), [imsi["id"].as_str().unwrap()], "a tool's alias");
        assert_eq!(ids(hits(&app, "q=stingray&entity_type=tool").await), ["imsi-catcher"], "the tool itself");
        // Phrases, alternatives and exclusions, as both engines read them.
        let (extraction_id, imsi_id) = (extraction["id"].as_str().unwrap(), imsi["id"].as_str().unwrap());
        assert_eq!(ids(hits(&app, "q=%22custody+suites%22").await), [extraction_id], "a phrase");
        assert!(hits(&app, "q=%22suites+custody%22").await.is_empty(), "a phrase keeps its order");
        let either: BTreeSet<String> = ids(hits(&app, "q=cellebrite+OR+stingray").await).into_iter().collect();
        assert_eq!(either, BTreeSet::from([extraction_id.to_owned(), imsi_id.to_owned(), "imsi-catcher".to_owned()]));
        let counted = app.get_json("/api/v1/search?q=cellebrite+OR+stingray&limit=1", StatusCode::OK).await;
        assert_eq!(counted["total_count"], 3, "the total of every page");
        assert_eq!(counted["counts"], json!({"deployment": 2, "tool": 1}));
        let other_kind = app.get_json("/api/v1/search?q=cellebrite+OR+stingray&entity_type=foi_answer", StatusCode::OK).await;
        assert_eq!(other_kind["total_count"], 0);
        assert_eq!(other_kind["counts"], json!({"deployment": 2, "tool": 1}), "counts show what the other kinds hold");
        assert!(hits(&app, "q=kiosks+-cellebrite&entity_type=deployment").await.is_empty(), "an exclusion");
        assert_eq!(ids(hits(&app, "q=neither+-%22custody+suites%22&entity_type=deployment").await), [imsi_id]);
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
        assert_eq!(kinds(&found), BTreeSet::from(["deployment".to_owned(), "foi_answer".to_owned(), "foi_request".to_owned(), "tool".to_owned()]));
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

    async fn sources_tools_and_reply_documents_are_found(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let source = json!({"url": "https://example.org/bscc", "title": "Police survey returns",
            "publisher": "Biometrics Commissioner", "kind": "official_publication", "published_on": "2022-11-14",
            "locator": "Table 3", "statement": "Thirteen forces intend to adopt retrospective matching."});
        let response = app.send(Method::POST, "/api/v1/sources", &editor, None, &source).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let source: Value = response.json().await.unwrap();
        let found = hits(&app, "q=thirteen+forces").await;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["entity_type"], "source");
        assert_eq!(found[0]["url"], format!("/api/v1/sources/{}", source["id"].as_str().unwrap()));
        assert_eq!(hits(&app, "q=biometrics+commissioner&entity_type=source").await.len(), 1, "by publisher");

        let request_id = record_2019_reply(&app, &editor).await;
        for (name, media_type, bytes) in [
            ("letter.txt", "text/plain", b"We hold a contract with Harris for the Hailstorm system.".to_vec()),
            ("annex.pdf", "application/pdf", pdf_saying("Kiosk audit of Zephyrine handsets")),
        ] {
            let response = app
                .client
                .post(app.url(&format!("/api/v1/foi-requests/{request_id}/documents?filename={name}")))
                .bearer_auth(&editor)
                .header("Content-Type", media_type)
                .body(bytes)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED, "{name}");
        }
        for (query, file) in [("q=hailstorm", "letter.txt"), ("q=zephyrine+handsets", "annex.pdf")] {
            let found = hits(&app, &format!("{query}&entity_type=foi_document")).await;
            assert_eq!(found.len(), 1, "{query}");
            assert_eq!(found[0]["title"], file);
            assert_eq!(found[0]["force"], "cambridgeshire");
            assert!(found[0]["url"].as_str().unwrap().starts_with(&format!("/api/v1/foi-requests/{request_id}/documents/")));
            assert!(found[0]["snippet"].as_str().unwrap().contains("<mark>"));
        }
        let tools = hits(&app, "q=stingray&entity_type=tool").await;
        assert_eq!(tools[0]["url"], "/api/v1/tools/imsi-catcher");
    }
}

/// A one-page PDF whose only text is `text` (Helvetica, no compression), with a correct xref.
fn pdf_saying(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).into_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    pdf
}
