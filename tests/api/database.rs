use std::process::Command;

use reqwest::StatusCode;
use surveillance_registry::db::{self, Database};
use surveillance_registry::startup::prepare_database;
use surveillance_registry::store::reference::{self, Loaded};

use crate::both_backends;
use crate::helpers::{Backend, TestDb};

fn open(db: &TestDb) -> Database {
    Database::connect(&db.url, 2).expect("database reachable")
}

both_backends! {
    async fn migrations_go_up_down_and_up_again(db: TestDb) {
        let url = db.url.clone();
        tokio::task::spawn_blocking(move || {
            let database = Database::connect(&url, 1).unwrap();
            let mut conn = database.get().unwrap();
            let up = db::run_migrations(&mut conn).unwrap();
            assert!(!up.is_empty());
            assert!(db::migrations_current(&mut conn).unwrap());
            let down = db::revert_all_migrations(&mut conn).unwrap();
            assert_eq!(down.len(), up.len());
            assert!(!db::migrations_current(&mut conn).unwrap());
            assert_eq!(db::run_migrations(&mut conn).unwrap(), up);
            assert!(db::run_migrations(&mut conn).unwrap().is_empty(), "nothing left to apply");
        })
        .await
        .unwrap();
        let app = db.spawn().await;
        app.get_json("/readyz", StatusCode::OK).await;
    }

    async fn reference_data_loads_once(db: TestDb) {
        let url = db.url.clone();
        let first_app = db.spawn().await;
        let before = first_app.get_json("/api/v1/forces?limit=500", StatusCode::OK).await;
        let tools_before = first_app.get_json("/api/v1/tools?limit=500", StatusCode::OK).await;
        drop(first_app);
        let database = open(&db);
        let reloaded = tokio::task::spawn_blocking(move || {
            prepare_database(&url, 1, false).unwrap();
            reference::load(&mut database.get().unwrap()).unwrap()
        })
        .await
        .unwrap();
        assert_eq!(reloaded, Loaded::default(), "a second load inserts nothing");
        let second_app = db.spawn().await;
        assert_eq!(second_app.get_json("/api/v1/forces?limit=500", StatusCode::OK).await, before);
        assert_eq!(second_app.get_json("/api/v1/tools?limit=500", StatusCode::OK).await, tools_before);
    }
}

fn run_binary(database_url: &str) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
        .args(["migrate", "--log-format", "json"])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    )
}

#[test]
fn a_bad_database_url_fails_fast_with_one_clear_line() {
    for (url, expected) in [
        (
            "mysql://root@localhost/registry",
            "scheme `mysql` is not supported",
        ),
        ("postgres://", "not a valid PostgreSQL URL"),
        (
            "postgres://postgres@127.0.0.1:1/registry",
            "cannot connect to PostgreSQL",
        ),
        ("sqlite:///proc/no-such-dir/registry.db", "SQLite"),
        ("postgres://postgres@127.0.0.1:5432", "names no database"),
        (
            "postgres://postgres@127.0.0.1:5432/postgres",
            "one of PostgreSQL's own databases",
        ),
        ("postgres//oops", "looks like a mistyped PostgreSQL URL"),
        ("postgres:/oops", "looks like a mistyped PostgreSQL URL"),
    ] {
        let started = std::time::Instant::now();
        let (success, stderr) = run_binary(url);
        assert!(!success, "{url} must fail");
        assert_eq!(stderr.lines().count(), 1, "one line for {url}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(expected),
            "{url}: {stderr}"
        );
        assert!(started.elapsed().as_secs() < 15, "{url} fails fast");
    }
}

#[test]
fn passwords_never_reach_the_error_line() {
    let (success, stderr) = run_binary("postgres://registry:hunter2@127.0.0.1:1/registry");
    assert!(!success);
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_POSTGRES_URL and pass --include-ignored"]
fn postgres_connections_can_require_tls() {
    let db = TestDb::new(Backend::Postgres);
    let url = format!(
        "{}?sslmode=require",
        db.url.to_string().split('?').next().unwrap()
    );
    let database = Database::connect(&url.parse().unwrap(), 1)
        .expect("a TLS connection (the server must offer TLS)");
    let mut conn = database.get().unwrap();
    assert!(db::run_migrations(&mut conn).is_ok());
}
