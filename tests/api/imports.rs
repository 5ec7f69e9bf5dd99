//! Bulk imports through the API and the command line: exports re-import into an empty registry
//! with identical reads, bad files write nothing and name every bad line, imports are idempotent,
//! and the Atlas of Surveillance CSV maps onto forces, tools and sources.

use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::domain::{Role, SourceKind};
use surveillance_registry::store::sources::{self, SourceFields};
use surveillance_registry::store::write_transaction;

use crate::both_backends;
use crate::foi::record_2019_reply;
use crate::helpers::{error_fields, TestApp, TestDb};

async fn import(app: &TestApp, token: &str, query: &str, body: String) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(token)
        .header("Content-Type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn report(app: &TestApp, token: &str, query: &str, body: String) -> Value {
    let response = import(app, token, query, body).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

const ATLAS: &str = "AOSNUMBER,NEWAOSNUMBER (ORI9),City,County,State,Agency,Type of LEA,Summary,Type of Juris,Technology,TECH ABV,Vendor,Link 1,Link 1 Snapshot,Link 1 Source,Link 1 Type,Link 1 Date,Link 2,Link 2 Snapshot,Link 2 Source,Link 2 Type,Link 2 Date,Link 3,Link 3 Snapshot,Link 3 Source,Link 3 Type,Link 3 Date,Other Links
AOS1001,TX0000001,Austin,Travis,TX,Austin Police Department,Municipal Police,\"Austin police wear body cameras, per the city.\",City,Body-worn Cameras,BWC,Axon,https://example.org/austin-bwc,,City of Austin,Government,5/1/2019,,,,,,,,,,,
AOS1002,TX0000001,Austin,Travis,TX,Austin Police Department,Municipal Police,Austin uses license plate readers.,City,Automated License Plate Readers,ALPR,Unknown,https://example.org/austin-alpr,https://web.archive.org/x,Local News,News,2020-02-03,https://example.org/austin-alpr-2,,,News,,,,,,,
AOS2001,CA0000002,Fresno,Fresno,CA,Fresno County Sheriff's Office,Sheriff,Drones since 2018.,County,Drones,DRN,DJI,,,,,,,,,,,,,,,,
";

/// How many FOI requests the registry holds.
async fn foi_count(app: &TestApp) -> Value {
    app.get_json("/api/v1/foi-requests?limit=1&count=exact", StatusCode::OK)
        .await["total_count"]
        .clone()
}

/// Request `n` of a synthetic export: Kent asked about IMSI catchers, answered by neither
/// confirming nor denying, then an internal review.
fn foi_line(n: usize) -> Value {
    let id = |kind: u32| format!("0193c4a2-7d1e-7b3a-{kind:04x}-{n:012x}");
    json!({
        "id": id(1), "authority": "kent", "force": "kent", "campaign": null, "law": "foia",
        "title": format!("IMSI catchers, request {n}"), "reference_numbers": [format!("FOI/{n}")],
        "request_text": "Do you use IMSI catchers?", "sent_on": "2024-01-02", "received_on": "2024-01-02",
        "due_on": "2024-01-30", "extended_due_on": "2024-02-27", "working_days_taken": 19,
        "days_overdue": 0, "overdue": false, "late": false, "responded_on": "2024-01-29",
        "state": "rejected", "source_url": null, "reply_text": "We neither confirm nor deny.",
        "provenance": "foi",
        "answers": [
            {"id": id(2), "position": 1, "campaign_question": null, "question": "Do you use IMSI catchers?",
             "tools": ["imsi-catcher"], "outcome": "ncnd", "answer_text": "Neither confirmed nor denied.",
             "redirected_to": null, "deployments": [], "impact_assessments": [],
             "exemptions": [{"section": "s24(2)", "ncnd": true, "absolute": false},
                            {"section": "s31(3)", "ncnd": true, "absolute": false}]},
            {"id": id(3), "position": 2, "campaign_question": null, "question": "Which vendor?",
             "tools": ["imsi-catcher"], "outcome": "redirected", "answer_text": "", "redirected_to": "kent-pcc",
             "deployments": [], "impact_assessments": [], "exemptions": []}
        ],
        "stages": [{"id": id(4), "kind": "internal_review", "reference": null, "started_on": "2024-02-01",
                    "due_on": "2024-02-29", "decided_on": null, "result": null, "notes": ""}],
        "documents": [], "revision": 2,
        "created_at": "2024-01-02T09:00:00Z", "updated_at": "2024-01-29T16:30:00Z"
    })
}

both_backends! {
    async fn exports_reimport_into_an_empty_registry_with_identical_reads(db: TestDb) {
        let source = db.spawn().await;
        let editor = source.token_for(Role::Editor, &[]).await;
        record_2019_reply(&source, &editor).await;
        let cited = crate::deployments::write(&db, |conn| {
            write_transaction(conn, |conn| {
                sources::create(conn, &crate::deployments::stamp("2024-01-01"), &SourceFields {
                    url: Some("https://example.org/drones".into()),
                    archive_url: None,
                    title: "Drone unit launched".into(),
                    publisher: Some("Kent Police".into()),
                    kind: SourceKind::ForceStatement,
                    published_on: None,
                    retrieved_on: None,
                    sha256: None,
                    locator: None,
                    statement: None,
                })
            })
            .unwrap()
        })
        .await;
        let mut drones = Vec::new();
        for (force, status) in [("kent", "trial"), ("essex", "in_use")] {
            let body = json!({"force": force, "tool": "drones", "status": status, "vendors": ["DJI"], "summary": "Drone unit",
                "source_ids": [cited.id]});
            let response = source.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await;
            assert_eq!(response.status(), StatusCode::CREATED);
            drones.push(response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
        }
        let assessment = json!({"force": "kent", "kind": "dpia", "status": "published", "title": "Drone DPIA",
            "completed_on": "2023-01-01", "next_review_due": "2024-01-01", "deployment_ids": [drones[0]],
            "revealed_by_source_id": cited.id});
        let response = source.send(Method::POST, "/api/v1/impact-assessments", &editor, None, &assessment).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let assessment_path = response.headers()["location"].to_str().unwrap().to_owned();
        let letter: Vec<u8> = b"%PDF-1.4 the reply".iter().copied().chain([0u8, 255]).collect();
        let request_id = source.get_json("/api/v1/foi-requests", StatusCode::OK).await["items"][0]["id"].as_str().unwrap().to_owned();
        let response = source.client.post(source.url(&format!("/api/v1/foi-requests/{request_id}/documents?filename=reply.pdf")))
            .bearer_auth(&editor).header("Content-Type", "application/pdf").body(letter.clone()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let document_path = response.headers()["location"].to_str().unwrap().to_owned();
        let deployments = source.get("/api/v1/exports/deployments.ndjson").await.text().await.unwrap();
        let requests = source.get("/api/v1/exports/foi-requests.ndjson").await.text().await.unwrap();
        let campaigns = source.get("/api/v1/exports/campaigns.ndjson").await.text().await.unwrap();
        let cited_sources = source.get("/api/v1/exports/sources.ndjson").await.text().await.unwrap();
        let csv = source.get("/api/v1/exports/deployments.csv").await.text().await.unwrap();
        let assessments = source.get("/api/v1/exports/impact-assessments.ndjson").await.text().await.unwrap();
        let documents = source.get("/api/v1/exports/foi-documents.ndjson").await.text().await.unwrap();

        let target_db = TestDb::new(db.backend);
        let target = target_db.spawn().await;
        let admin = target.token_for(Role::Admin, &[]).await;
        let refused = import(&target, &admin, "", deployments.clone()).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "deployments cite sources the registry lacks");
        let first = report(&target, &admin, "", cited_sources).await;
        assert_eq!((first["kind"].clone(), first["created"].clone()), (json!("sources_ndjson"), json!(1)));
        let first = report(&target, &admin, "", deployments.clone()).await;
        assert_eq!(first["kind"], "deployments_ndjson");
        assert_eq!((first["rows"].clone(), first["created"].clone()), (json!(9), json!(9)));
        let first = report(&target, &admin, "", campaigns).await;
        assert_eq!((first["kind"].clone(), first["created"].clone()), (json!("campaigns_ndjson"), json!(1)));
        let first = report(&target, &admin, "", requests.clone()).await;
        assert_eq!((first["kind"].clone(), first["created"].clone()), (json!("foi_requests_ndjson"), json!(1)));
        let first = report(&target, &admin, "", assessments.clone()).await;
        assert_eq!((first["kind"].clone(), first["created"].clone()), (json!("assessments_ndjson"), json!(1)));
        let mut damaged: Value = serde_json::from_str(documents.lines().next().unwrap()).unwrap();
        damaged["content_base64"] = json!("AAAA");
        let refused = import(&target, &admin, "", format!("{damaged}\n")).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "a document whose bytes do not match its hash");
        let first = report(&target, &admin, "", documents.clone()).await;
        assert_eq!((first["kind"].clone(), first["created"].clone()), (json!("documents_ndjson"), json!(1)));
        let copied = target.get(&document_path).await.bytes().await.unwrap();
        assert_eq!(copied.as_ref(), letter.as_slice(), "the document comes back byte for byte");
        for path in ["/api/v1/deployments?limit=500", "/api/v1/foi-requests", "/api/v1/forces/cambridgeshire/profile",
                     "/api/v1/matrix", "/api/v1/campaigns/2019-surveillance-tools", &format!("/api/v1/sources/{}", cited.id),
                     "/api/v1/impact-assessments", &assessment_path, &format!("/api/v1/deployments/{}", drones[0]),
                     &format!("/api/v1/foi-requests/{request_id}"), "/api/v1/forces/kent/profile"] {
            // Reference data (the force itself) is loaded by each registry, not imported.
            let read = |mut body: Value| {
                body["force"].as_object_mut().map(|force| force.remove("updated_at"));
                body
            };
            assert_eq!(read(target.get_json(path, StatusCode::OK).await), read(source.get_json(path, StatusCode::OK).await), "GET {path}");
        }
        let again = report(&target, &admin, "", deployments).await;
        assert_eq!((again["created"].clone(), again["updated"].clone(), again["unchanged"].clone()), (json!(0), json!(0), json!(9)));
        let again = report(&target, &admin, "", requests).await;
        assert_eq!(again["unchanged"], 1);
        for file in [assessments, documents] {
            assert_eq!(report(&target, &admin, "", file).await["unchanged"], 1);
        }
        let again = report(&target, &admin, "", csv).await;
        assert_eq!((again["kind"].clone(), again["unchanged"].clone()), (json!("deployments_csv"), json!(9)));
        let feed = target.get_json("/api/v1/changes?limit=500", StatusCode::OK).await;
        assert_eq!(feed["items"].as_array().unwrap().len(), 13, "one event per imported record (a document is part of its request's), none for unchanged ones");
    }

    async fn a_file_with_bad_rows_imports_nothing_and_names_each_line(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let row = |id: &str, force: &str, status: &str| {
            json!({"id": id, "force": force, "tool": "drones", "status": status, "vendors": [], "product": null,
                "first_known_use": null, "last_confirmed": null, "ended_on": null, "summary": "", "legal_basis": null,
                "authorisation": null, "public_consultation": null, "use_policy_url": null, "provenance": "researched",
                "verified": false, "source_ids": [], "revision": 1,
                "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z"}).to_string()
        };
        let good = row("0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f", "kent", "in_use");
        let file = [
            good.clone(),
            row("0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e60", "atlantis", "in_use"),
            String::new(),
            row("0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e61", "kent", "everywhere"),
            "{not json".to_owned(),
        ]
        .join("\n");
        let response = import(&app, &editor, "", file).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["line 2", "line 4", "line 5"]);
        assert_eq!(app.get_json("/api/v1/deployments", StatusCode::OK).await["items"], json!([]));

        let dry = report(&app, &editor, "?dry_run=true", good.clone()).await;
        assert_eq!((dry["dry_run"].clone(), dry["created"].clone()), (json!(true), json!(1)));
        assert_eq!(app.get_json("/api/v1/deployments", StatusCode::OK).await["items"], json!([]), "a dry run writes nothing");
        let done = report(&app, &editor, "", good).await;
        assert_eq!(done["created"], 1);
        let read = app.get_json("/api/v1/deployments/0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f", StatusCode::OK).await;
        assert_eq!(read["updated_at"], "2024-01-02T00:00:00Z");

        let unknown = import(&app, &editor, "", "name,age\nx,1\n".into()).await;
        assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
        // Exports written for reading say so, and name the file to import instead.
        for (export, instead) in [
            ("foi-answers.csv", "foi-requests.ndjson"),
            ("matrix.ndjson", "deployments.ndjson"),
            ("sources.csv", "sources.ndjson"),
        ] {
            let file = app.get(&format!("/api/v1/exports/{export}")).await.text().await.unwrap();
            let response = import(&app, &editor, "", file).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{export}");
            let problem: Value = response.json().await.unwrap();
            assert_eq!(error_fields(&problem), ["body"]);
            let message = problem["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(export) && message.contains(instead), "{message}");
        }
        let staff = app.token_for(Role::ForceStaff, &["kent"]).await;
        assert_eq!(import(&app, &staff, "", "{}".into()).await.status(), StatusCode::FORBIDDEN);
        let anonymous = app.client.post(app.url("/api/v1/imports")).body("{}").send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    }

    async fn a_large_foi_file_is_written_whole_or_not_at_all(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        // 1,500 requests: two batches of the importer, so a failure in the second undoes the first.
        let lines: Vec<Value> = (0..1500).map(foi_line).collect();
        let file = |lines: &[Value]| lines.iter().map(|l| format!("{l}\n")).collect::<String>();

        let mut bad_last = lines.clone();
        bad_last[1499]["authority"] = json!("atlantis");
        let response = import(&app, &editor, "", file(&bad_last)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["line 1500"]);
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("atlantis"), "{problem}");
        assert_eq!(foi_count(&app).await, 0, "a bad last line writes nothing");

        // An answer id that the last request shares with the first passes every row's checks and
        // fails only when the second batch is written: the first batch is rolled back with it.
        let mut clash = lines.clone();
        clash[1499]["answers"][0]["id"] = lines[0]["answers"][0]["id"].clone();
        let response = import(&app, &editor, "", file(&clash)).await;
        assert!(response.status().is_client_error(), "{}", response.status());
        assert_eq!(foi_count(&app).await, 0, "a failure while writing the second batch writes nothing");

        let dry = report(&app, &editor, "?dry_run=true", file(&lines)).await;
        assert_eq!((dry["created"].clone(), dry["dry_run"].clone()), (json!(1500), json!(true)));
        assert_eq!(foi_count(&app).await, 0, "a dry run writes nothing");

        let done = report(&app, &editor, "", file(&lines)).await;
        assert_eq!((done["rows"].clone(), done["created"].clone()), (json!(1500), json!(1500)));
        assert_eq!(foi_count(&app).await, 1500);
        let last = lines[1499]["id"].as_str().unwrap();
        let read = app.get_json(&format!("/api/v1/foi-requests/{last}"), StatusCode::OK).await;
        for field in ["answers", "stages", "due_on", "reference_numbers", "created_at", "updated_at", "revision"] {
            assert_eq!(read[field], lines[1499][field], "{field}");
        }
        let history = app.get_json(&format!("/api/v1/foi-requests/{last}/revisions"), StatusCode::OK).await;
        let snapshot = &history["items"][0]["snapshot"];
        assert_eq!(snapshot["answers"], read["answers"], "the revision holds what reads show");
        let found = app.get_json("/api/v1/foi-requests?exemption=s31(3)&limit=500", StatusCode::OK).await;
        assert_eq!(found["items"].as_array().unwrap().len(), 500, "exemptions are written and filter");
        let searched = app.get_json("/api/v1/search?q=catchers", StatusCode::OK).await;
        assert!(!searched["items"].as_array().unwrap().is_empty(), "answers are searchable: {searched}");

        let again = report(&app, &editor, "", file(&lines)).await;
        assert_eq!((again["created"].clone(), again["unchanged"].clone()), (json!(0), json!(1500)));
    }

    async fn the_atlas_of_surveillance_maps_onto_forces_tools_and_sources(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let first = report(&app, &editor, "", ATLAS.to_owned()).await;
        assert_eq!(first["kind"], "atlas_csv");
        assert_eq!((first["created"].clone(), first["forces_created"].clone()), (json!(3), json!(2)));
        let austin = app.get_json("/api/v1/forces/austin-police-department-tx", StatusCode::OK).await;
        assert_eq!((austin["country"].clone(), austin["region"].clone(), austin["kind"].clone()), (json!("US"), json!("TX"), json!("territorial")));
        let alpr = app.get_json("/api/v1/deployments?force=austin-police-department-tx&tool=anpr", StatusCode::OK).await;
        let alpr = &alpr["items"][0];
        assert_eq!((alpr["status"].clone(), alpr["vendors"].clone()), (json!("in_use"), json!([])));
        assert_eq!(alpr["last_confirmed"], "2020-02-03");
        let detail = app.get_json(&format!("/api/v1/deployments/{}", alpr["id"].as_str().unwrap()), StatusCode::OK).await;
        let evidence = detail["evidence"].as_array().unwrap();
        assert_eq!(evidence.len(), 2);
        assert!(evidence.iter().any(|s| s["archive_url"] == "https://web.archive.org/x" && s["kind"] == "media"));
        let bwv = app.get_json("/api/v1/deployments?force=austin-police-department-tx&tool=body-worn-video", StatusCode::OK).await;
        assert_eq!(bwv["items"][0]["vendors"], json!(["Axon"]));

        let again = report(&app, &editor, "", ATLAS.to_owned()).await;
        assert_eq!((again["unchanged"].clone(), again["forces_created"].clone()), (json!(3), json!(0)));

        let bad = format!("{ATLAS}AOS3001,,Reno,Washoe,NV,Reno Police Department,Municipal Police,,City,Mind Reading,MR,,,,,,,,,,,,,,,,,\nAOS3002,,,,,Nowhere PD,,,,Drones,,,,,,,,,,,,,,,,,,\n");
        let response = import(&app, &editor, "", bad).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["line 5", "line 6"]);
        app.get_problem("/api/v1/forces/reno-police-department-nv", StatusCode::NOT_FOUND).await;
    }
}

#[test]
fn the_command_line_imports_with_a_dry_run_and_reports_bad_lines() {
    let db = TestDb::new(crate::helpers::Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("atlas.csv");
    std::fs::write(&file, ATLAS).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
            .args(args)
            .env("DATABASE_URL", db.url.to_string())
            .env("REGISTRY_WITHOUT_PUBLIC_DATA", "true")
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let path = file.to_str().unwrap();
    let dry = run(&["import", path, "--dry-run"]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        stdout.starts_with("dry run, nothing written: 3 rows: 3 created"),
        "{stdout}"
    );
    let real = run(&["import", path]);
    assert!(String::from_utf8_lossy(&real.stdout).starts_with("3 rows: 3 created"));
    let again = run(&["import", path]);
    assert!(String::from_utf8_lossy(&again.stdout)
        .starts_with("3 rows: 0 created, 0 updated, 3 unchanged"));

    std::fs::write(
        &file,
        format!("{ATLAS}AOS9,,,,NV,Reno PD,,,,Mind Reading,,,,,,,,,,,,,,,,,,\n"),
    )
    .unwrap();
    let bad = run(&["import", path]);
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains(&format!("{path}:5: the technology `Mind Reading`")),
        "{stderr}"
    );
}
