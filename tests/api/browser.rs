//! The web pages in a real browser: headless Chromium driven through WebDriver (chromedriver), on
//! data recorded through the API. A reader's path from the matrix to an FOI reply's document, the
//! search, campaign and history forms, axe-core's accessibility rules on every page type, and the
//! skip link as the first thing the keyboard reaches. Each page type is screenshotted into
//! `target/browser-screenshots/` (CI keeps them as artefacts).
//!
//! These need Debian's `chromium` and `chromium-driver` and the pinned axe-core, which
//! `.ci/install-browser-tools` installs; they are ignored otherwise (so they show as skipped, never
//! as passed) and CI runs them with `cargo test -- --include-ignored`. `CHROMEDRIVER`, `CHROMIUM`
//! and `AXE_CORE_JS` override where they are looked for.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, TestDb};
use crate::web::{page_paths, seed, Seeded};

/// A chromedriver and the Chromium session it drives; both end when this is dropped.
struct Browser {
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

fn axe_source() -> String {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join(".ci/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core at {} ({e}): run .ci/install-browser-tools",
            path.display()
        )
    })
}

impl Browser {
    async fn start() -> Self {
        let port = free_port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver runs (install it with .ci/install-browser-tools)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver listens"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("a profile folder");
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": binary,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-GB",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Self {
            client: Some(client),
            driver,
            _profile: profile,
        }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("an open session")
    }

    async fn goto(&self, app: &TestApp, path: &str) {
        self.client()
            .goto(&app.url(path))
            .await
            .expect("the page loads");
    }

    async fn path(&self) -> String {
        let url = self.client().current_url().await.unwrap();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The path once a form submission has navigated away from `from` (submitting does not wait
    /// for the next page; on a loaded machine it can take a moment).
    async fn path_after_leaving(&self, from: &str) -> String {
        for _ in 0..100 {
            let path = self.path().await;
            if path != from {
                // The new document is current; wait until it has loaded.
                let _ = self.client().find(Locator::Css("footer")).await;
                return path;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.path().await
    }

    async fn heading(&self) -> String {
        self.client()
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn click(&self, css: &str) {
        let element = self
            .client()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} is on the page: {e}"));
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("{css} can be clicked: {e}"));
    }

    /// A screenshot of the whole page (up to 6000 pixels tall).
    async fn screenshot(&self, name: &str) {
        let client = self.client();
        // No focus ring left over from the keyboard checks.
        client
            .execute(
                "if (document.activeElement) { document.activeElement.blur(); }",
                vec![],
            )
            .await
            .unwrap();
        let height = client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(1000)
            .clamp(600, 6000) as u32;
        client.set_window_size(1280, height).await.unwrap();
        let png = client.screenshot().await.expect("a screenshot");
        std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
        client.set_window_size(1280, 1000).await.unwrap();
    }

    /// Runs axe-core on the page and fails on any serious or critical violation.
    async fn assert_accessible(&self, axe: &str, what: &str) {
        let client = self.client();
        client.execute(axe, vec![]).await.expect("axe-core loads");
        let result = client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']})
                  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
                  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));"#,
                vec![],
            )
            .await
            .expect("axe-core runs");
        let grave: Vec<&Value> = result
            .as_array()
            .expect("a list of violations")
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        if result.as_array().is_some_and(|v| !v.is_empty()) {
            eprintln!("axe-core on {what}, minor or moderate: {result}");
        }
        assert!(
            grave.is_empty(),
            "{what}: serious or critical accessibility violations: {grave:#?}"
        );
    }

    /// The first element the Tab key reaches.
    async fn first_tab_stop(&self) -> Element {
        let client = self.client();
        client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .send_keys("\u{e004}")
            .await
            .unwrap();
        let active = client.active_element().await.unwrap();
        Element {
            class: active.attr("class").await.unwrap().unwrap_or_default(),
            href: active.attr("href").await.unwrap().unwrap_or_default(),
        }
    }
}

struct Element {
    class: String,
    href: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Ends the session (and its Chromium) before the driver goes.
            let _ = futures_executor(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Runs a future to completion from `Drop`, on the test's multi-threaded runtime.
fn futures_executor<F: std::future::Future>(future: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future))
}

async fn seeded_app() -> (TestDb, TestApp, Seeded) {
    let db = TestDb::new(Backend::Sqlite);
    let app = db.spawn().await;
    let seeded = seed(&app).await;
    (db, app, seeded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver"]
async fn a_reader_follows_the_matrix_to_a_claim_its_evidence_and_the_foi_reply() {
    let (_db, app, seeded) = seeded_app().await;
    let browser = Browser::start().await;
    browser.goto(&app, "/").await;
    assert_eq!(
        browser.heading().await,
        "Which surveillance tools do UK police forces use?"
    );
    let cell = browser
        .client()
        .find(Locator::Css(
            r##"table.matrix a[href="/forces/cambridgeshire#tool-body-worn-video"]"##,
        ))
        .await
        .expect("the matrix cell");
    assert!(
        cell.text().await.unwrap().contains("In use"),
        "the cell says its status in words"
    );
    let matrix = browser
        .client()
        .find(Locator::Css("table.matrix"))
        .await
        .unwrap();
    std::fs::write(
        screenshot_dir().join("matrix.png"),
        matrix.screenshot().await.unwrap(),
    )
    .unwrap();
    cell.click().await.unwrap();
    assert_eq!(browser.heading().await, "Cambridgeshire Constabulary");
    assert_eq!(browser.path().await, "/forces/cambridgeshire");
    // The tool's row leads to its claims; a claim to its own page.
    browser
        .click(r##"#tool-body-worn-video a[href="#claims-body-worn-video"]"##)
        .await;
    browser
        .click(&format!(
            r#"#claims-body-worn-video a[href="/deployments/{}"]"#,
            seeded.body_worn_video
        ))
        .await;
    assert_eq!(
        browser.path().await,
        format!("/deployments/{}", seeded.body_worn_video)
    );
    assert_eq!(
        browser.heading().await,
        "Cambridgeshire Constabulary: Body-worn video"
    );
    browser.screenshot("deployment").await;
    // The evidence: the FOI answer behind the claim, and from it the reply and its document.
    browser
        .click(&format!(
            r#".answers a[href^="/foi-requests/{}"]"#,
            seeded.foi_request
        ))
        .await;
    assert_eq!(
        browser.path().await,
        format!("/foi-requests/{}", seeded.foi_request)
    );
    let link = browser
        .client()
        .find(Locator::Css(".documents a"))
        .await
        .expect("a document to download");
    let href = link.attr("href").await.unwrap().expect("an href");
    assert_eq!(
        href,
        format!(
            "/api/v1/foi-requests/{}/documents/{}",
            seeded.foi_request, seeded.document
        )
    );
    let download = app.get(&href).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert!(download.text().await.unwrap().contains("Cambridgeshire"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver"]
async fn search_campaign_and_history_forms_submit_as_plain_get_requests() {
    let (_db, app, seeded) = seeded_app().await;
    let browser = Browser::start().await;
    let client = browser.client();
    // Search from the box every page has.
    browser.goto(&app, "/forces").await;
    let form = client.form(Locator::Css("form.site-search")).await.unwrap();
    form.set_by_name("q", "body worn video").await.unwrap();
    form.submit().await.unwrap();
    assert_eq!(
        browser.path_after_leaving("/forces").await,
        "/search?q=body+worn+video"
    );
    let marks = client
        .find_all(Locator::Css(".snippet mark"))
        .await
        .unwrap();
    assert!(!marks.is_empty(), "matches are highlighted");
    assert!(
        client.find(Locator::Css(".facets")).await.is_ok(),
        "counts by type"
    );
    browser.screenshot("search").await;

    // The campaign: its progress and its chart.
    browser.goto(&app, "/campaigns").await;
    browser
        .click(r#"a[href="/campaigns/2019-surveillance-tools"]"#)
        .await;
    assert_eq!(
        browser.heading().await,
        "What police surveillance tools are in use in our community?"
    );
    client
        .find(Locator::Css("svg[role=img] title"))
        .await
        .expect("the outcomes chart");
    browser.screenshot("campaign").await;

    // The force's history: the date picker, then the comparison, by submitting the form.
    browser.goto(&app, "/forces/kent").await;
    let form = client.form(Locator::Css("form.filters")).await.unwrap();
    form.set_by_name("as_of", "2020-01-01").await.unwrap();
    form.submit().await.unwrap();
    assert_eq!(
        browser.path_after_leaving("/forces/kent").await,
        "/forces/kent?as_of=2020-01-01&compare_to="
    );
    let notice = client
        .find(Locator::Css(".notice"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notice.contains("as it was on 2020-01-01"), "{notice}");
    browser.screenshot("force-as-of").await;
    let form = client.form(Locator::Css("form.filters")).await.unwrap();
    form.set_by_name("as_of", "").await.unwrap();
    form.set_by_name("compare_to", "2020-01-01").await.unwrap();
    form.submit().await.unwrap();
    assert_eq!(
        browser
            .path_after_leaving("/forces/kent?as_of=2020-01-01&compare_to=")
            .await,
        "/forces/kent?as_of=&compare_to=2020-01-01"
    );
    let compare = client
        .find(Locator::Css("table.compare"))
        .await
        .expect("the comparison");
    let text = compare.text().await.unwrap();
    assert!(
        text.contains("Drones") && text.contains("Not researched → Trial"),
        "{text}"
    );
    browser.screenshot("force-compare").await;
    // The claim is one click from the comparison.
    browser
        .click(r##"table.compare a[href="#tool-drones"]"##)
        .await;
    browser
        .click(&format!(
            r#"#claims-drones a[href="/deployments/{}"]"#,
            seeded.deployment
        ))
        .await;
    let diff = client
        .find(Locator::Css("table.diff"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(diff.contains("In use") && diff.contains("Trial"), "{diff}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver"]
async fn every_page_type_passes_axe_and_starts_with_the_skip_link() {
    let (_db, app, seeded) = seeded_app().await;
    let axe = axe_source();
    let browser = Browser::start().await;
    let mut pages: Vec<(String, String)> = page_paths(&seeded)
        .into_iter()
        .map(|path| {
            let name = match path.as_str() {
                "/" => "home".to_owned(),
                p if p.starts_with("/?") => "home-filtered".to_owned(),
                p if p.starts_with("/forces/kent") => "force-history".to_owned(),
                "/forces/cambridgeshire" => "force".to_owned(),
                p if p.starts_with("/deployments/") => "deployment".to_owned(),
                p if p.ends_with(&seeded.appealed) => "foi-request-under-review".to_owned(),
                p if p.starts_with("/foi-requests/") => "foi-request".to_owned(),
                p if p.starts_with("/foi-requests?") => "foi-requests-filtered".to_owned(),
                p if p.starts_with("/search?") => "search-results".to_owned(),
                p if p.starts_with("/campaigns/") => "campaign".to_owned(),
                p if p.starts_with("/tools/") => "tool".to_owned(),
                p => p.trim_start_matches('/').replace('/', "-"),
            };
            (name, path)
        })
        .collect();
    pages.push(("not-found".into(), "/forces/atlantis".into()));
    pages.push(("bad-request".into(), "/forces/kent?as_of=yesterday".into()));
    for (name, path) in &pages {
        browser.goto(&app, path).await;
        let first = browser.first_tab_stop().await;
        assert!(
            first.class == "skip-link" && first.href.ends_with("#main"),
            "{path}: the skip link is the first thing the keyboard reaches (got class {:?})",
            first.class
        );
        browser.assert_accessible(&axe, path).await;
        browser.screenshot(name).await;
    }
}
