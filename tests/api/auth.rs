//! Logging in, bearer tokens and every way a token can be wrong, throttling, the command line.

use std::io::Write;
use std::process::{Command, Stdio};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::auth::{KeySet, AUDIENCE};
use surveillance_registry::config::Settings;
use surveillance_registry::domain::Role;

use crate::both_backends;
use crate::helpers::{error_fields, TestApp, TestDb, TEST_PASSWORD};

const KID: &str = "test-key";

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn keys_config() -> String {
    format!("{KID}={}", fixture("jwt-test-ed25519.pem"))
}

/// Settings whose signing key the test also holds, so it can forge tokens with it.
fn with_test_key(db: &TestDb) -> Settings {
    let mut settings = db.settings();
    settings.auth.keys = Some(KeySet::from_config(&keys_config()).unwrap());
    settings
}

fn private_key(name: &str) -> EncodingKey {
    EncodingKey::from_ed_pem(&std::fs::read(fixture(name)).unwrap()).unwrap()
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Claims the server would accept for `sub`, to be spoiled one at a time.
fn good_claims(sub: &str) -> Value {
    json!({"sub": sub, "role": "editor", "forces": [], "iat": now(), "nbf": now(),
        "exp": now() + 600, "iss": "surveillance-registry", "aud": AUDIENCE, "jti": "test"})
}

fn sign(alg: Algorithm, kid: &str, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn me(app: &TestApp, authorization: Option<&str>) -> Response {
    let mut request = app.client.get(app.url("/api/v1/auth/me"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

/// Asserts a 401 problem with a Bearer challenge, and returns its detail.
async fn assert_unauthorized(response: Response, invalid_token: bool, case: &str) -> String {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer realm="),
        "{case}: {challenge}"
    );
    assert_eq!(
        challenge.contains("invalid_token"),
        invalid_token,
        "{case}: {challenge}"
    );
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 401);
    problem["detail"].as_str().unwrap().to_owned()
}

pub fn run_cli(db: &TestDb, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
        .args(args)
        .env("DATABASE_URL", db.url.to_string())
        .env("REGISTRY_JWT_KEYS", keys_config())
        .env("REGISTRY_WITHOUT_PUBLIC_DATA", "true")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

both_backends! {
    async fn a_login_gives_a_token_that_identifies_the_account(db: TestDb) {
        let app = db.spawn().await;
        let account = app.account(Role::ForceStaff, &["cambridgeshire", "norfolk"]).await;
        let response = app.login(&account.username, TEST_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 900);
        let token = body["access_token"].as_str().unwrap();

        let claims = claims_of(token);
        assert_eq!(claims["sub"], account.id.as_str());
        assert_eq!(claims["role"], "force_staff");
        assert_eq!(claims["forces"], json!(["cambridgeshire", "norfolk"]));
        assert_eq!(claims["iss"], "surveillance-registry");
        assert_eq!(claims["aud"], AUDIENCE);
        assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 900);
        assert!(claims["nbf"].is_u64() && claims["jti"].is_string());

        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(header.alg, Algorithm::EdDSA);
        let jwks = app.get_json("/.well-known/jwks.json", StatusCode::OK).await;
        assert_eq!(jwks["keys"][0]["kid"], header.kid.unwrap().as_str());
        assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
        assert!(jwks["keys"][0].get("d").is_none(), "no private key material is published");

        let response = me(&app, Some(&format!("Bearer {token}"))).await;
        assert_eq!(response.status(), StatusCode::OK);
        let identity: Value = response.json().await.unwrap();
        assert_eq!(identity["account_id"], account.id.as_str());
        assert_eq!(identity["username"], account.username.as_str());
        assert_eq!(identity["role"], "force_staff");
        assert_eq!(identity["forces"], json!(["cambridgeshire", "norfolk"]));

        let wrong = app.login(&account.username, "not the password at all").await;
        assert_unauthorized(wrong, false, "wrong password").await;
        let unknown = app.login("nobody-here", TEST_PASSWORD).await;
        assert_unauthorized(unknown, false, "unknown username").await;
    }

    async fn every_kind_of_bad_token_is_refused(db: TestDb) {
        let app = db.spawn_with(with_test_key(&db)).await;
        let account = app.account(Role::Editor, &[]).await;
        let ours = private_key("jwt-test-ed25519.pem");
        let good = good_claims(&account.id);
        let valid = sign(Algorithm::EdDSA, KID, &good, &ours);
        assert_eq!(me(&app, Some(&format!("Bearer {valid}"))).await.status(), StatusCode::OK);
        assert_eq!(me(&app, Some(&format!("bearer {valid}"))).await.status(), StatusCode::OK);

        assert_unauthorized(me(&app, None).await, false, "no header").await;
        assert_unauthorized(me(&app, Some("Basic dXNlcjpwYXNz")).await, false, "basic").await;

        let spoil = |field: &str, value: Value| {
            let mut claims = good.clone();
            claims[field] = value;
            sign(Algorithm::EdDSA, KID, &claims, &ours)
        };
        let header_none = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "kid": KID, "typ": "JWT"}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(good.to_string());
        // The HS256 confusion: an HMAC keyed with our public key, which anyone can fetch.
        let jwks = app.get_json("/.well-known/jwks.json", StatusCode::OK).await;
        let public_x = URL_SAFE_NO_PAD.decode(jwks["keys"][0]["x"].as_str().unwrap()).unwrap();
        let mut tampered = valid.clone();
        tampered.insert_str(valid.find('.').unwrap() + 1, "eyJ");
        let cases = [
            ("garbage", "not-a-jwt".to_owned()),
            ("tampered payload", tampered),
            ("alg none", format!("{header_none}.{payload}.")),
            ("other key, our kid", sign(Algorithm::EdDSA, KID, &good, &private_key("jwt-other-ed25519.pem"))),
            ("unknown kid", sign(Algorithm::EdDSA, "someone-else", &good, &ours)),
            ("no kid", jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &good, &ours).unwrap()),
            ("HS256 with the public key", sign(Algorithm::HS256, KID, &good, &EncodingKey::from_secret(&public_x))),
            ("HS256 with the JWK", sign(Algorithm::HS256, KID, &good, &EncodingKey::from_secret(jwks["keys"][0].to_string().as_bytes()))),
            ("expired", spoil("exp", json!(now() - 120))),
            ("not yet valid", spoil("nbf", json!(now() + 600))),
            ("wrong issuer", spoil("iss", json!("someone-else"))),
            ("wrong audience", spoil("aud", json!("another-api"))),
            ("unknown account", spoil("sub", json!("019abc12-0000-7000-8000-000000000000"))),
        ];
        for (case, token) in cases {
            let detail = assert_unauthorized(me(&app, Some(&format!("Bearer {token}"))).await, true, case).await;
            if case == "expired" {
                assert!(detail.contains("expired"), "{detail}");
            }
        }
    }

    async fn disabling_an_account_or_changing_its_role_applies_at_once(db: TestDb) {
        let app = db.spawn().await;
        let admin = app.token_for(Role::Admin, &[]).await;
        let account = app.account(Role::Editor, &[]).await;
        let token = app.token_of(&account).await;
        let bearer = format!("Bearer {token}");

        let patch = |body: Value, etag: &str| {
            app.client
                .patch(app.url(&format!("/api/v1/accounts/{}", account.id)))
                .bearer_auth(&admin)
                .header("if-match", etag)
                .json(&body)
                .send()
        };
        let changed = patch(json!({"role": "force_staff", "forces": ["kent"]}), "\"r1\"").await.unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
        let identity: Value = me(&app, Some(&bearer)).await.json().await.unwrap();
        assert_eq!(identity["role"], "force_staff", "the database's role, not the token's");
        assert_eq!(identity["forces"], json!(["kent"]));

        assert_eq!(patch(json!({"disabled": true}), "\"r2\"").await.unwrap().status(), StatusCode::OK);
        let detail = assert_unauthorized(me(&app, Some(&bearer)).await, true, "disabled").await;
        assert!(detail.contains("disabled"), "{detail}");
        let login = app.login(&account.username, TEST_PASSWORD).await;
        assert_unauthorized(login, false, "disabled login").await;
    }

    async fn repeated_failed_logins_are_throttled(db: TestDb) {
        let app = db.spawn().await;
        let account = app.account(Role::Editor, &[]).await;
        for _ in 0..5 {
            let response = app.login(&account.username, "wrong password, again").await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        let response = app.login(&account.username, TEST_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
        let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry_after), "{retry_after}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 429);

        // Per address: many usernames from one client.
        for n in 0..15 {
            let response = app.login(&format!("guess-{n}"), "wrong password, again").await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "guess {n}");
        }
        let response = app.login("yet-another-name", "wrong password, again").await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "the address is throttled");
        assert!(response.headers().contains_key("retry-after"));
    }

    async fn bad_bodies_are_problems_naming_the_field(db: TestDb) {
        let app = db.spawn().await;
        let post = |body: String| {
            app.client
                .post(app.url("/api/v1/auth/token"))
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        for (body, field) in [
            (json!({"username": "alice", "password": "x", "admin": true}).to_string(), "admin"),
            (json!({"username": "alice"}).to_string(), "password"),
            (json!({"username": "Not A Username", "password": "x"}).to_string(), "username"),
            ("{\"username\": ".to_owned(), "body"),
            (json!({"username": 5, "password": "x"}).to_string(), "body"),
        ] {
            let response = post(body.clone()).await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(response.headers()["content-type"], "application/problem+json");
            let problem: Value = response.json().await.unwrap();
            assert_eq!(error_fields(&problem), [field], "{body}");
        }
        let huge = json!({"username": "alice", "password": "x".repeat(2 * 1024 * 1024)}).to_string();
        let response = post(huge).await.unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }

    async fn the_command_line_creates_accounts_and_mints_tokens(db: TestDb) {
        let app = db.spawn_with(with_test_key(&db)).await;
        let created = run_cli(&db, &["accounts", "create", "--username", "first-admin", "--role", "admin",
            "--organisation", "Registry team", "--password-stdin"], "a long enough password\n");
        let stdout = String::from_utf8(created.stdout).unwrap();
        assert!(stdout.contains("created account first-admin"), "{stdout}");
        assert!(!stdout.contains("a long enough password"));
        assert_eq!(app.login("first-admin", "a long enough password").await.status(), StatusCode::OK);

        let generated = run_cli(&db, &["accounts", "create", "--username", "cambs", "--role", "force_staff",
            "--force", "cambridgeshire"], "");
        let stdout = String::from_utf8(generated.stdout).unwrap();
        let password = stdout.lines().find_map(|l| l.strip_prefix("generated password (shown once): ")).unwrap();
        assert_eq!(app.login("cambs", password).await.status(), StatusCode::OK);

        let listed = String::from_utf8(run_cli(&db, &["accounts", "list"], "").stdout).unwrap();
        assert!(listed.contains("cambs\tforce_staff\tcambridgeshire\tactive"), "{listed}");
        assert!(listed.contains("first-admin\tadmin\t-\tactive"), "{listed}");

        let minted = String::from_utf8(run_cli(&db, &["token", "--username", "first-admin"], "").stdout).unwrap();
        let token = minted.trim();
        assert_eq!(token.split('.').count(), 3, "only the token is printed: {minted}");
        let response = me(&app, Some(&format!("Bearer {token}"))).await;
        assert_eq!(response.status(), StatusCode::OK);
        let identity: Value = response.json().await.unwrap();
        assert_eq!(identity["username"], "first-admin");
        assert_eq!(identity["organisation"], "Registry team");
    }

    async fn passwords_hashes_and_tokens_never_reach_the_logs(db: TestDb) {
        let admin_password = "the first admin's password";
        run_cli(&db, &["accounts", "create", "--username", "first-admin", "--role", "admin", "--password-stdin"],
            &format!("{admin_password}\n"));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut server = Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
            .args(["serve", "--port", &port.to_string(), "--log-format", "json"])
            .env("DATABASE_URL", db.url.to_string())
            .env("REGISTRY_JWT_KEYS", keys_config())
            .env("REGISTRY_WITHOUT_PUBLIC_DATA", "true")
            .env("RUST_LOG", "debug")
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..100 {
            if client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let login = |password: &'static str| {
            client.post(format!("{base}/api/v1/auth/token")).json(&json!({"username": "first-admin", "password": password})).send()
        };
        assert_eq!(login("a wrong guess at the password").await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let token: Value = login(admin_password).await.unwrap().json().await.unwrap();
        let token = token["access_token"].as_str().unwrap().to_owned();
        let created = client.post(format!("{base}/api/v1/accounts")).bearer_auth(&token)
            .json(&json!({"username": "kent-foi", "organisation": "Kent Police", "role": "force_staff",
                "forces": ["kent"], "password": "kent's first password"}))
            .send().await.unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let body = created.text().await.unwrap();
        let id = serde_json::from_str::<Value>(&body).unwrap()["id"].as_str().unwrap().to_owned();
        let reset = client.post(format!("{base}/api/v1/accounts/{id}/password")).bearer_auth(&token)
            .json(&json!({"password": "kent's second password"})).send().await.unwrap();
        assert_eq!(reset.status(), StatusCode::OK);
        let responses = [body, reset.text().await.unwrap()].concat();
        let identity = client.get(format!("{base}/api/v1/auth/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(identity.status(), StatusCode::OK);
        Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
        server.wait().unwrap();

        let logged = std::fs::read_to_string(log.path()).unwrap();
        assert!(logged.contains("/api/v1/auth/token"), "the requests were logged: {logged}");
        let secrets = [admin_password, "a wrong guess at the password", "kent's first password", "kent's second password", &token, "$argon2"];
        for secret in secrets {
            assert!(!logged.contains(secret), "the log holds `{secret}`");
            assert!(!responses.contains(secret), "a response holds `{secret}`");
        }
    }
}
