//! The web pages from the outside: every page type answers HTML with the security headers,
//! escapes what was stored, reads history, and fails as an HTML page.

use std::io::Write;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::demo::CAMBRIDGESHIRE_LETTER;
use surveillance_registry::domain::Role;

use crate::both_backends;
use crate::foi::record_2019_reply;
use crate::helpers::{error_fields, TestApp, TestDb};

pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// A stored value that would run if a page did not escape it.
pub const HOSTILE: &str = "<script>alert(1)</script>";
const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

/// What [`seed`] recorded.
pub struct Seeded {
    /// The real 2019 Cambridgeshire OPCC reply, with its letter attached as a document.
    pub foi_request: String,
    pub document: String,
    /// Kent's drones: created in use with a hostile summary and source, then changed to trial.
    pub deployment: String,
    /// Cambridgeshire's body-worn video, set in use by the 2019 reply.
    pub body_worn_video: String,
    /// Kent's IMSI catcher request: NCND, under internal review, overdue.
    pub appealed: String,
}

/// Records, through the API, the data every page type needs.
pub async fn seed(app: &TestApp) -> Seeded {
    let editor = app.token_for(Role::Editor, &[]).await;
    let foi_request = record_2019_reply(app, &editor).await;
    let upload = app
        .client
        .post(app.url(&format!(
            "/api/v1/foi-requests/{foi_request}/documents?filename=reply-2019-07-04.txt"
        )))
        .bearer_auth(&editor)
        .header("Content-Type", "text/plain")
        .body(CAMBRIDGESHIRE_LETTER)
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::CREATED);
    let document: Value = upload.json().await.unwrap();

    let source = app
        .send(
            Method::POST,
            "/api/v1/sources",
            &editor,
            None,
            &json!({"title": format!("Drone report {HOSTILE}"), "url": "https://example.org/drones",
                    "kind": "media", "publisher": "Example News", "published_on": "2018-06-01"}),
        )
        .await;
    assert_eq!(source.status(), StatusCode::CREATED);
    let source: Value = source.json().await.unwrap();
    let mut claim = json!({
        "force": "kent", "tool": "drones", "status": "in_use", "vendors": ["DJI"],
        "product": "Matrice 300", "first_known_use": "2018-05-01", "summary": HOSTILE,
        "source_ids": [source["id"]]
    });
    let created = app
        .send(Method::POST, "/api/v1/deployments", &editor, None, &claim)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let deployment: Value = created.json().await.unwrap();
    let deployment = deployment["id"].as_str().unwrap().to_owned();
    claim["status"] = json!("trial");
    let updated = app
        .send(
            Method::PUT,
            &format!("/api/v1/deployments/{deployment}"),
            &editor,
            Some(&etag),
            &claim,
        )
        .await;
    assert_eq!(updated.status(), StatusCode::OK);

    // A request to Kent, refused under NCND, under internal review and unanswered since.
    let appealed = app
        .send(
            Method::POST,
            "/api/v1/foi-requests",
            &editor,
            None,
            &json!({
                "authority": "kent", "title": "Use of IMSI catchers", "received_on": "2024-03-04",
                "state": "internal_review",
                "answers": [{"question": "Do you use IMSI catchers?", "tools": ["imsi-catcher"],
                             "outcome": "ncnd", "exemptions": [{"section": "s31(3)", "ncnd": true}]}],
                "stages": [{"kind": "internal_review", "started_on": "2024-04-10",
                            "notes": "Asked for a review of the NCND response."}]
            }),
        )
        .await;
    assert_eq!(appealed.status(), StatusCode::CREATED);
    let appealed: Value = appealed.json().await.unwrap();

    let bwv = app
        .get_json(
            "/api/v1/deployments?force=cambridgeshire&tool=body-worn-video",
            StatusCode::OK,
        )
        .await;
    Seeded {
        foi_request,
        document: document["id"].as_str().unwrap().to_owned(),
        deployment,
        body_worn_video: bwv["items"][0]["id"].as_str().unwrap().to_owned(),
        appealed: appealed["id"].as_str().unwrap().to_owned(),
    }
}

/// Every page type, at an address that has something to show.
pub fn page_paths(seeded: &Seeded) -> Vec<String> {
    vec![
        "/".into(),
        "/?nation=wales&tool=drones".into(),
        "/forces".into(),
        "/forces/cambridgeshire".into(),
        "/forces/kent?as_of=2020-01-01&compare_to=2019-01-01".into(),
        "/tools".into(),
        "/tools/drones".into(),
        format!("/deployments/{}", seeded.deployment),
        "/foi-requests".into(),
        "/foi-requests?campaign=2019-surveillance-tools&exemption=s31".into(),
        format!("/foi-requests/{}", seeded.foi_request),
        format!("/foi-requests/{}", seeded.appealed),
        "/campaigns".into(),
        "/campaigns/2019-surveillance-tools".into(),
        "/search?q=body+worn+video".into(),
        "/search".into(),
    ]
}

/// GETs a page, asserts it is HTML with `status` and the security headers, and returns its text.
pub async fn page(app: &TestApp, path: &str, status: StatusCode) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), status, "GET {path}");
    let headers = response.headers();
    assert_eq!(
        headers["content-type"], "text/html; charset=utf-8",
        "GET {path}"
    );
    assert_eq!(headers["content-security-policy"], CSP, "GET {path}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "GET {path}");
    assert_eq!(
        headers["referrer-policy"], "strict-origin-when-cross-origin",
        "GET {path}"
    );
    response.text().await.unwrap()
}

fn gzipped_len(body: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body).unwrap();
    encoder.finish().unwrap().len()
}

both_backends! {
    async fn every_page_type_is_html_with_the_security_headers(db: TestDb) {
        let app = db.spawn().await;
        let seeded = seed(&app).await;
        for path in page_paths(&seeded) {
            let html = page(&app, &path, StatusCode::OK).await;
            assert!(html.starts_with("<!doctype html>"), "{path}");
            assert!(html.contains(r#"<html lang="en">"#), "{path}");
            assert!(html.contains(r##"<a class="skip-link" href="#main">"##), "{path}: a skip link");
            assert!(html.contains(r#"<main id="main""#), "{path}: the skip link's target");
            assert!(html.contains(r#"<link rel="canonical" href="/"#), "{path}: a canonical URL");
            assert!(html.contains(r#"property="og:title""#) && html.contains(r#"name="twitter:description""#), "{path}: social meta tags");
            assert!(html.contains(r#"type="application/atom+xml""#), "{path}: a feed");
            assert!(html.contains("Report a correction"), "{path}: the footer");
            assert!(!html.contains("<script"), "{path}: no script at all");
            assert!(!html.contains("style=\""), "{path}: no inline style (the CSP forbids it)");
            assert!(!html.contains("http://") && !html.contains("src=\"https://"), "{path}: nothing from another host");
            if path != "/search" {
                assert!(html.contains(r#"href="/api/v1/"#), "{path}: the same data from the API");
            }
            assert!(gzipped_len(html.as_bytes()) < 100 * 1024, "{path} weighs under 100 KB gzipped");
        }
        // The matrix links every cell to the force's tool, and each cell says its status in words.
        let home = page(&app, "/", StatusCode::OK).await;
        assert!(home.contains(r##"href="/forces/kent#tool-drones""##));
        assert!(home.contains(r#"<th scope="col" class="tool-head">"#) && home.contains(r#"<th scope="row">"#));
        assert!(home.contains("/api/v1/exports/"), "downloads");
        assert!(home.contains(r#"href="/docs/""#), "the API documentation");
        let wales = page(&app, "/?nation=wales", StatusCode::OK).await;
        assert!(wales.contains("Gwent Police") && !wales.contains("Kent Police"), "the nation filter");
        assert!(wales.contains(r#"<option value="wales" selected>"#));
        let south_east = page(&app, "/?region=South+East", StatusCode::OK).await;
        assert!(south_east.contains("Kent Police") && !south_east.contains("Gwent Police"), "the region filter");
        assert!(south_east.contains(r#"<option value="South East" selected>"#));
        let drones = page(&app, "/?tool=drones", StatusCode::OK).await;
        assert!(drones.contains("◐</span> Trial"), "Kent's drones cell: symbol and word");
        assert!(drones.contains(r#"href="/api/v1/matrix.csv?tool=drones""#), "the same view as CSV");

        // The claim's page: evidence with its source link and date, and each revision's changes.
        let claim = page(&app, &format!("/deployments/{}", seeded.deployment), StatusCode::OK).await;
        assert!(claim.contains(r#"<a href="https://example.org/drones">"#));
        assert!(claim.contains("published 1 June 2018"));
        assert!(claim.contains("<del>In use</del>") && claim.contains("<ins>Trial</ins>"), "revision 2 changed the status");
        assert!(claim.contains("Revision 2") && claim.contains("Revision 1"));

        // The FOI request: timeline, outcomes, exemptions, document download, the campaign.
        let foi = page(&app, &format!("/foi-requests/{}", seeded.foi_request), StatusCode::OK).await;
        for expected in ["Received", "Reply due", "Responded", "13 June 2019", "11 July 2019", "4 July 2019",
                         "Partially disclosed", "Not a valid request", "Not held", "19-040-043"] {
            assert!(foi.contains(expected), "the FOI page shows {expected}");
        }
        assert!(foi.contains(&format!(
            r#"href="/api/v1/foi-requests/{}/documents/{}""#,
            seeded.foi_request, seeded.document
        )), "the document's download link");
        assert!(foi.contains(r#"href="/campaigns/2019-surveillance-tools""#));
        let appealed = page(&app, &format!("/foi-requests/{}", seeded.appealed), StatusCode::OK).await;
        for expected in ["Internal review asked for", "Internal review due", "Asked for a review of the NCND response.",
                         "s31(3)", "NCND: neither confirms nor denies", "Overdue"] {
            assert!(appealed.contains(expected), "the appealed request shows {expected}");
        }
        let body_worn = page(&app, &format!("/deployments/{}", seeded.body_worn_video), StatusCode::OK).await;
        assert!(body_worn.contains(&format!("/foi-requests/{}", seeded.foi_request)), "the claim cites the FOI answer");

        let campaign = page(&app, "/campaigns/2019-surveillance-tools", StatusCode::OK).await;
        assert!(campaign.contains("<svg") && campaign.contains("<title id=\"outcomes-title\">"), "the outcomes chart");
        assert!(campaign.contains("Cambridgeshire and Peterborough"), "progress per authority");
        let tool = page(&app, "/tools/drones", StatusCode::OK).await;
        assert!(tool.contains("<desc id=\"adoption-desc\">") && tool.contains("2018: 1"), "the adoption chart and its text");
        assert!(tool.contains("England"), "forces grouped by nation");

        let search = page(&app, "/search?q=body+worn+video", StatusCode::OK).await;
        assert!(search.contains("<mark>"), "matches are highlighted");
        assert!(search.contains("results for"));
        // Paging by the API's cursor, bound to the page's own filters.
        let first = page(&app, "/foi-requests?limit=1", StatusCode::OK).await;
        let start = first.find(r#"href="/foi-requests?limit=1&amp;cursor="#).expect("a next page");
        let next = &first[start + 6..];
        let next = next[..next.find('"').unwrap()].replace("&amp;", "&");
        assert!(first.contains(r#"rel="next""#));
        let second = page(&app, &next, StatusCode::OK).await;
        let ids = [&seeded.foi_request, &seeded.appealed];
        let on = |html: &str| ids.iter().filter(|id| html.contains(&format!("/foi-requests/{id}"))).count();
        assert_eq!((on(&first), on(&second)), (1, 1), "one request on each page");
        let foi_list = page(&app, "/foi-requests?campaign=2019-surveillance-tools", StatusCode::OK).await;
        assert!(foi_list.contains(&format!("/foi-requests/{}", seeded.foi_request)));
        assert!(foi_list.contains(r#"href="/api/v1/foi-requests?campaign=2019-surveillance-tools""#));
    }

    async fn stored_markup_is_escaped(db: TestDb) {
        let app = db.spawn().await;
        let seeded = seed(&app).await;
        for path in [
            format!("/deployments/{}", seeded.deployment),
            "/forces/kent".to_owned(),
            "/forces/kent?compare_to=2020-01-01".to_owned(),
        ] {
            let html = page(&app, &path, StatusCode::OK).await;
            assert!(html.contains(ESCAPED), "{path} shows the stored text, escaped");
            assert!(!html.contains(HOSTILE), "{path} never sends it as markup");
        }
        // Only the search's own highlighting is markup in a snippet. (SQLite's snippet keeps the
        // stored text, marks added; PostgreSQL's parser reads `<script>` as a tag and
        // indexes none of it.)
        let search = page(&app, "/search?q=alert", StatusCode::OK).await;
        assert!(!search.contains("<script"));
        if matches!(db.backend, crate::helpers::Backend::Sqlite) {
            assert!(search.contains(&format!("/deployments/{}", seeded.deployment)), "the claim is found");
            assert!(search.contains("&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"));
        }
    }

    async fn missing_pages_and_bad_values_are_html_errors(db: TestDb) {
        let app = db.spawn().await;
        for path in ["/nope", "/forces/atlantis", "/tools/tricorder", "/campaigns/none",
                     "/deployments/0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
                     "/foi-requests/0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f"] {
            let html = page(&app, path, StatusCode::NOT_FOUND).await;
            assert!(html.contains("Page not found"), "{path}");
        }
        for (path, field) in [
            ("/forces/kent?as_of=yesterday", "as_of"),
            ("/forces/kent?compare_to=2020-13-45", "compare_to"),
            ("/?nation=mars", "nation"),
            ("/foi-requests?overdue=maybe", "overdue"),
            ("/foi-requests?cursor=forged", "cursor"),
            ("/forces?bogus=1", "bogus"),
            ("/deployments/not-an-id", "id"),
            ("/search?q=%21%21", "q"),
            ("/search?q=body%01worn", "q"),
            ("/forces/kent?as_of=2020%00", "as_of"),
        ] {
            let html = page(&app, path, StatusCode::BAD_REQUEST).await;
            assert!(html.contains(&format!("<code>{field}</code>")), "{path} names `{field}`");
        }
        let post = app.client.post(app.url("/forces/kent")).send().await.unwrap();
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(post.headers()["allow"], "GET, HEAD");
        assert_eq!(post.headers()["content-security-policy"], CSP);
        // The API keeps its problem documents.
        app.get_problem("/api/v1/forces/atlantis", StatusCode::NOT_FOUND).await;
        app.get_problem("/api/v1/no-such-thing", StatusCode::NOT_FOUND).await;
        let control = app.get_problem("/api/v1/search?q=body%01worn", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&control), ["q"]);
    }

    async fn a_force_reads_as_it_was_and_compares_two_dates(db: TestDb) {
        let app = db.spawn().await;
        let seeded = seed(&app).await;
        let now = page(&app, "/forces/kent", StatusCode::OK).await;
        assert!(now.contains(r#"id="tool-drones""#) && now.contains(&format!("/deployments/{}", seeded.deployment)));
        assert!(now.contains(r#"<input id="as-of" name="as_of" type="date""#), "the date picker");
        // Before anything was recorded, Kent's drones were not researched.
        let then = page(&app, "/forces/kent?as_of=2020-01-01", StatusCode::OK).await;
        assert!(then.contains("as it was on 2020-01-01"));
        assert!(!then.contains(r#"id="claims-drones""#) && !then.contains(r#"id="tool-drones"><th"#), "no claim existed then");
        assert!(then.contains(r#"value="2020-01-01""#), "the picker shows the date read");
        // Comparing: the tools whose status or claims differ.
        let compared = page(&app, "/forces/kent?compare_to=2020-01-01", StatusCode::OK).await;
        let start = compared.find("What changed between").expect("a comparison");
        let table = &compared[start..start + compared[start..].find("</table>").expect("a table")];
        assert!(table.contains("Drones"));
        assert!(table.contains("status: Not researched → Trial"));
        assert!(!table.contains("Body-worn video"), "only the tools that differ");
        let nothing = page(&app, "/forces/kent?as_of=2019-06-01&compare_to=2020-01-01", StatusCode::OK).await;
        assert!(nothing.contains("Nothing differs between these dates."));
        // The claim itself, as it was.
        let before = app.get(&format!("/deployments/{}?as_of=2020-01-01", seeded.deployment)).await;
        assert_eq!(before.status(), StatusCode::NOT_FOUND);
    }

    async fn pages_are_cached_and_the_stylesheet_is_versioned(db: TestDb) {
        let app = db.spawn().await;
        let first = app.get("/forces/kent").await;
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let html = first.text().await.unwrap();
        let again = app.client.get(app.url("/forces/kent")).header("If-None-Match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()["content-security-policy"], CSP);
        let start = html.find("/static/site.css?v=").expect("the stylesheet's versioned URL");
        let href = &html[start..html[start..].find('"').unwrap() + start];
        let css = app.get(href).await;
        assert_eq!(css.status(), StatusCode::OK);
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        assert!(css.headers()["cache-control"].to_str().unwrap().contains("immutable"));
        assert!(css.text().await.unwrap().contains(":focus-visible"), "a visible focus");
        // The spec lists the API only.
        let spec = app.get_json("/api/v1/openapi.json", StatusCode::OK).await;
        assert!(spec["paths"].as_object().unwrap().keys().all(|p| p.starts_with("/api/") || !p.contains("forces")));
    }
}
