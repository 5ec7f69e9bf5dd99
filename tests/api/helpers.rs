//! Test harness: a fresh database and a running app per test, on either backend.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use surveillance_registry::auth::{AuthSettings, Password};
use surveillance_registry::config::{Limits, Settings};
use surveillance_registry::db::{Database, DatabaseUrl};
use surveillance_registry::domain::Role;
use surveillance_registry::startup::Application;
use surveillance_registry::store::accounts::{self, NewAccount};
use surveillance_registry::store::audit::{Actor, Stamp};

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
    ($($(#[doc = $doc:literal])* async fn $name:ident($db:ident: $db_type:ty) $body:block)+) => {
        $(
            $(#[doc = $doc])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($db: $db_type) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::helpers::TestDb::new($crate::helpers::Backend::Sqlite)).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL: set TEST_POSTGRES_URL and pass --include-ignored"]
                async fn postgres() {
                    run($crate::helpers::TestDb::new($crate::helpers::Backend::Postgres)).await;
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
            Backend::Postgres => Self::postgres(),
        }
    }

    /// A fresh PostgreSQL database on the server of `TEST_POSTGRES_URL`. The PostgreSQL tests are
    /// ignored unless asked for (`--include-ignored`), so a run without a server lists them as
    /// ignored rather than passing them; asked for without a server, they fail.
    pub fn postgres() -> Self {
        let admin_url = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| {
            panic!("{POSTGRES_ENV} must name a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/test)")
        });
        let name = format!("registry_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::establish(&admin_url).expect("connect to TEST_POSTGRES_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Self {
            url: url.as_str().parse().expect("a PostgreSQL URL"),
            backend: Backend::Postgres,
            _dir: None,
            postgres: Some((admin_url, name)),
        }
    }

    /// Settings for an app on this database, on a free port, with an ephemeral signing key.
    pub fn settings(&self) -> Settings {
        Settings {
            host: "127.0.0.1".into(),
            port: 0,
            database_url: self.url.clone(),
            database_pool_size: 4,
            workers: Some(1),
            shutdown_timeout: 1,
            // Tests also write through the store directly; asking the database every time keeps
            // them deterministic (the cache's own tests set a long recheck).
            cache_recheck: std::time::Duration::ZERO,
            auth: AuthSettings {
                keys: None,
                issuer: AuthSettings::DEFAULT_ISSUER.into(),
                token_lifetime: AuthSettings::DEFAULT_TOKEN_LIFETIME,
                trust_forwarded_for: false,
            },
            // Tests about limits set their own.
            limits: Limits::DEFAULT.unlimited_rates(),
            // Each test holds only the data it writes (the public dataset has its own tests).
            public_data: false,
        }
    }

    /// Starts the app on this database, on a free port.
    pub async fn spawn(&self) -> TestApp {
        self.spawn_with(self.settings()).await
    }

    /// Starts the app with `settings` (start from [`Self::settings`]).
    pub async fn spawn_with(&self, settings: Settings) -> TestApp {
        let app = Application::build(settings).await.expect("the app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let server = app.handle();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            client: reqwest::Client::new(),
            server,
            database_url: self.url.clone(),
        }
    }
}

impl TestDb {
    /// Drops a PostgreSQL test database now, cutting off every connection to it (as an outage
    /// would); the SQLite file is kept.
    pub fn drop_database(&self) {
        if let Some((admin_url, name)) = &self.postgres {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.drop_database();
    }
}

/// A running app and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    server: actix_web::dev::ServerHandle,
    database_url: DatabaseUrl,
}

/// The password of every account made by [`TestApp::account`].
pub const TEST_PASSWORD: &str = "a test password of some length";

/// An account made for a test.
pub struct TestAccount {
    pub id: String,
    pub username: String,
}

impl Drop for TestApp {
    /// Stops the server and its workers, so they release their database connections.
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

impl TestApp {
    /// Creates an account (password [`TEST_PASSWORD`]) straight in the database.
    pub async fn account(&self, role: Role, forces: &[&str]) -> TestAccount {
        let url = self.database_url.clone();
        let forces = forces.iter().map(|f| f.parse().expect("a slug")).collect();
        let username = format!("user-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
        let new = NewAccount {
            username: username.parse().expect("a username"),
            display_name: username.clone(),
            organisation: format!("{role} organisation"),
            role,
            forces,
            password_hash: Password::new(TEST_PASSWORD).hash().expect("hashed"),
        };
        let account = tokio::task::spawn_blocking(move || {
            let database = Database::connect(&url, 1).expect("database reachable");
            let stamp = Stamp::now(Actor::system("tests"));
            accounts::create(&mut database.get().unwrap(), &stamp, new).expect("account created")
        })
        .await
        .unwrap();
        TestAccount {
            id: account.id,
            username,
        }
    }

    /// `POST /api/v1/auth/token` with these credentials.
    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("request sent")
    }

    /// A bearer token of a new account with `role` and `forces`, got by logging in.
    pub async fn token_for(&self, role: Role, forces: &[&str]) -> String {
        let account = self.account(role, forces).await;
        self.token_of(&account).await
    }

    /// A bearer token of `account`, got by logging in.
    pub async fn token_of(&self, account: &TestAccount) -> String {
        let response = self.login(&account.username, TEST_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "login");
        let body: Value = response.json().await.expect("a JSON body");
        body["access_token"].as_str().expect("a token").to_owned()
    }

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

    /// Sends a JSON body with a bearer token and, when given, `If-Match`.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> Response {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(body);
        if let Some(etag) = if_match {
            request = request.header("If-Match", etag);
        }
        request.send().await.expect("request sent")
    }

    /// GETs `path` and returns its JSON body and its ETag (for `If-Match`).
    pub async fn get_tagged(&self, path: &str) -> (Value, String) {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        let etag = response.headers()["etag"]
            .to_str()
            .expect("an ASCII ETag")
            .to_owned();
        (response.json().await.expect("a JSON body"), etag)
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
