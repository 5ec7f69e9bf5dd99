//! What operators rely on: a database that cannot be written is refused at start and reported by
//! `/readyz`, and `/metrics` counts what the instance does.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::db::DbConnection;
use surveillance_registry::domain::Role;
use surveillance_registry::writable;

use crate::both_backends;
use crate::helpers::{Backend, TestDb};

/// Runs the binary with `args` on `database_url`, as an unprivileged user when the tests run as
/// root (root writes through any permission bits, so only another user sees them).
fn run_unprivileged(database_url: &str, args: &[&str]) -> std::process::Output {
    let binary = env!("CARGO_BIN_EXE_surveillance-registry");
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut command = if root {
        let mut setpriv = Command::new("setpriv");
        setpriv.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
        setpriv
    } else {
        Command::new(binary)
    };
    command
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("REGISTRY_WITHOUT_PUBLIC_DATA", "true")
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs")
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_unwritable_sqlite_path_stops_the_start_with_one_line_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path();
    // Others may enter the directory but not write in it.
    chmod(top, 0o755);
    let database = top.join("registry.db");
    let url = format!("sqlite://{}", database.display());
    let created = Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .env("REGISTRY_WITHOUT_PUBLIC_DATA", "true")
        .env("RUST_LOG", "off")
        .status()
        .unwrap();
    assert!(created.success());
    chmod(&database, 0o644);
    let before = entries(top);
    for (url, expected) in [
        (
            format!("sqlite://{}/data/registry.db", top.display()),
            format!(
                "the SQLite database directory {} cannot be written",
                top.display()
            ),
        ),
        (
            url.clone(),
            format!(
                "the SQLite database file {} cannot be written",
                database.display()
            ),
        ),
        (
            format!("sqlite://{}", top.display()),
            format!(
                "the SQLite database file {} cannot be written: it is a directory",
                top.display()
            ),
        ),
    ] {
        for command in [&["serve", "--port", "0"][..], &["migrate"], &["seed-demo"]] {
            let output = run_unprivileged(&url, command);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success(), "{url} {command:?} must fail");
            assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
            assert!(
                stderr.starts_with(&format!("error: {expected}")),
                "{command:?}: {stderr}"
            );
            assert_eq!(entries(top), before, "{url} {command:?} created nothing");
        }
    }
}

#[test]
fn the_sqlite_write_probe_refuses_a_read_only_database_and_not_a_busy_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    let path = path.to_str().unwrap();
    let mut writer = SqliteConnection::establish(path).unwrap();
    writer
        .batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
             CREATE TABLE write_sequence (value INTEGER); INSERT INTO write_sequence VALUES (1)",
        )
        .unwrap();
    // Read-only the way a file without write permission opens (root would bypass the bits).
    let read_only = SqliteConnection::establish(&format!("file:{path}?mode=ro")).unwrap();
    let error = writable::check_database(&mut DbConnection::Sqlite(read_only)).unwrap_err();
    assert!(error.to_string().contains("accepts no writes"), "{error}");

    let mut other = DbConnection::Sqlite(SqliteConnection::establish(path).unwrap());
    other.batch_execute("PRAGMA busy_timeout = 10000").unwrap();
    writer.batch_execute("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    writable::check_database(&mut other).expect("another writer's lock means writes work");
    assert!(
        started.elapsed().as_millis() < 500,
        "the probe does not wait for the lock"
    );
    writer.batch_execute("ROLLBACK").unwrap();
    writable::check_database(&mut other).unwrap();
    other
        .batch_execute("UPDATE write_sequence SET value = 2")
        .expect("the probe restored the busy timeout and left no transaction open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set TEST_POSTGRES_URL and pass --include-ignored"]
async fn readyz_reports_a_postgres_database_that_accepts_no_writes() {
    let db = TestDb::new(Backend::Postgres);
    let app = db.spawn().await;
    app.get_json("/readyz", StatusCode::OK).await;
    let admin_url = std::env::var(crate::helpers::POSTGRES_ENV).unwrap();
    let name = db.url.to_string().rsplit('/').next().unwrap().to_owned();
    // A session reads `default_transaction_read_only` when it starts, so each change is followed
    // by cutting off every session that began before it (the pool replaces them). Sessions still
    // connecting while the setting changed can appear after a first sweep, so recovery sweeps again.
    let set_read_only = |on: bool| -> String {
        let mut admin = PgConnection::establish(&admin_url).unwrap();
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {name} SET default_transaction_read_only = {on}"
            ))
            .unwrap();
        let changed_at: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
            "clock_timestamp()::text",
        ))
        .get_result(&mut admin)
        .unwrap();
        drop_sessions_before(&mut admin, &name, &changed_at);
        changed_at
    };
    let readiness = || async {
        let mut last = StatusCode::OK;
        // The pool replaces the connections cut off; a few answers may still see the old ones.
        for _ in 0..20 {
            last = app.get("/readyz").await.status();
            if last == StatusCode::OK || last == StatusCode::SERVICE_UNAVAILABLE {
                let again = app.get("/readyz").await.status();
                if again == last {
                    return last;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        last
    };
    set_read_only(true);
    assert_eq!(readiness().await, StatusCode::SERVICE_UNAVAILABLE);
    let problem = app
        .get_problem("/readyz", StatusCode::SERVICE_UNAVAILABLE)
        .await;
    assert_eq!(problem["instance"], "/readyz");
    let changed_at = set_read_only(false);
    // Generous: under a full parallel test run on two cores, replacing the cut-off connections
    // can take many seconds.
    let mut admin = PgConnection::establish(&admin_url).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if app.get("/readyz").await.status() == StatusCode::OK {
            return;
        }
        drop_sessions_before(&mut admin, &name, &changed_at);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("readyz did not recover once the database accepted writes again");
}

/// Cuts off the sessions of database `name` that began before `moment` (a timestamp as text).
fn drop_sessions_before(admin: &mut PgConnection, name: &str, moment: &str) {
    admin
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND backend_start < '{moment}'::timestamptz"
        ))
        .unwrap();
}

/// The value of the sample `name{labels}` in a text exposition.
pub(crate) fn sample(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
}

both_backends! {
    async fn metrics_count_requests_latency_writes_pool_and_cache(db: TestDb) {
        let mut settings = db.settings();
        settings.limits.heavy_per_minute = 1;
        let app = db.spawn_with(settings).await;
        let editor = app.token_for(Role::Editor, &[]).await;
        app.get_json("/api/v1/forces/kent", StatusCode::OK).await;
        app.get("/api/v1/forces/atlantis").await;
        let created = app
            .send(Method::POST, "/api/v1/deployments", &editor, None,
                &json!({"force": "kent", "tool": "drones", "status": "in_use"}))
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
        for _ in 0..3 {
            app.get("/api/v1/stats").await;
            app.get("/api/v1/search?q=drones").await;
        }
        let response = app.get("/metrics").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let text = response.text().await.unwrap();
        let requests = "registry_http_requests_total";
        let forces = "method=\"GET\",route=\"/api/v1/forces/{slug}\"";
        assert_eq!(sample(&text, &format!("{requests}{{{forces},status=\"200\"}}")), Some(1.0), "{text}");
        assert_eq!(sample(&text, &format!("{requests}{{{forces},status=\"404\"}}")), Some(1.0));
        let search = "method=\"GET\",route=\"/api/v1/search\"";
        assert_eq!(sample(&text, &format!("{requests}{{{search},status=\"429\"}}")), Some(2.0), "limited after the first");
        assert_eq!(sample(&text, &format!("registry_http_request_duration_seconds_count{{{forces}}}")), Some(2.0));
        assert_eq!(sample(&text, &format!("registry_http_request_duration_seconds_bucket{{{forces},le=\"+Inf\"}}")), Some(2.0));
        assert_eq!(sample(&text, "registry_writes_total{route=\"/api/v1/deployments\"}"), Some(1.0));
        assert_eq!(sample(&text, "registry_db_pool_max_connections"), Some(4.0));
        assert!(sample(&text, "registry_db_pool_connections{state=\"idle\"}").is_some_and(|idle| idle >= 1.0));
        assert!(sample(&text, "registry_db_pool_connections{state=\"in_use\"}").is_some());
        assert_eq!(sample(&text, "registry_cache_misses_total"), Some(2.0), "stats and search computed once each");
        assert_eq!(sample(&text, "registry_cache_hits_total"), Some(2.0), "stats answered twice from the cache");
        assert!(!text.contains("route=\"/metrics\""), "a scrape is counted once it is answered");
        let trace = app.client.request(Method::TRACE, app.url("/metrics")).send().await.unwrap();
        assert_eq!(trace.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!((&trace.headers()["allow"], &trace.headers()["content-type"]), (&"GET, HEAD".parse().unwrap(), &"application/problem+json".parse().unwrap()));

        // A scraper is never rate limited.
        let mut settings = db.settings();
        settings.limits.requests_per_minute = 1;
        let limited = db.spawn_with(settings).await;
        for _ in 0..3 {
            assert_eq!(limited.get("/metrics").await.status(), StatusCode::OK);
        }
        let text = limited.get("/metrics").await.text().await.unwrap();
        assert_eq!(sample(&text, "registry_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}"), Some(3.0));
    }
}

both_backends! {
    async fn seed_demo_and_import_print_one_summary_line_when_not_on_a_terminal(db: TestDb) {
        let run = |args: &[&str]| {
            let output = Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
                .args(args)
                .env("DATABASE_URL", db.url.to_string())
                .env("REGISTRY_WITHOUT_PUBLIC_DATA", "true")
                .env("RUST_LOG", "warn")
                .output()
                .unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            assert!(output.stderr.is_empty(), "no progress bar off a terminal: {:?}", String::from_utf8_lossy(&output.stderr));
            String::from_utf8(output.stdout).unwrap()
        };
        let seeded = run(&["seed-demo", "--scale", "0.01"]);
        assert_eq!(seeded.lines().count(), 1, "{seeded}");
        assert!(seeded.starts_with("seeded the demo data: 53 deployments ("), "{seeded}");
        assert!(seeded.contains(" FOI requests (") && seeded.trim_end().ends_with(" s"), "{seeded}");
        // The demo's histories say what each update changed, with both values.
        let app = db.spawn().await;
        let events = app.get_json("/api/v1/changes?entity_type=deployment&limit=500", StatusCode::OK).await;
        let updates: Vec<&Value> = events["items"].as_array().unwrap().iter().filter(|e| e["action"] == "update").collect();
        assert!(!updates.is_empty(), "{events}");
        for update in updates {
            let changes = update["changes"].as_array().unwrap();
            assert!(!changes.is_empty(), "{update}");
            assert_eq!(update["changed_fields"].as_array().unwrap().len(), changes.len(), "{update}");
        }
        // The demo's assessments go in together; each reads back with its first revision and
        // its change event, as one created through the API does.
        let assessments = app.get_json("/api/v1/impact-assessments?limit=500", StatusCode::OK).await;
        let assessments = assessments["items"].as_array().unwrap();
        assert!(!assessments.is_empty());
        let created = app.get_json("/api/v1/changes?entity_type=impact_assessment&limit=500", StatusCode::OK).await;
        assert_eq!(created["items"].as_array().unwrap().len(), assessments.len(), "{created}");
        for assessment in assessments.iter().take(3) {
            let id = assessment["id"].as_str().unwrap();
            let history = app.get_json(&format!("/api/v1/impact-assessments/{id}/revisions"), StatusCode::OK).await;
            let history = history["items"].as_array().unwrap_or_else(|| panic!("{history}"));
            assert_eq!(history.len(), 1, "{history:?}");
            assert_eq!(history[0]["action"], "create");
            for field in ["id", "force", "title", "status", "deployment_ids", "revision", "updated_at"] {
                assert_eq!(history[0]["snapshot"][field], assessment[field], "{field}");
            }
            let covered = assessment["deployment_ids"].as_array().unwrap();
            assert_eq!(covered.len(), 1, "{assessment}");
            let deployment = app.get_json(&format!("/api/v1/deployments/{}", covered[0].as_str().unwrap()), StatusCode::OK).await;
            assert_eq!(deployment["force"], assessment["force"]);
        }
        let sources = concat!(env!("CARGO_MANIFEST_DIR"), "/src/reference/public/sources.ndjson");
        let rows = std::fs::read_to_string(sources).unwrap().lines().count();
        let imported = run(&["import", sources]);
        assert_eq!(imported.lines().count(), 1, "{imported}");
        assert!(imported.starts_with(&format!("{rows} rows: {rows} created, 0 updated")), "{imported}");
    }
}
