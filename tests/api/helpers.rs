//! Test harness: a fresh database and a running app per test, on either backend.

use std::io::Write;
use std::sync::Once;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use surveillance_registry::config::Settings;
use surveillance_registry::db::DatabaseUrl;
use surveillance_registry::startup::Application;

/// Environment variable naming a PostgreSQL server (and a database to connect to for creating
/// per-test databases), e.g. `postgres://postgres@127.0.0.1:5432/test`.
pub const POSTGRES_ENV: &str = "TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares a test that runs once per backend: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident: $db_type:ty) $body:block)+) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($db: $db_type) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::helpers::TestDb::new($crate::helpers::Backend::Sqlite)).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::helpers::TestDb::postgres_if_configured() {
                        run(db).await;
                    }
                }
            }
        )+
    };
}

/// A database that exists only for one test: a temporary SQLite file, or a PostgreSQL database
/// created for the test and dropped afterwards.
pub struct TestDb {
    pub url: DatabaseUrl,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

static SKIP_NOTICE: Once = Once::new();

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = DatabaseUrl::Sqlite(dir.path().join("registry.db"));
                Self {
                    url,
                    backend,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres => Self::postgres_if_configured().expect("TEST_POSTGRES_URL is set"),
        }
    }

    /// A fresh PostgreSQL database, or `None` (saying so once, past the test harness's capture)
    /// when no server is configured.
    pub fn postgres_if_configured() -> Option<Self> {
        let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
            SKIP_NOTICE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "\nNOTE: PostgreSQL tests skipped: set {POSTGRES_ENV} (e.g. postgres://postgres@127.0.0.1:5432/test) to run them.\n"
                );
            });
            return None;
        };
        let name = format!("registry_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::establish(&admin_url).expect("connect to TEST_POSTGRES_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Some(Self {
            url: url.as_str().parse().expect("a PostgreSQL URL"),
            backend: Backend::Postgres,
            _dir: None,
            postgres: Some((admin_url, name)),
        })
    }

    /// Starts the app on this database, on a free port.
    pub async fn spawn(&self) -> TestApp {
        let settings = Settings {
            host: "127.0.0.1".into(),
            port: 0,
            database_url: self.url.clone(),
            database_pool_size: 4,
            workers: Some(1),
            shutdown_timeout: 1,
        };
        let app = Application::build(settings).await.expect("the app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let server = app.handle();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            client: reqwest::Client::new(),
            server,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A running app and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    server: actix_web::dev::ServerHandle,
}

impl Drop for TestApp {
    /// Stops the server and its workers, so they release their database connections.
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// GETs `path`, asserts the status, and returns the JSON body.
    pub async fn get_json(&self, path: &str, status: StatusCode) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), status, "GET {path}");
        response.json().await.expect("a JSON body")
    }

    /// GETs `path`, asserts a problem document with `status`, and returns it.
    pub async fn get_problem(&self, path: &str, status: StatusCode) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), status, "GET {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "GET {path} answers a problem document"
        );
        let problem: Value = response.json().await.expect("a JSON body");
        assert_eq!(problem["status"], status.as_u16());
        assert!(
            problem["title"].is_string()
                && problem["detail"].is_string()
                && problem["type"].is_string()
        );
        problem
    }

    /// Follows `next_url` from `path` to the end and returns every item.
    pub async fn get_all(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut next = Some(path.to_owned());
        while let Some(path) = next {
            let page = self.get_json(&path, StatusCode::OK).await;
            items.extend(page["items"].as_array().expect("items").iter().cloned());
            next = page["next_url"].as_str().map(str::to_owned);
        }
        items
    }
}

/// The `field` names of a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
